import { type RestRules, defineRestRules, pseudonymizeAt as pseudonymize, redactAt as redact, schemaObject as object } from '@psoxy/core';

const NOT_SLACKBOT = "!='USLACKBOT'";
const ENVELOPE = 'error:s offset:s ok:b';
// members and topics are outside the schemas anyway; pseudonymized as Psoxy does, in case a schema widens
const channelIds = (at: string) => [`${at}[?(@.creator${NOT_SLACKBOT})].creator`, `${at}[*].members[?(@${NOT_SLACKBOT})]`, `${at}[*].topic[?(@.set_by${NOT_SLACKBOT})].set_by`];

/** Slack Discovery API: Psoxy's `slack` rules (`docs/sources/slack/slack-discovery-api/discovery.yaml`). */
export const slackDiscoveryRules: RestRules = defineRestRules({
  endpoints: [
    {
      pathTemplate: '/api/discovery.conversations.history',
      allowedQueryParams: ['channel', 'team', 'latest', 'oldest', 'reactions', 'limit'],
      transforms: [
        pseudonymize(
          [
            `$.messages[?(@.user${NOT_SLACKBOT})].user`,
            `$.messages[*].files[?(@.user${NOT_SLACKBOT})].user`,
            `$.messages[*].reactions[*].users[?(@${NOT_SLACKBOT})]`,
            `$.messages[*].replies[?(@.user${NOT_SLACKBOT})].user`,
            `$.messages[*].replies[?(@.parent_user_id${NOT_SLACKBOT})].parent_user_id`,
            `$.messages[*].reply_users[?(@${NOT_SLACKBOT})]`,
            `$.messages[*].edited[?(@.user${NOT_SLACKBOT})].user`,
            `$.messages[*].blocks[*].elements[*].elements[?(@.user_id${NOT_SLACKBOT})].user_id`,
            `$.messages[*].room[?(@.created_by${NOT_SLACKBOT})].created_by`,
            `$.messages[*].room.participant_history[?(@${NOT_SLACKBOT})]`,
          ],
        ),
      ],
      responseSchema: object(`${ENVELOPE} has_edits:b messages:[@Message]`),
    },
    {
      pathTemplate: '/api/discovery.conversations.info',
      allowedQueryParams: ['channel', 'team', 'offset'],
      transforms: [pseudonymize([`$.info[*].members[?(@${NOT_SLACKBOT})]`, `$.info[*].topic[?(@.set_by${NOT_SLACKBOT})].set_by`, `$.info[?(@.creator${NOT_SLACKBOT})].creator`])],
      responseSchema: object(`${ENVELOPE} info:[@Conversation]`),
    },
    {
      pathTemplate: '/api/discovery.conversations.list',
      allowedQueryParams: ['offset', 'team', 'only_public', 'only_private', 'only_im', 'only_mpim', 'only_ext_shared', 'limit'],
      transforms: [pseudonymize(channelIds('$.channels'))],
      responseSchema: object(`channels:[@Conversation] ${ENVELOPE}`),
    },
    {
      pathTemplate: '/api/discovery.conversations.recent',
      allowedQueryParams: ['team', 'latest', 'limit'],
      transforms: [pseudonymize(channelIds('$.channels'))],
      responseSchema: object(`channels:[@UpdatedConversation] ${ENVELOPE}`),
    },
    {
      pathTemplate: '/api/discovery.enterprise.info',
      allowedQueryParams: ['cursor', 'include_deleted', 'limit'],
      responseSchema: object(`enterprise:@Enterprise ${ENVELOPE} response_metadata:@ResponseMetadata`),
    },
    {
      pathTemplate: '/api/discovery.user.conversations',
      allowedQueryParams: ['user', 'include_historical', 'limit', 'offset'],
      responseSchema: object(`channels:[@UserConversation] ${ENVELOPE}`),
    },
    {
      pathTemplate: '/api/discovery.users.list',
      allowedQueryParams: ['limit', 'offset', 'include_deleted'],
      transforms: [
        pseudonymize(['$.users[*].profile.email', '$.users[*].profile.guest_invited_by']),
        // reversible: the caller asks for a user's conversations by this id
        pseudonymize([`$.users[?(@.id${NOT_SLACKBOT})].id`], { includeReversible: true }),
        redact(['$.users[?(@.is_bot != true)].name']),
      ],
      responseSchema: object(`${ENVELOPE} users:[@User]`),
    },
  ],
  definitions: {
    Action: object('ts:s user:s'),
    Attachment: object(''),
    Block: object('block_id:s elements:[@BlockElement] type:s'),
    BlockElement: object('elements:[@BlockElement] type:s user_id:s'),
    BotProfile: object('app_id:s deleted:b id:s name:s team_id:s'),
    Conversation: object(
      'channel_type:s conversation_id:@ConversationId created:i creator:s id:s is_archived:b is_channel:b is_deleted:b is_dm:b is_ext_shared:b is_general:b is_global_shared:b is_group:b is_im:b is_member:b is_moved:i is_mpim:b is_org_default:b is_org_mandatory:b is_org_shared:b is_pending_ext_shared:b is_private:b is_read_only:b is_shared:b locale:s shared:@Shared stub:b unlinked:i',
    ),
    ConversationId: object('id:s workspace_id:@WorkspaceId'),
    Enterprise: object('domain:s email_domain:s id:s is_verified:b teams:[@Team] url:s'),
    File: object('id:s timestamp:i'),
    Message: object(
      'app_id:s attachments:[@Attachment] blocks:[@Block] bot_id:s bot_profile:@BotProfile channel:s client_msg_id:s deleted_ts:s display_as_bot:b edited:@Action event_ts:s files:[@File] inviter:s is_starred:b latest_reply:s parent_user_id:s pinned_to:[s] reactions:[@Reaction] replies:[@Reply] reply_count:i reply_users:[s] reply_users_count:i room:@Room source_team:s subtype:s team:s thread_ts:s ts:s type:s user:s user_team:s',
    ),
    Profile: object('always_active:b api_app_id:s bot_id:s email:s team:s'),
    Reaction: object('count:i name:s users:[s]'),
    Reply: object('parent_user_id:s ts:s user:s'),
    ResponseMetadata: object('next_cursor:s'),
    Room: object(
      'app_id:s call_family:s canvas_thread_ts:s channels:[s] created_by:s date_end:i date_start:i display_id:s external_unique_id:s has_ended:b id:s is_dm_call:b is_scheduled:b media_backend_type:s participant_history:[s] thread_root_ts:s was_accepted:b was_missed:b was_rejected:b',
    ),
    Shared: object('connected_team_ids:[s] internal_team_ids:[s] shared_team_ids:[s]'),
    Team: object('archived:b created:i deleted:b discoverable:s domain:s email_domain:s enterprise_domain:s enterprise_id:s id:s is_enterprise:i is_verified:b url:s'),
    UpdatedConversation: object('conversation_id:@ConversationId id:s team:s ts:s'),
    User: object('deleted:b email:s id:s is_admin:b is_bot:b locale:s name:s profile:@Profile stranger:b team_id:s teams:[s] tz:s tz_label:s tz_offset:i updated:i'),
    UserConversation: object('channel_type:s conversation_id:@ConversationId date_joined:i date_left:i id:s is_ext_shared:b is_im:b is_mpim:b is_private:b is_shared:b team_id:s'),
    WorkspaceId: object('id:s'),
  },
});
