export * from './model.js';
export { RulesError } from './errors.js';
export { loadRestRules, parseRulesText, decodeRulesText, rulesKind, describeLocation, type LoadRulesOptions } from './load.js';
export { rulesJsonSchema } from './json-schema.js';
export * from './generics.js';
