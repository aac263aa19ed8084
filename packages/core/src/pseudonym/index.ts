export * from './pseudonymizer.js';
export { InvalidTokenError, saltFingerprint, legacyHash } from './crypto.js';
export { canonicalizeIp } from './ip.js';
export { parseEmail, parseAddressList, isValidAddressList, formatEmail, type EmailAddress } from './email.js';
