/**
 * @psoxy/connector-microsoft-365: Entra ID, Outlook Calendar, Outlook Mail and Teams over Microsoft
 * Graph, authenticated with Entra ID client credentials.
 * @module
 */
export { connectors, msftEntraId, outlookCal, outlookMail, msftTeams, microsoftAuth } from './connectors.js';
export { entraClientCredentials, gcpMetadataIdentityToken, fileIdentityToken, hostIdentityToken, certificateAssertion, GRAPH_SCOPE, type EntraAuthOptions, type EntraCredential } from './auth.js';
export { entraIdRules } from './rules/entra-id.js';
export { outlookCalendarRules, outlookMailRules } from './rules/outlook.js';
export { teamsRules } from './rules/teams.js';
