import { type EndpointInput, type RestRules, type TransformInput, defineRestRules } from '@psoxy/core';
import { entraEndpoints, pseudonymize, redact, tokenizeOdataLinks } from './shared.js';

const emails = pseudonymize(['$..emailAddress']);
const MESSAGE_REDACTIONS = ['$..user.displayName', '$..body.content', '$..attachments', '$..mentions[*].mentionText', '$..eventDetail.teamDescription', '$..eventDetail.chatDisplayName'];
const MEETING_PARAMS = ['$select', '$top', '$skiptoken', '$filter', '$orderby', '$count', '$expand', '$format', '$search', '$skip'];
const meetingTransforms: TransformInput[] = [
  emails,
  redact(["$..['@odata.context']", '$..displayName', '$..subject', '$..joinInformation', '$..joinMeetingIdSettings.isPasscodeRequired', '$..joinMeetingIdSettings.passcode', '$..upn']),
];
const GUID = '[({]?[a-fA-F0-9]{8}-?(?:[a-fA-F0-9]{4}-?){3}[a-fA-F0-9]{12}[})]?';
const pstnRedactions = ['$..value[*].userPrincipalName', '$..value[*].userDisplayName', '$..value[*].callerNumber', '$..value[*].calleeNumber'];

/**
 * PSEUDONYMIZE_APP_IDS (Psoxy's `msft-teams_no-userIds`): user ids become reversible pseudonyms
 * (callers address users by them), chat ids reversible tokens (callers list a chat's messages by
 * them), paging links stay replayable, and `@odata.context` (which names ids) is dropped.
 */
const noUserIds: TransformInput[] = [
  // every identity's id, as Psoxy's `$..identity.id` (an organizer's as much as an attendee's)
  pseudonymize(['$..user.id', '$..userId', '$..identity.id', '$..associatedIdentity.id'], { includeReversible: true }),
  { method: 'tokenize', jsonPaths: ['$..chatId'] },
  tokenizeOdataLinks,
  redact(["$..['@odata.context']", "$..['@odata.id']"]),
];

/** Microsoft Teams: Psoxy's `msft-teams` rules, and with `noAppIds` its `msft-teams_no-userIds` variant. */
export function teamsRules(noAppIds = false): RestRules {
  const endpoints: EndpointInput[] = [
    { pathTemplate: '/v1.0/teams', allowedQueryParams: ['$select', '$top', '$skiptoken', '$filter', '$count'], transforms: [emails, redact(['$..displayName', '$..description'])] },
    { pathTemplate: '/v1.0/teams/{teamId}/allChannels', allowedQueryParams: ['$select', '$filter'], transforms: [emails, redact(['$..displayName', '$..description'])] },
    {
      pathTemplate: '/v1.0/users/{userId}/chats',
      allowedQueryParams: ['$select', '$top', '$skiptoken', '$filter', '$orderby', '$expand'],
      allowedRequestHeaders: ['ConsistencyLevel'],
      transforms: [emails, redact(['$..displayName', '$..description', '$..topic', "$..['lastMessagePreview@odata.context']", ...MESSAGE_REDACTIONS])],
    },
    {
      pathTemplate: '/v1.0/teams/{teamId}/channels/{channelId}/messages',
      allowedQueryParams: ['$select', '$top', '$skiptoken', '$expand'],
      transforms: [emails, redact(MESSAGE_REDACTIONS)],
    },
    {
      pathTemplate: '/v1.0/teams/{teamId}/channels/{channelId}/messages/delta',
      allowedQueryParams: ['$select', '$top', '$skiptoken', '$expand', '$deltatoken', '$filter'],
      transforms: [emails, redact(MESSAGE_REDACTIONS)],
    },
    { pathTemplate: '/v1.0/chats/{chatId}/messages', allowedQueryParams: MEETING_PARAMS, transforms: [emails, redact(MESSAGE_REDACTIONS)] },
    { pathTemplate: '/v1.0/communications/calls/{callId}', allowedQueryParams: ['$select', '$top', '$expand'], transforms: [emails, redact(['$..displayName'])] },
    {
      // by hand, as Psoxy: a {callChainId} template would also take the getPstnCalls(...) functions
      pathRegex: `^/v1.0/communications/callRecords(/(?<callChainId>${GUID}))?(?<queryParameters>[a-zA-Z0-9\\s\\$\\=\\?\\(\\)]*)`,
      allowedQueryParams: ['$select', '$expand', '$filter'],
      transforms: [
        emails,
        redact([
          '$..user.displayName', '$..reflexiveIPAddress', '$..relayIPAddress', '$..ipAddress', '$..subnet', '$..macAddress', '$..caller.name',
          '$..callee.name', '$..captureDeviceName', '$..renderDeviceName', '$..organizer_v2.id', '$..participants_v2[*].id', '$..phone',
          "$..['organizer_v2@odata.context']",
          // not in Psoxy's rules: Graph added `associatedIdentity` to participant endpoints since
          '$..associatedIdentity.displayName',
        ]),
        pseudonymize(['$..associatedIdentity.userPrincipalName']),
      ],
    },
    {
      pathTemplate: '/v1.0/communications/callRecords/getDirectRoutingCalls(fromDateTime={startDate},toDateTime={endDate})',
      allowedQueryParams: ['$skip'],
      transforms: [emails, redact(pstnRedactions)],
    },
    {
      pathTemplate: '/v1.0/communications/callRecords/getPstnCalls(fromDateTime={startDate},toDateTime={endDate})',
      allowedQueryParams: ['$skip'],
      transforms: [emails, redact(pstnRedactions), { method: 'tokenize', jsonPaths: ['$..callId'] }],
    },
    { pathTemplate: '/v1.0/users/{userId}/onlineMeetings', allowedQueryParams: MEETING_PARAMS, transforms: meetingTransforms },
    { pathTemplate: '/v1.0/users/{userId}/onlineMeetings/{meetingId}/attendanceReports', allowedQueryParams: MEETING_PARAMS, transforms: meetingTransforms },
    { pathTemplate: '/v1.0/users/{userId}/onlineMeetings/{meetingId}/attendanceReports/{reportId}', allowedQueryParams: MEETING_PARAMS, transforms: meetingTransforms },
    ...entraEndpoints(noAppIds, { groups: false }),
  ];
  if (noAppIds) {
    for (const e of endpoints) {
      if (e.pathRegex?.startsWith('^/v1.0/users')) continue;
      const extra = e.pathTemplate === '/v1.0/users/{userId}/chats' ? [{ method: 'tokenize' as const, jsonPaths: ['$.value[*].id'] }] : [];
      e.transforms = [...(e.transforms ?? []), ...noUserIds, ...extra];
    }
  }
  return defineRestRules({ endpoints });
}
