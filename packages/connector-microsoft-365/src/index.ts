/**
 * @psoxy/connector-microsoft-365: Entra ID, Outlook Calendar, Outlook Mail and Teams over Microsoft
 * Graph, authenticated with Entra client credentials through MSAL.
 * @module
 */
export { connectors, msftEntraId, outlookCal, outlookMail, msftTeams, microsoftAuth } from './connectors.js';
export { msalClientCredentials, gcpMetadataIdentityToken, fileIdentityToken, hostIdentityToken, GRAPH_SCOPE, type MsalAuthOptions, type MsalCredential } from './auth.js';
export { entraIdRules } from './rules/entra-id.js';
export { outlookCalendarRules, outlookMailRules } from './rules/outlook.js';
export { teamsRules } from './rules/teams.js';
