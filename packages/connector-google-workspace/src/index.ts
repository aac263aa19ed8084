/**
 * @psoxy/connector-google-workspace: Google Calendar, Directory, Drive, Gmail, Chat and Meet,
 * authenticated as a service account with domain-wide delegation.
 * @module
 */
export { connectors, gcal, gdirectory, gdrive, gmail, googleChat, googleMeet } from './connectors.js';
export { googleServiceAccountAuth, parseServiceAccountKey, GOOGLE_TOKEN_URL, type ServiceAccountKey, type ServiceAccountAuthOptions } from './auth.js';
export { gcalRules } from './rules/gcal.js';
export { gdirectoryRules } from './rules/gdirectory.js';
export { gdriveRules } from './rules/gdrive.js';
export { gmailRules } from './rules/gmail.js';
export { googleChatRules, googleMeetRules } from './rules/reports.js';
