/**
 * @psoxy/connector-slack: Slack through the Discovery API, with an Enterprise Grid user token.
 * @module
 */
import { type Connector, bearerToken, defineConnector } from '@psoxy/core';
import { slackDiscoveryBulkRules } from './bulk.js';
import { slackDiscoveryRules } from './rules.js';

export { slackDiscoveryRules } from './rules.js';
export { slackDiscoveryBulkRules } from './bulk.js';

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

export const connectors: readonly Connector[] = [slackDiscoveryApi];
