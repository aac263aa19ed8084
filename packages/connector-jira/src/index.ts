/**
 * @psoxy/connector-jira: Jira Cloud through Atlassian's API gateway, with OAuth 2.0 (3LO) and
 * rotating refresh tokens.
 * @module
 */
import { type Connector, type ConnectorConfig, bearerToken, defineConnector, oauth2RefreshToken } from '@psoxy/core';
import { jiraCloudRules, jiraServerRules } from './rules.js';

export { jiraCloudRules, jiraServerRules } from './rules.js';

export const ATLASSIAN_TOKEN_URL = 'https://auth.atlassian.com/oauth/token';
const SCOPES = ['offline_access', 'read:group:jira', 'read:avatar:jira', 'read:user:jira', 'read:jira-user', 'read:jira-work'];

/**
 * Refresh-token grant; Atlassian rotates the refresh token on every refresh, so the new one is
 * written back before the new access token is used, and instances share the access token.
 */
export function jiraCloudAuth(config: ConnectorConfig) {
  return oauth2RefreshToken({
    name: 'jira-cloud',
    tokenUrl: config.settings.REFRESH_ENDPOINT ?? ATLASSIAN_TOKEN_URL,
    clientAuth: 'body',
    sharedTokenSecret: 'ACCESS_TOKEN',
    leaseName: 'OAUTH_REFRESH_TOKEN',
  });
}

export const jiraCloud: Connector = defineConnector({
  id: 'jira-cloud',
  displayName: 'Jira Cloud',
  settings: [
    { name: 'CLIENT_ID', description: 'Client id of the Atlassian OAuth 2.0 (3LO) app.', secret: true, required: true },
    { name: 'CLIENT_SECRET', description: 'Secret of the app.', secret: true, required: true },
    { name: 'REFRESH_TOKEN', description: 'Refresh token from the one-time consent; rotated on every refresh and written back by the proxy.', secret: true, required: true, writable: true },
    { name: 'ACCESS_TOKEN', description: 'The current access token, shared by all instances; written by the proxy.', secret: true, required: false, writable: true },
    { name: 'REFRESH_ENDPOINT', description: 'Token endpoint.', secret: false, required: false, default: ATLASSIAN_TOKEN_URL },
  ],
  docs: {
    grants: SCOPES,
    setup: [
      'In the Atlassian developer console, create an OAuth 2.0 (3LO) integration; under Permissions add the Jira API scopes read:group:jira, read:avatar:jira, read:user:jira, read:jira-user and read:jira-work; set the callback URL to http://localhost.',
      `As a Jira admin, open https://auth.atlassian.com/authorize?audience=api.atlassian.com&client_id=<CLIENT_ID>&scope=${SCOPES.join('%20')}&redirect_uri=http://localhost&state=x&response_type=code&prompt=consent and approve; copy the code from the redirect.`,
      'Exchange it: POST https://auth.atlassian.com/oauth/token {"grant_type":"authorization_code","client_id":...,"client_secret":...,"code":...,"redirect_uri":"http://localhost"}; store refresh_token as REFRESH_TOKEN, with CLIENT_ID and CLIENT_SECRET (PSOXY_JIRA_CLOUD_* in a cloud host). The token family expires after a year at most: repeat yearly.',
      'Give the proxy write access to REFRESH_TOKEN and ACCESS_TOKEN: Atlassian rotates the refresh token on every refresh.',
      'Callers find the cloud id with GET /oauth/token/accessible-resources through the proxy.',
    ],
    exampleCalls: ['/oauth/token/accessible-resources', '/ex/jira/{CLOUD_ID}/rest/api/3/users?maxResults=50', '/ex/jira/{CLOUD_ID}/rest/api/3/search/jql?jql=updated>-30d&maxResults=25', '/ex/jira/{CLOUD_ID}/rest/api/3/issue/{ISSUE_ID}/comment'],
  },
  target: 'https://api.atlassian.com',
  auth: jiraCloudAuth,
  rules: jiraCloudRules,
});

export const jiraServer: Connector = defineConnector({
  id: 'jira-server',
  displayName: 'Jira Server / Data Center',
  settings: [
    {
      name: 'JIRA_SERVER_URL',
      description: 'Base URL of the server, with its context path if any, e.g. https://jira.acme.example/jira (reachable from the proxy); default: TARGET_HOST, as Psoxy sets it.',
      secret: false,
      required: true,
      fromTargetHost: 'url',
    },
    { name: 'ACCESS_TOKEN', description: 'Personal access token of a dedicated read-only user.', secret: true, required: true },
  ],
  docs: {
    grants: ['a user with Browse Projects on the projects to read (read:jira-work if scopes are asked for)'],
    setup: [
      'Create a dedicated Jira user with read access (Browse Projects) to the projects to include.',
      'As that user, Profile > Personal Access Tokens > Create token; give it an expiry you will renew.',
      'Store it as the secret ACCESS_TOKEN (PSOXY_JIRA_SERVER_ACCESS_TOKEN in a cloud host) and set JIRA_SERVER_URL.',
    ],
    exampleCalls: ['/rest/api/2/search?maxResults=25', '/rest/api/2/issue/{ISSUE_ID}/comment?maxResults=25', '/rest/api/latest/project'],
  },
  target: (config) => {
    const url = config.settings.JIRA_SERVER_URL ?? '';
    return /^https?:\/\//.test(url) ? url.replace(/\/+$/, '') : `https://${url.replace(/\/+$/, '')}`;
  },
  auth: () => bearerToken({ secret: 'ACCESS_TOKEN' }),
  rules: jiraServerRules,
});

export const connectors: readonly Connector[] = [jiraCloud, jiraServer];
