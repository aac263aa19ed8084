export {
  CompiledEndpoint,
  CompiledRestRules,
  SanitizeError,
  compileRestRules,
  type CompileRulesOptions,
  type MatchResult,
  type RequestToMatch,
} from './rest-rules.js';
export { TokenMemo, TransformError, identityJson, type SanitizeContext } from './transforms.js';
export { SchemaFilterError } from './schema-filter.js';
export { textDigest } from './text-digest.js';
