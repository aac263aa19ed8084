import { type RestRules, defineRestRules, rulesOnFirstUse } from '@psoxy/core';
import { pseudonymize, redact } from './shared.js';

const PARAMS = '$.items[*].events[*].parameters';
const named = (names: string[]) => `[?(@.name in [${names.map((n) => `'${n}'`).join(', ')}])]`;
const notNamed = (names: string[]) => `[?(@.name nin [${names.map((n) => `'${n}'`).join(', ')}])]`;

/** Admin SDK Reports activity for one application, with the parameters Psoxy keeps. */
function activityRules(application: string, pseudonymized: string[], kept: string[]): RestRules {
  return defineRestRules({
    endpoints: [
      {
        pathTemplate: `/admin/reports/v1/activity/users/all/applications/${application}`,
        transforms: [
          pseudonymize(['$..email', ...(application === 'chat' ? ['$..userEmail'] : []), `${PARAMS}${named(pseudonymized)}.value`]),
          { method: 'hashIp', jsonPaths: ['$.items[*].ipAddress', `${PARAMS}${named(['ip_address'])}.value`] },
          redact([`${PARAMS}${notNamed(kept)}`]),
        ],
      },
    ],
  });
}

/** Google Chat audit activity: Psoxy's `google-chat` rules. */
export const googleChatRules = rulesOnFirstUse(() => activityRules('chat', ['actor'], ['actor', 'room_id', 'timestamp_ms', 'message_id', 'room_name', 'ip_address']));

/** Google Meet audit activity: Psoxy's `google-meet` rules. */
export const googleMeetRules = rulesOnFirstUse(() =>
  activityRules(
    'meet',
    ['organizer_email', 'identifier'],
    [
      'organizer_email', 'identifier', 'identifier_type', 'location_country', 'location_region', 'ip_address', 'is_external',
      'product_type', 'device_type', 'duration_seconds', 'video_send_seconds', 'video_recv_seconds', 'screencast_send_seconds',
      'screencast_recv_seconds', 'audio_send_seconds', 'audio_recv_seconds', 'calendar_event_id', 'endpoint_id', 'meeting_code',
      'conference_id',
    ],
  ),
);
