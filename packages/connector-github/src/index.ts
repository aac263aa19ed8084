/**
 * @psoxy/connector-github: GitHub Enterprise Cloud (`github`), Free/Pro/Team
 * (`github-non-enterprise`) and Enterprise Server (`github-enterprise-server`).
 * @module
 */
import { type Connector, ConfigError, type ConnectorConfig, type ConnectorSetting, defineConnector, oauth2RefreshToken, rulesOnFirstUse } from '@psoxy/core';
import { githubAppAuth } from './auth.js';
import { githubRules } from './rules.js';

export { githubRules, type GitHubRulesOptions } from './rules.js';
export { githubAppAuth, githubInstallationGrant } from './auth.js';

const INSTALLATION_URL = /^(https?:\/\/[^/]+(?:\/api\/v3)?)\/app\/installations\/(\d+)\/access_tokens$/;

/** The installation id and API base from GITHUB_INSTALLATION_ID, or from Psoxy's REFRESH_ENDPOINT. */
function installation(config: ConnectorConfig): { apiBaseUrl: string; installationId: string } {
  const s = config.settings;
  const m = s.REFRESH_ENDPOINT ? INSTALLATION_URL.exec(s.REFRESH_ENDPOINT) : null;
  if (s.REFRESH_ENDPOINT && !m) throw new ConfigError([`REFRESH_ENDPOINT must look like https://api.github.com/app/installations/<id>/access_tokens, not ${s.REFRESH_ENDPOINT}`]);
  const installationId = s.GITHUB_INSTALLATION_ID ?? m?.[2];
  if (!installationId || !/^\d+$/.test(installationId)) throw new ConfigError(['GITHUB_INSTALLATION_ID is required: the number at the end of the App installation URL (github.com/organizations/<org>/settings/installations/<id>)']);
  return { apiBaseUrl: m?.[1] ?? 'https://api.github.com', installationId };
}

const APP_SETTINGS: ConnectorSetting[] = [
  { name: 'CLIENT_ID', description: "The GitHub App's client id (or numeric app id), not the installation id.", secret: true, required: true },
  { name: 'PRIVATE_KEY', description: "A private key of the App (PEM as downloaded, or base64 of it).", secret: true, required: true },
  { name: 'GITHUB_INSTALLATION_ID', description: 'Id of the App installation on the organization.', secret: false, required: false },
  { name: 'REFRESH_ENDPOINT', description: "Psoxy's form of the installation: https://api.github.com/app/installations/<id>/access_tokens.", secret: false, required: false },
  { name: 'ACCESS_TOKEN', description: 'The current installation token, shared by all instances; written by the proxy.', secret: true, required: false, writable: true },
];

const appSetup = (permissions: string) => [
  'In the organization settings, Developer settings > GitHub Apps > New GitHub App: no webhook, "Only on this account".',
  `Grant read-only permissions: ${permissions}.`,
  'Install the App on the organization; note the installation id at the end of the installation page URL; set GITHUB_INSTALLATION_ID.',
  'Generate a private key; store it as PRIVATE_KEY and the App client id as CLIENT_ID (PSOXY_<CONNECTOR>_* in a cloud host); give the proxy write access to ACCESS_TOKEN.',
];

function githubCloud(id: string, displayName: string, enterprise: boolean, permissions: string): Connector {
  return defineConnector({
    id,
    displayName,
    settings: APP_SETTINGS,
    docs: {
      grants: permissions.split(', '),
      setup: appSetup(permissions),
      exampleCalls: ['/orgs/{ORG}/members', '/orgs/{ORG}/repos', '/repos/{ORG}/{REPO}/pulls?state=all', '/repos/{ORG}/{REPO}/commits', '/graphql'],
    },
    target: 'https://api.github.com',
    auth: (config) => githubAppAuth({ ...installation(config), name: id }),
    rules: rulesOnFirstUse(() => githubRules({ enterprise })),
  });
}

export const github = githubCloud(
  'github',
  'GitHub Enterprise Cloud',
  true,
  'Repository: Contents, Issues, Metadata, Pull requests; Organization: Administration, Members',
);
export const githubNonEnterprise = githubCloud('github-non-enterprise', 'GitHub (Free, Pro, Team)', false, 'Repository: Contents, Issues, Metadata, Pull requests; Organization: Members');

export const githubEnterpriseServer: Connector = defineConnector({
  id: 'github-enterprise-server',
  displayName: 'GitHub Enterprise Server',
  settings: [
    {
      name: 'GITHUB_ENTERPRISE_SERVER_HOST',
      description: 'Host of the server, e.g. github.your-company.com (reachable from the proxy); default: the host of TARGET_HOST, as Psoxy sets it.',
      secret: false,
      required: true,
      fromTargetHost: 'host',
    },
    { name: 'CLIENT_ID', description: "The GitHub App's client id.", secret: true, required: true },
    { name: 'CLIENT_SECRET', description: "A client secret of the App.", secret: true, required: true },
    { name: 'REFRESH_TOKEN', description: 'Refresh token of the App user token; rotated on every refresh and written back by the proxy.', secret: true, required: true, writable: true },
    { name: 'ACCESS_TOKEN', description: 'The current access token, shared by all instances; written by the proxy.', secret: true, required: false, writable: true },
    { name: 'REFRESH_ENDPOINT', description: 'Token endpoint (default https://<GITHUB_ENTERPRISE_SERVER_HOST>/login/oauth/access_token).', secret: false, required: false },
  ],
  docs: {
    grants: ['Repository: Contents, Issues, Metadata, Pull requests', 'Organization: Administration, Members', '"Expire user authorization tokens" enabled'],
    setup: [
      'On the server, create a GitHub App (read-only: Repository Contents, Issues, Metadata, Pull requests; Organization Administration, Members) with "Expire user authorization tokens" on and callback http://localhost; install it on the organization.',
      'As an organization owner, open https://<host>/login/oauth/authorize?client_id=<CLIENT_ID>, approve, and copy the code from the redirect.',
      'POST https://<host>/login/oauth/access_token?client_id=...&client_secret=...&code=... with Accept: application/json; store refresh_token as REFRESH_TOKEN, with CLIENT_ID and CLIENT_SECRET; give the proxy write access to REFRESH_TOKEN and ACCESS_TOKEN.',
      'Set GITHUB_ENTERPRISE_SERVER_HOST.',
    ],
    exampleCalls: ['/api/v3/orgs/{ORG}/members', '/api/v3/repos/{ORG}/{REPO}/pulls', '/api/graphql'],
  },
  target: (config) => `https://${config.settings.GITHUB_ENTERPRISE_SERVER_HOST}`,
  auth: (config) =>
    oauth2RefreshToken({
      name: 'github-enterprise-server',
      tokenUrl: config.settings.REFRESH_ENDPOINT ?? `https://${config.settings.GITHUB_ENTERPRISE_SERVER_HOST}/login/oauth/access_token`,
      clientAuth: 'body',
      sharedTokenSecret: 'ACCESS_TOKEN',
      leaseName: 'OAUTH_REFRESH_TOKEN',
    }),
  rules: rulesOnFirstUse(() => githubRules({ enterprise: true, server: true })),
});

export const connectors: readonly Connector[] = [github, githubNonEnterprise, githubEnterpriseServer];
