import { type Connector, type ConnectorConfig, type ConnectorSetting, type RestRules, defineConnector } from '@psoxy/core';
import { googleServiceAccountAuth } from './auth.js';
import { gcalRules } from './rules/gcal.js';
import { gdirectoryRules } from './rules/gdirectory.js';
import { gdriveRules } from './rules/gdrive.js';
import { gmailRules } from './rules/gmail.js';
import { googleChatRules, googleMeetRules } from './rules/reports.js';

const SCOPE = 'https://www.googleapis.com/auth/';

const setupSteps = (api: string, admin: boolean, scopes: readonly string[]) => [
  `In a Google Cloud project, enable the ${api} and create a service account; download a JSON key for it.`,
  `In the Workspace Admin console (Security > Access and data control > API controls > Domain-wide delegation), add the service account's client id with the scopes: ${scopes.join(',')}`,
  admin
    ? 'Create (or choose) a Workspace user for the connection, e.g. svc-worklytics@your-domain, with a read-only admin role covering users, groups, org units, domains and reports; set USER_TO_IMPERSONATE to it (or have callers send X-Psoxy-User-To-Impersonate).'
    : 'Callers name the account whose data they read in the X-Psoxy-User-To-Impersonate header (a reversible pseudonym is decrypted first); USER_TO_IMPERSONATE sets a default.',
  'Store the key JSON (or base64 of it) as the secret SERVICE_ACCOUNT_KEY (PSOXY_<CONNECTOR>_SERVICE_ACCOUNT_KEY in a cloud host).',
];

interface GoogleSource {
  id: string;
  displayName: string;
  host: string;
  api: string;
  scopes: string[];
  admin: boolean;
  rules: RestRules | ((pseudonymizeAppIds: boolean) => RestRules);
  exampleCalls: string[];
}

function googleConnector(s: GoogleSource): Connector {
  const settings: ConnectorSetting[] = [
    { name: 'SERVICE_ACCOUNT_KEY', description: 'JSON key of the service account with domain-wide delegation (raw JSON or base64).', secret: true, required: true },
    { name: 'OAUTH_SCOPES', description: 'Space-separated OAuth scopes delegated to the service account.', secret: false, required: false, default: s.scopes.join(' ') },
    {
      name: 'USER_TO_IMPERSONATE',
      description: s.admin ? 'Admin user the connector acts as (read-only admin role).' : 'User to act as when a caller sends no X-Psoxy-User-To-Impersonate header.',
      secret: false,
      required: false,
    },
  ];
  const { rules } = s;
  return defineConnector({
    id: s.id,
    displayName: s.displayName,
    settings,
    docs: { grants: s.scopes, setup: setupSteps(s.api, s.admin, s.scopes), exampleCalls: s.exampleCalls },
    target: `https://${s.host}`,
    auth: (config: ConnectorConfig) =>
      googleServiceAccountAuth({
        scopes: (config.settings.OAUTH_SCOPES ?? s.scopes.join(' ')).split(/\s+/).filter((x) => x !== ''),
        defaultSubject: config.settings.USER_TO_IMPERSONATE,
      }),
    rules: typeof rules === 'function' ? (config: ConnectorConfig) => rules(config.pseudonymizeAppIds) : rules,
  });
}

export const gcal = googleConnector({
  id: 'gcal',
  displayName: 'Google Calendar',
  host: 'www.googleapis.com',
  api: 'Google Calendar API (calendar-json.googleapis.com)',
  scopes: [`${SCOPE}calendar.readonly`],
  admin: false,
  rules: gcalRules,
  exampleCalls: ['/calendar/v3/calendars/primary', '/calendar/v3/users/me/settings', '/calendar/v3/users/me/calendarList', '/calendar/v3/calendars/primary/events?maxResults=10'],
});

export const gdirectory = googleConnector({
  id: 'gdirectory',
  displayName: 'Google Directory',
  host: 'admin.googleapis.com',
  api: 'Admin SDK API (admin.googleapis.com)',
  scopes: ['admin.directory.user.readonly', 'admin.directory.domain.readonly', 'admin.directory.group.readonly', 'admin.directory.orgunit.readonly'].map((x) => SCOPE + x),
  admin: true,
  rules: gdirectoryRules,
  exampleCalls: [
    '/admin/directory/v1/users?customer=my_customer&maxResults=10',
    '/admin/directory/v1/groups?customer=my_customer&maxResults=10',
    '/admin/directory/v1/customer/my_customer/domains',
    '/admin/directory/v1/customer/my_customer/orgunits?maxResults=10',
  ],
});

export const gdrive = googleConnector({
  id: 'gdrive',
  displayName: 'Google Drive',
  host: 'www.googleapis.com',
  api: 'Google Drive API (drive.googleapis.com)',
  scopes: [`${SCOPE}drive.metadata.readonly`],
  admin: false,
  rules: gdriveRules,
  exampleCalls: ['/drive/v2/files', '/drive/v3/files', '/drive/v3/files/{FILE_ID}/permissions', '/drive/v3/files/{FILE_ID}/revisions'],
});

export const gmail = googleConnector({
  id: 'gmail',
  displayName: 'Gmail (metadata)',
  host: 'www.googleapis.com',
  api: 'Gmail API (gmail.googleapis.com)',
  scopes: [`${SCOPE}gmail.metadata`],
  admin: false,
  rules: gmailRules,
  exampleCalls: ['/gmail/v1/users/me/messages?maxResults=5&labelIds=SENT', '/gmail/v1/users/me/messages/{MESSAGE_ID}?format=metadata'],
});

export const googleChat = googleConnector({
  id: 'google-chat',
  displayName: 'Google Chat (audit activity)',
  host: 'admin.googleapis.com',
  api: 'Admin SDK API (admin.googleapis.com)',
  scopes: [`${SCOPE}admin.reports.audit.readonly`],
  admin: true,
  rules: googleChatRules,
  exampleCalls: ['/admin/reports/v1/activity/users/all/applications/chat?maxResults=10'],
});

export const googleMeet = googleConnector({
  id: 'google-meet',
  displayName: 'Google Meet (audit activity)',
  host: 'admin.googleapis.com',
  api: 'Admin SDK API (admin.googleapis.com)',
  scopes: [`${SCOPE}admin.reports.audit.readonly`],
  admin: true,
  rules: googleMeetRules,
  exampleCalls: ['/admin/reports/v1/activity/users/all/applications/meet?maxResults=10'],
});

/** Every connector of this package. */
export const connectors: readonly Connector[] = [gcal, gdirectory, gdrive, gmail, googleChat, googleMeet];
