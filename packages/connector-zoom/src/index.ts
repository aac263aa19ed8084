/**
 * @psoxy/connector-zoom: Zoom, through a Server-to-Server OAuth app (account credentials). Zoom
 * allows one live token per app, so instances share it through the secret store, under a lease.
 * @module
 */
import { type Connector, type ConnectorConfig, defineConnector, oauth2ClientCredentials } from '@psoxy/core';
import { zoomRules } from './rules.js';

export { zoomRules } from './rules.js';

export const ZOOM_TOKEN_URL = 'https://zoom.us/oauth/token';

const SCOPES = [
  'meeting:read:past_meeting:admin', 'meeting:read:meeting:admin', 'meeting:read:list_past_participants:admin', 'meeting:read:list_past_instances:admin',
  'meeting:read:list_meetings:admin', 'meeting:read:participant:admin', 'meeting:read:summary:admin', 'cloud_recording:read:list_user_recordings:admin',
  'report:read:list_meeting_participants:admin', 'report:read:meeting:admin', 'report:read:user:admin', 'user:read:user:admin', 'user:read:list_users:admin',
  'user:read:settings:admin',
];

/** Zoom's account-credentials grant (Basic client auth), with the token shared across instances. */
export function zoomAuth(config: ConnectorConfig) {
  return oauth2ClientCredentials({
    name: 'zoom',
    tokenUrl: config.settings.REFRESH_ENDPOINT ?? ZOOM_TOKEN_URL,
    grantType: 'account_credentials',
    clientAuth: 'basic',
    secretParams: { account_id: 'ACCOUNT_ID' },
    sharedTokenSecret: (config.settings.USE_SHARED_TOKEN ?? 'true').toLowerCase() === 'false' ? undefined : 'ACCESS_TOKEN',
    leaseName: 'OAUTH_REFRESH_TOKEN',
  });
}

export const zoom: Connector = defineConnector({
  id: 'zoom',
  displayName: 'Zoom',
  settings: [
    { name: 'CLIENT_ID', description: 'Client id of the Server-to-Server OAuth app (not sensitive; environment or secret store).', secret: true, required: true },
    { name: 'CLIENT_SECRET', description: 'Client secret of the app.', secret: true, required: true },
    { name: 'ACCOUNT_ID', description: 'Zoom account id of the app (not sensitive; environment or secret store).', secret: true, required: true },
    { name: 'ACCESS_TOKEN', description: 'The current access token, shared by all instances ({"token","expirationDate"}); written by the proxy.', secret: true, required: false, writable: true },
    { name: 'REFRESH_ENDPOINT', description: 'Token endpoint.', secret: false, required: false, default: ZOOM_TOKEN_URL },
    { name: 'USE_SHARED_TOKEN', description: 'Share the access token between instances through ACCESS_TOKEN (Zoom revokes a token when another is issued).', secret: false, required: false, default: 'true' },
  ],
  docs: {
    grants: SCOPES,
    setup: [
      'In the Zoom App Marketplace (as an account admin), Develop > Build App > Server-to-Server OAuth app; name it, e.g. "Psoxy".',
      `Add the scopes: ${SCOPES.join(', ')}; activate the app. A Pro (or higher) plan is needed for reports and past participants.`,
      'Store the app credentials as the secrets CLIENT_ID, CLIENT_SECRET and ACCOUNT_ID (PSOXY_ZOOM_* in a cloud host); give the proxy write access to ACCESS_TOKEN, which it keeps the shared token in.',
    ],
    exampleCalls: ['/v2/users', '/v2/users/{USER_ID}/meetings', '/v2/report/users/{USER_ID}/meetings', '/v2/past_meetings/{MEETING_ID}', '/v2/past_meetings/{MEETING_ID}/participants'],
  },
  target: 'https://api.zoom.us',
  auth: zoomAuth,
  rules: zoomRules,
});

export const connectors: readonly Connector[] = [zoom];
