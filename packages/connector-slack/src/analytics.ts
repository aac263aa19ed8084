import { type RestRules, defineRestRules, pseudonymizeAt as pseudonymize, redactAt as redact } from '@psoxy/core';

const MESSAGE_PARAMS = ['channel', 'oldest_ts', 'latest_ts', 'cursor', 'limit'];

/**
 * Slack Analytics (admin.analytics.*): Psoxy's `slack-analytics` rules. `getFile` answers a gzipped
 * NDJSON file (one member or conversation per line; the proxy decompresses `application/gzip` and
 * sanitizes each line); the messages endpoints answer JSON.
 */
export const slackAnalyticsRules: RestRules = defineRestRules({
  endpoints: [
    {
      pathTemplate: '/api/admin.analytics.getFile',
      allowedMethods: ['GET'],
      allowedQueryParams: ['type', 'date', 'metadata_only'],
      transforms: [pseudonymize(['$.user_id', '$.email_address']), redact(['$.topic', '$.name', '$.description'])],
    },
    {
      pathTemplate: '/api/admin.analytics.messages.metadata',
      allowedMethods: ['GET'],
      allowedQueryParams: MESSAGE_PARAMS,
      transforms: [pseudonymize(["$.messages[?(@.user_id!='USLACKBOT')].user_id"])],
    },
    // counts per channel and day: nothing personal to transform
    { pathTemplate: '/api/admin.analytics.messages.activity', allowedMethods: ['GET'], allowedQueryParams: MESSAGE_PARAMS },
  ],
});
