import { type AuthStrategy, type Connector, type ConnectorConfig, type ConnectorSetting, ConfigError, type RestRules, defineConnector } from '@psoxy/core';
import { GRAPH_SCOPE, type EntraCredential, fileIdentityToken, gcpMetadataIdentityToken, hostIdentityToken, entraClientCredentials } from './auth.js';
import { entraIdRules } from './rules/entra-id.js';
import { outlookCalendarRules, outlookMailRules } from './rules/outlook.js';
import { teamsRules } from './rules/teams.js';

const SETTINGS: ConnectorSetting[] = [
  { name: 'CLIENT_ID', description: 'Application (client) id of the Entra app registration.', secret: false, required: true },
  { name: 'TENANT_ID', description: "Directory (tenant) id; may instead be read from REFRESH_ENDPOINT's path.", secret: false, required: false },
  { name: 'REFRESH_ENDPOINT', description: 'Token endpoint (default https://login.microsoftonline.com/<TENANT_ID>/oauth2/v2.0/token).', secret: false, required: false },
  { name: 'TOKEN_SCOPE', description: 'Scope requested with the client credentials.', secret: false, required: false, default: GRAPH_SCOPE },
  {
    name: 'GRANT_TYPE',
    description: "Psoxy's grant: workload_identity_federation (its default deployment: the federated flow) or client_credentials (a certificate, unless CREDENTIALS_FLOW says client_secret).",
    secret: false,
    required: false,
  },
  {
    name: 'CREDENTIALS_FLOW',
    description:
      'How the app proves its identity: federated (workload identity, no secret; the default), jwt_assertion (certificate in PRIVATE_KEY/PRIVATE_KEY_ID; the default with GRANT_TYPE=client_credentials, as in Psoxy) or client_secret (CLIENT_SECRET).',
    secret: false,
    required: false,
  },
  {
    name: 'FEDERATED_TOKEN_SOURCE',
    description: 'federated flow: where the identity token comes from: aws-cognito (the Lambda host\'s Cognito developer identity, as Psoxy; default when IDENTITY_POOL_ID is set), gcp-metadata (a GCP function service account; otherwise the default) or file (FEDERATED_TOKEN_FILE).',
    secret: false,
    required: false,
  },
  { name: 'IDENTITY_POOL_ID', description: 'federated flow on AWS: the Cognito identity pool whose developer identity Entra trusts (its id is the federated credential\'s audience).', secret: false, required: false },
  { name: 'IDENTITY_ID', description: 'federated flow on AWS: the Cognito identity id (the federated credential\'s subject).', secret: false, required: false },
  { name: 'DEVELOPER_NAME_ID', description: 'federated flow on AWS: the developer provider name of the pool (Psoxy: <environment>-azure-access); the login is CLIENT_ID.', secret: false, required: false },
  { name: 'FEDERATED_TOKEN_FILE', description: 'federated flow, file source: path of the projected identity token.', secret: false, required: false },
  { name: 'AUDIENCE', description: 'federated flow, gcp-metadata source: audience of the identity token.', secret: false, required: false, default: 'api://AzureADTokenExchange' },
  { name: 'GCE_METADATA_HOST', description: 'federated flow, gcp-metadata source: metadata server host (default metadata.google.internal).', secret: false, required: false },
  { name: 'CLIENT_SECRET', description: 'client_secret flow: a client secret of the app registration.', secret: true, required: false },
  { name: 'PRIVATE_KEY', description: 'jwt_assertion flow: PEM private key of the certificate registered on the app.', secret: true, required: false },
  { name: 'PRIVATE_KEY_ID', description: 'jwt_assertion flow: SHA-1 thumbprint (hex) of that certificate.', secret: true, required: false },
];

const TENANT_IN_ENDPOINT = /^https:\/\/[^/]+\/([^/]+)\/oauth2\/v2\.0\/token\/?$/;

/** The Entra ID strategy a configuration asks for, or every problem with it at once. */
export function microsoftAuth(config: ConnectorConfig): AuthStrategy {
  const s = config.settings;
  const problems: string[] = [];
  const endpoint = s.REFRESH_ENDPOINT;
  const tenantId = s.TENANT_ID ?? (endpoint ? TENANT_IN_ENDPOINT.exec(endpoint)?.[1] : undefined);
  if (!tenantId) problems.push('TENANT_ID is required (or a REFRESH_ENDPOINT of the form https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)');
  // as Psoxy: GRANT_TYPE=client_credentials without a CREDENTIALS_FLOW means the certificate flow
  const flow = (s.CREDENTIALS_FLOW ?? (s.GRANT_TYPE?.toLowerCase() === 'client_credentials' ? 'jwt_assertion' : 'federated')).toLowerCase();
  let credential: EntraCredential | undefined;
  if (flow === 'client_secret') credential = { kind: 'secret' };
  else if (flow === 'jwt_assertion' || flow === 'certificate') credential = { kind: 'certificate' };
  else if (flow === 'federated' || flow === 'workload_identity_federation') {
    const source = s.FEDERATED_TOKEN_SOURCE ?? (s.IDENTITY_POOL_ID ? 'aws-cognito' : s.FEDERATED_TOKEN_FILE ? 'file' : 'gcp-metadata');
    if (source === 'aws-cognito') {
      // the host makes the token (it holds the AWS credentials); this connector only asks for it
      credential = { kind: 'federated', assertion: hostIdentityToken() };
    } else if (source === 'file') {
      if (!s.FEDERATED_TOKEN_FILE) problems.push('FEDERATED_TOKEN_FILE is required with FEDERATED_TOKEN_SOURCE=file');
      else credential = { kind: 'federated', assertion: fileIdentityToken(s.FEDERATED_TOKEN_FILE) };
    } else if (source === 'gcp-metadata') {
      credential = { kind: 'federated', assertion: gcpMetadataIdentityToken({ audience: s.AUDIENCE ?? 'api://AzureADTokenExchange', metadataHost: s.GCE_METADATA_HOST }) };
    } else problems.push(`FEDERATED_TOKEN_SOURCE '${source}' is not one of aws-cognito, gcp-metadata, file`);
  } else problems.push(`CREDENTIALS_FLOW '${s.CREDENTIALS_FLOW}' is not one of federated, jwt_assertion, client_secret`);
  if (problems.length > 0 || !credential || !tenantId || !s.CLIENT_ID) throw new ConfigError(problems.length > 0 ? problems : ['CLIENT_ID is required']);
  return entraClientCredentials({ tenantId, clientId: s.CLIENT_ID, scope: s.TOKEN_SCOPE, credential, tokenEndpoint: endpoint });
}

const setup = (roles: string[], extra: string[] = []) => [
  'Register an application in Entra ID (App registrations > New registration); note its application (client) id and the tenant id.',
  `Under API permissions, add these Microsoft Graph *application* permissions and grant admin consent (a Privileged Role Administrator): ${roles.join(', ')}.`,
  'Give the app a credential: a federated identity credential trusting the proxy host (on AWS, as Psoxy: a Cognito identity pool with a developer provider, DEVELOPER_NAME_ID, and an identity for login CLIENT_ID; issuer https://cognito-identity.amazonaws.com, audience = the pool id, subject = the identity id; set IDENTITY_POOL_ID, IDENTITY_ID, DEVELOPER_NAME_ID and let the function call cognito-identity:GetOpenIdTokenForDeveloperIdentity. On GCP: issuer https://accounts.google.com, subject = the unique id of the function service account, audience api://AzureADTokenExchange; or a projected token file), or a certificate (PRIVATE_KEY, PRIVATE_KEY_ID) or a client secret (CLIENT_SECRET).',
  'Set CLIENT_ID and TENANT_ID (and CREDENTIALS_FLOW if not federated).',
  ...extra,
];

interface MicrosoftSource {
  id: string;
  sourceKind?: string;
  displayName: string;
  roles: string[];
  rules: (noAppIds: boolean) => RestRules;
  exampleCalls: string[];
  extraSetup?: string[];
}

function microsoftConnector(m: MicrosoftSource): Connector {
  return defineConnector({
    id: m.id,
    ...(m.sourceKind ? { sourceKind: m.sourceKind } : {}),
    displayName: m.displayName,
    settings: SETTINGS,
    docs: { grants: m.roles, setup: setup(m.roles, m.extraSetup), exampleCalls: m.exampleCalls },
    target: 'https://graph.microsoft.com',
    auth: microsoftAuth,
    rules: (config) => m.rules(config.pseudonymizeAppIds),
  });
}

export const msftEntraId = microsoftConnector({
  id: 'msft-entra-id',
  sourceKind: 'azure-ad',
  displayName: 'Microsoft Entra ID',
  roles: ['User.Read.All', 'Group.Read.All', 'MailboxSettings.Read'],
  rules: entraIdRules,
  exampleCalls: ['/v1.0/users', '/v1.0/users/{USER_ID}', '/v1.0/groups', '/v1.0/groups/{GROUP_ID}/members'],
});

export const outlookCal = microsoftConnector({
  id: 'outlook-cal',
  displayName: 'Outlook Calendar',
  roles: ['Calendars.Read', 'MailboxSettings.Read', 'Group.Read.All', 'User.Read.All'],
  rules: outlookCalendarRules,
  exampleCalls: ['/v1.0/users', '/v1.0/users/{USER_ID}/events', '/v1.0/users/{USER_ID}/calendar/calendarView?startDateTime=...&endDateTime=...', '/v1.0/users/{USER_ID}/mailboxSettings', '/v1.0/groups'],
});

export const outlookMail = microsoftConnector({
  id: 'outlook-mail',
  displayName: 'Outlook Mail (metadata)',
  roles: ['Mail.ReadBasic.All', 'MailboxSettings.Read', 'Group.Read.All', 'User.Read.All'],
  rules: outlookMailRules,
  exampleCalls: ['/v1.0/users', '/v1.0/users/{USER_ID}/mailboxSettings', '/v1.0/users/{USER_ID}/mailFolders/SentItems/messages', '/v1.0/groups/{GROUP_ID}/members'],
});

export const msftTeams = microsoftConnector({
  id: 'msft-teams',
  displayName: 'Microsoft Teams',
  roles: ['User.Read.All', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'Chat.Read.All', 'ChannelMessage.Read.All', 'CallRecords.Read.All', 'OnlineMeetings.Read.All', 'OnlineMeetingArtifact.Read.All'],
  rules: teamsRules,
  exampleCalls: ['/v1.0/teams', '/v1.0/users/{USER_ID}/chats', '/v1.0/chats/{CHAT_ID}/messages', '/v1.0/communications/callRecords', '/v1.0/users/{USER_ID}/onlineMeetings'],
  extraSetup: [
    'Allow the app to read online meetings: New-CsApplicationAccessPolicy -Identity psoxy-meetings -AppIds <CLIENT_ID>; Grant-CsApplicationAccessPolicy -PolicyName psoxy-meetings -Global (Teams PowerShell).',
  ],
});

export const connectors: readonly Connector[] = [msftEntraId, outlookCal, outlookMail, msftTeams];
