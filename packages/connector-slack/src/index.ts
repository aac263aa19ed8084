/**
 * @psoxy/connector-slack: Slack through the Discovery API, with an Enterprise Grid user token, and
 * through the Analytics API (admin.analytics.*) with an org admin's token.
 * @module
 */
import { type Connector, bearerToken, defineConnector } from '@psoxy/core';
import { slackAnalyticsRules } from './analytics.js';
import { slackDiscoveryBulkRules } from './bulk.js';
import { slackDiscoveryRules } from './rules.js';

export { slackDiscoveryRules } from './rules.js';
export { slackDiscoveryBulkRules } from './bulk.js';
export { slackAnalyticsRules } from './analytics.js';

export const slackDiscoveryApi: Connector = defineConnector({
  id: 'slack-discovery-api',
  sourceKind: 'slack',
  displayName: 'Slack (Discovery API)',
  settings: [
    { name: 'ACCESS_TOKEN', description: 'User OAuth token (xoxp-...) of the app installed on the organization, with the discovery:read scope.', secret: true, required: true },
  ],
  docs: {
    grants: ['discovery:read (user token scope, enabled for the app by Slack on request)', 'one bot scope such as users:read (needed only to install the app on the organization)'],
    setup: [
      'Create a Slack app (api.slack.com/apps) on the Enterprise Grid organization and note its App ID.',
      'Ask your Slack account team to enable the discovery:read scope for that App ID (decline discovery:write if offered).',
      'Add a bot scope such as users:read, opt in to org-level apps, and add the redirect URL https://api.slack.com/api/oauth.v2.access?client_id=<CLIENT_ID>; then "Install to Organization".',
      'Copy the User OAuth Token (xoxp-...) and store it as the secret ACCESS_TOKEN (PSOXY_SLACK_DISCOVERY_API_ACCESS_TOKEN in a cloud host).',
    ],
    exampleCalls: [
      '/api/discovery.enterprise.info?include_deleted=false&limit=5',
      '/api/discovery.conversations.list?limit=10',
      '/api/discovery.conversations.history?reactions=1&team={WORKSPACE_ID}&channel={CHANNEL_ID}&limit=10',
      '/api/discovery.users.list?limit=5',
    ],
  },
  target: 'https://www.slack.com',
  auth: () => bearerToken({ secret: 'ACCESS_TOKEN' }),
  rules: slackDiscoveryRules,
  bulkRules: slackDiscoveryBulkRules,
});

export const slackAnalytics: Connector = defineConnector({
  id: 'slack-analytics',
  displayName: 'Slack (Analytics API)',
  settings: [
    { name: 'ACCESS_TOKEN', description: 'User OAuth token (xoxp-...) of an org owner or admin, with the admin.analytics:read scope.', secret: true, required: true },
  ],
  docs: {
    grants: ['admin.analytics:read (user token scope, granted by an org owner or admin)', 'one bot scope such as users:read (needed only to install the app on the organization)'],
    setup: [
      'Create a Slack app (api.slack.com/apps) on the organization, with the user token scope admin.analytics:read.',
      'As an org owner or admin, install it on the organization ("Install to Organization").',
      'Copy the User OAuth Token (xoxp-...) and store it as the secret ACCESS_TOKEN (PSOXY_SLACK_ANALYTICS_ACCESS_TOKEN in a cloud host).',
      'Set FOLLOW_REDIRECTS=false, as Psoxy does for this source: a redirect is then answered as such rather than followed.',
      'As Psoxy deploys it, enable the asynchronous mode (ASYNC_OUTPUT_DESTINATION and the host\'s queue, see the host README): getFile is then called with Prefer: respond-async, and the download Slack redirects to is fetched (without the token) and sanitized into ASYNC_OUTPUT_DESTINATION.',
    ],
    exampleCalls: [
      '/api/admin.analytics.getFile?type=member&date=2024-04-07',
      '/api/admin.analytics.messages.metadata?channel={CHANNEL_ID}&limit=100',
      '/api/admin.analytics.messages.activity?channel={CHANNEL_ID}&limit=50',
    ],
  },
  target: 'https://www.slack.com',
  auth: () => bearerToken({ secret: 'ACCESS_TOKEN' }),
  rules: slackAnalyticsRules,
});

export const connectors: readonly Connector[] = [slackDiscoveryApi, slackAnalytics];
