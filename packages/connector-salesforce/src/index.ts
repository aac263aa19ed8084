/**
 * @psoxy/connector-salesforce: Salesforce through an app with the OAuth 2.0 client credentials
 * flow (a run-as user); the token is shared across instances under a lease.
 * @module
 */
import { type Connector, type ConnectorConfig, defineConnector, oauth2ClientCredentials } from '@psoxy/core';
import { salesforceRules } from './rules.js';

export { salesforceRules } from './rules.js';

/** Client credentials (secret in the body). Salesforce sends no expires_in: one hour is assumed, as Psoxy does. */
export function salesforceAuth(config: ConnectorConfig) {
  return oauth2ClientCredentials({
    name: 'salesforce',
    tokenUrl: config.settings.REFRESH_ENDPOINT ?? `https://${config.settings.SALESFORCE_DOMAIN}/services/oauth2/token`,
    clientAuth: 'body',
    sharedTokenSecret: 'ACCESS_TOKEN',
    leaseName: 'OAUTH_REFRESH_TOKEN',
  });
}

export const salesforce: Connector = defineConnector({
  id: 'salesforce',
  displayName: 'Salesforce',
  settings: [
    {
      name: 'SALESFORCE_DOMAIN',
      description: "The org's My Domain host, e.g. acme.my.salesforce.com (the API and the token endpoint); default: the host of TARGET_HOST, as Psoxy sets it.",
      secret: false,
      required: true,
      fromTargetHost: 'host',
    },
    { name: 'CLIENT_ID', description: 'Consumer key of the app.', secret: true, required: true },
    { name: 'CLIENT_SECRET', description: 'Consumer secret of the app.', secret: true, required: true },
    { name: 'ACCESS_TOKEN', description: 'The current access token, shared by all instances; written by the proxy.', secret: true, required: false, writable: true },
    { name: 'REFRESH_ENDPOINT', description: 'Token endpoint (default https://<SALESFORCE_DOMAIN>/services/oauth2/token).', secret: false, required: false },
  ],
  docs: {
    grants: ['OAuth scopes on the app: api, chatter_api, refresh_token/offline_access, content, cdp_query_api', 'run-as user: a Salesforce licence and a permission set with Access Activities and View All Users'],
    setup: [
      'Create an External Client App (or Connected App) with OAuth enabled, the scopes api, chatter_api, refresh_token/offline_access, content and cdp_query_api, and "Enable Client Credentials Flow".',
      'Choose the run-as user: it needs a licence and a permission set granting Access Activities and View All Users.',
      'Store the consumer key and secret as CLIENT_ID and CLIENT_SECRET (PSOXY_SALESFORCE_* in a cloud host), set SALESFORCE_DOMAIN, and give the proxy write access to ACCESS_TOKEN.',
    ],
    exampleCalls: [
      '/services/data/v64.0/sobjects/Account/describe',
      "/services/data/v64.0/query?q=SELECT+Id,Email,IsActive+FROM+User+WHERE+LastModifiedDate+%3E%3D+2024-01-01T00:00:00Z",
      '/services/data/v64.0/queryAll?q=SELECT+Id,AccountId,WhoId+FROM+Task+WHERE+LastModifiedDate+%3E%3D+2024-01-01T00:00:00Z',
    ],
  },
  target: (config) => `https://${config.settings.SALESFORCE_DOMAIN}`,
  auth: salesforceAuth,
  rules: salesforceRules,
});

export const connectors: readonly Connector[] = [salesforce];
