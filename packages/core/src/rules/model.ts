// a namespace import, not the `z` object: lets bundlers drop what is unused (zod's 60 locales among it)
import * as z from 'zod';

/**
 * The rules model: one model for rules written in TypeScript by connectors, in YAML/JSON by users,
 * and loaded from Psoxy's YAML dialect (where `!<pseudonymize>` tags become `method: pseudonymize`).
 * Field names and defaults are Psoxy's, so a Psoxy rule file and its native form are the same
 * document. Unknown properties are errors, as with Psoxy's Jackson mapper.
 */

export const PSEUDONYM_ENCODINGS = ['URL_SAFE_TOKEN', 'JSON', 'URL_SAFE_HASH_ONLY'] as const;
const encoding = z.enum(PSEUDONYM_ENCODINGS);

const stringList = z.array(z.string());

const transformBase = {
  /** JSONPaths (Jayway syntax) selecting the values to transform. */
  jsonPaths: stringList.default([]),
  /** Only apply when this JSONPath filter matches something in the document. */
  applyOnlyWhen: z.string().nullish(),
  /** Deprecated (CSV); accepted and ignored, as in Psoxy. */
  fields: stringList.optional(),
};

const redact = z.strictObject({ method: z.literal('redact'), ...transformBase });
const pseudonymize = z.strictObject({
  method: z.literal('pseudonymize'),
  ...transformBase,
  encoding: encoding.default('URL_SAFE_TOKEN'),
  includeReversible: z.boolean().default(false),
  includeOriginal: z.boolean().default(false),
  /** Accepted for compatibility; Psoxy's engine ignores it. */
  onlyIfRegex: z.string().nullish(),
});
const pseudonymizeEmailHeader = z.strictObject({
  method: z.literal('pseudonymizeEmailHeader'),
  ...transformBase,
  encoding: encoding.default('URL_SAFE_TOKEN'),
});
const pseudonymizeRegexMatches = z.strictObject({
  method: z.literal('pseudonymizeRegexMatches'),
  ...transformBase,
  regex: z.string(),
  includeReversible: z.boolean().default(false),
});
const redactRegexMatches = z.strictObject({
  method: z.literal('redactRegexMatches'),
  ...transformBase,
  redactions: stringList.default([]),
});
const redactExceptPhrases = z.strictObject({
  method: z.literal('redactExceptPhrases'),
  ...transformBase,
  allowedPhrases: stringList.default([]),
});
const redactExceptSubstringsMatchingRegexes = z.strictObject({
  method: z.literal('redactExceptSubstringsMatchingRegexes'),
  ...transformBase,
  exceptions: stringList.default([]),
});
const filterTokenByRegex = z.strictObject({
  method: z.literal('filterTokenByRegex'),
  ...transformBase,
  /** Token delimiter (Java regex); null: the whole string is one token. */
  delimiter: z.string().nullable().default('\\s+'),
  filters: stringList.default([]),
});
const tokenize = z.strictObject({
  method: z.literal('tokenize'),
  ...transformBase,
  regex: z.string().nullish(),
});
const hashIp = z.strictObject({ method: z.literal('hashIp'), ...transformBase });
const encryptIp = z.strictObject({ method: z.literal('encryptIp'), ...transformBase });
const textDigest = z.strictObject({
  method: z.literal('textDigest'),
  ...transformBase,
  isJsonEscaped: z.boolean().default(false),
  jsonPathToProcessWhenEscaped: z.string().nullish(),
  keywords: stringList.default([]),
});

export const transformSchema = z.discriminatedUnion('method', [
  redact,
  pseudonymize,
  pseudonymizeEmailHeader,
  pseudonymizeRegexMatches,
  redactRegexMatches,
  redactExceptPhrases,
  redactExceptSubstringsMatchingRegexes,
  filterTokenByRegex,
  tokenize,
  hashIp,
  encryptIp,
  textDigest,
]);
export type Transform = z.output<typeof transformSchema>;
export type TransformInput = z.input<typeof transformSchema>;
export type TransformMethod = Transform['method'];
export const TRANSFORM_METHODS: readonly TransformMethod[] = transformSchema.options.map((o) => o.shape.method.value);

/** `responseSchema`: a JSON Schema used as a filter (Psoxy's `JsonSchemaFilter`). */
export interface SchemaFilter {
  type?: string | undefined;
  format?: string | undefined;
  $ref?: string | undefined;
  properties?: Record<string, SchemaFilter> | undefined;
  items?: SchemaFilter | undefined;
  anyOf?: SchemaFilter[] | undefined;
  if?: SchemaFilter | undefined;
  then?: SchemaFilter | undefined;
  else?: SchemaFilter | undefined;
  const?: string | undefined;
  definitions?: Record<string, SchemaFilter> | undefined;
  title?: string | undefined;
  required?: unknown;
  additionalProperties?: unknown;
  $schema?: string | undefined;
}
export const schemaFilterSchema: z.ZodType<SchemaFilter> = z.lazy(() =>
  z.strictObject({
    // Psoxy only rejects an unknown type when a document reaches it, and shipped rules contain one.
    type: z.string().optional(),
    format: z.string().optional(),
    $ref: z.string().optional(),
    properties: z.record(z.string(), schemaFilterSchema).optional(),
    items: schemaFilterSchema.optional(),
    anyOf: z.array(schemaFilterSchema).optional(),
    if: schemaFilterSchema.optional(),
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: schemaFilterSchema.optional(),
    else: schemaFilterSchema.optional(),
    const: z.string().optional(),
    definitions: z.record(z.string(), schemaFilterSchema).optional(),
    // ignored, as by Psoxy
    title: z.string().optional(),
    required: z.unknown().optional(),
    additionalProperties: z.unknown().optional(),
    $schema: z.string().optional(),
  }),
);

/** Validation of a path or query parameter (Psoxy's `ParameterSchema`). */
export interface ParameterSchema {
  type?: 'string' | 'integer' | 'number' | undefined;
  format?: string | undefined;
  pattern?: string | undefined;
  enum?: string[] | undefined;
  anyOf?: ParameterSchema[] | undefined;
}
export const parameterSchemaSchema: z.ZodType<ParameterSchema> = z.lazy(() =>
  z.strictObject({
    type: z.enum(['string', 'integer', 'number']).optional(),
    format: z.string().optional(),
    pattern: z.string().optional(),
    enum: stringList.optional(),
    anyOf: z.array(parameterSchemaSchema).optional(),
  }),
);
export interface QueryParameterSchema extends ParameterSchema {
  required?: boolean | undefined;
}
export const queryParameterSchemaSchema: z.ZodType<QueryParameterSchema> = z.lazy(() =>
  z.strictObject({
    type: z.enum(['string', 'integer', 'number']).optional(),
    format: z.string().optional(),
    pattern: z.string().optional(),
    enum: stringList.optional(),
    anyOf: z.array(parameterSchemaSchema).optional(),
    required: z.boolean().optional(),
  }),
);

/** JSON Schema for a request body (validated, not filtered). */
export interface BodySchema {
  type?: string | undefined;
  format?: string | undefined;
  items?: BodySchema | undefined;
  properties?: Record<string, BodySchema> | undefined;
  required?: string[] | undefined;
  pattern?: string | undefined;
  enum?: unknown[] | undefined;
  additionalProperties?: boolean | BodySchema | undefined;
}
export const bodySchemaSchema: z.ZodType<BodySchema> = z.lazy(() =>
  z.strictObject({
    type: z.enum(['string', 'integer', 'number', 'boolean', 'object', 'array', 'null']).optional(),
    format: z.string().optional(),
    items: bodySchemaSchema.optional(),
    properties: z.record(z.string(), bodySchemaSchema).optional(),
    required: stringList.optional(),
    pattern: z.string().optional(),
    enum: z.array(z.unknown()).optional(),
    additionalProperties: z.union([z.boolean(), bodySchemaSchema]).optional(),
  }),
);

export const requestBodySchema = z.strictObject({
  required: z.boolean().default(false),
  content: z.record(z.string(), bodySchemaSchema).optional(),
});

export const augmentSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('textDigest'),
    jsonPaths: stringList.default([]),
    keywords: stringList.default([]),
    innerJsonPath: z.string().nullish(),
    outputSchema: schemaFilterSchema.optional(),
  }),
  z.strictObject({
    method: z.literal('sentenceMetadata'),
    jsonPaths: stringList.default([]),
    outputSchema: schemaFilterSchema.optional(),
  }),
]);
export type Augment = z.output<typeof augmentSchema>;

export const endpointSchema = z.strictObject({
  /** OpenAPI-style template, e.g. `/calendar/v3/calendars/{calendarId}/events`. */
  pathTemplate: z.string().optional(),
  /** Java regex over path + query; used instead of the template when present. */
  pathRegex: z.string().optional(),
  pathParameterSchemas: z.record(z.string(), parameterSchemaSchema).optional(),
  /** Query parameter names allowed (case-insensitive); absent: any. */
  allowedQueryParams: stringList.optional(),
  queryParamSchemas: z.record(z.string(), queryParameterSchemaSchema).optional(),
  /** HTTP methods allowed; absent: any. */
  allowedMethods: stringList.optional(),
  allowedRequestHeaders: stringList.optional(),
  /** Deprecated synonym of allowedRequestHeaders. */
  allowedRequestHeadersToForward: stringList.optional(),
  requestBody: requestBodySchema.optional(),
  responseSchema: schemaFilterSchema.optional(),
  augments: z.array(augmentSchema).optional(),
  transforms: z.array(transformSchema).default([]),
});
export type Endpoint = z.output<typeof endpointSchema>;
export type EndpointInput = z.input<typeof endpointSchema>;

/** REST API rules (Psoxy's `Rules2`). */
export const restRulesSchema = z.strictObject({
  endpoints: z.array(endpointSchema).default([]),
  /** Headers forwarded for every endpoint. */
  allowedRequestHeaders: stringList.optional(),
  /** Deprecated and dangerous: allows every request and passes unmatched responses through. */
  allowAllEndpoints: z.boolean().default(false),
  definitions: z.record(z.string(), schemaFilterSchema).optional(),
  /** Ignored legacy key. */
  defaultScopeIdForSource: z.string().optional(),
});
export type RestRules = z.output<typeof restRulesSchema>;
export type RestRulesInput = z.input<typeof restRulesSchema>;

/**
 * The options of every rules parse: without zod's compiled fast path. Rules are parsed once or twice
 * in a process, where compiling that path (`new Function`, per schema) costs more than it saves:
 * ~6 ms of a cold start measured. And a DLP proxy is better off evaluating no generated code.
 */
export const RULES_PARSE = { jitless: true } as const;

/** Rule sets `defineRestRules` has checked: checking them again (a connector's rules) costs time on a cold start for nothing. */
const checked = new WeakSet<object>();

/** Defines REST rules in TypeScript with defaults filled in and the same validation as files. */
export function defineRestRules(rules: RestRulesInput): RestRules {
  const out = restRulesSchema.parse(rules, RULES_PARSE);
  checked.add(out);
  return out;
}

/**
 * Rules built (and checked) when first asked for, then kept: for a connector's `rules`. A package
 * defining several connectors would otherwise build every one's rules when imported, while a
 * deployed function serves one of them (GitHub's three rule sets took ~20 ms of a cold start).
 */
export function rulesOnFirstUse(build: () => RestRules): () => RestRules {
  let rules: RestRules | undefined;
  return () => {
    rules ??= build();
    return rules;
  };
}

/** Whether `rules` came out of {@link defineRestRules} (already valid, defaults filled in). */
export function isCheckedRestRules(rules: unknown): boolean {
  return typeof rules === 'object' && rules !== null && checked.has(rules);
}
