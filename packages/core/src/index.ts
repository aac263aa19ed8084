/**
 * @psoxy/core: the Psoxy-compatible sanitization engine (rules, JSONPath, transforms,
 * pseudonymizer). Imports no connector, host or CLI.
 * @module
 */
export * from './json/index.js';
export * from './jsonpath/index.js';
export * from './regex/index.js';
export * from './pseudonym/index.js';
export * from './rules/index.js';
export * from './sanitize/index.js';
export * from './endpoint/index.js';
export { sanitizeResponse, type SanitizeResponseOptions, type SanitizeOutcome } from './sanitize-response.js';
export * from './http/index.js';
export * from './runtime/index.js';
export * from './auth/index.js';
export * from './proxy/index.js';
export * from './bulk/index.js';
export * from './connector/index.js';
