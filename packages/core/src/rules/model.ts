// zod/mini: the same validation (and messages, and JSON Schema) as zod's classic API, but its
// schemas are not given dozens of methods each: loading zod and building this model took ~30 ms of
// a cold start with the classic API, ~13 ms with this one. A namespace import lets bundlers drop
// what is unused.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

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
  jsonPaths: z._default(stringList, []),
  /** Only apply when this JSONPath filter matches something in the document. */
  applyOnlyWhen: z.nullish(z.string()),
  /** Deprecated (CSV); accepted and ignored, as in Psoxy. */
  fields: z.optional(stringList),
};

const redact = z.strictObject({ method: z.literal('redact'), ...transformBase });
const pseudonymize = z.strictObject({
  method: z.literal('pseudonymize'),
  ...transformBase,
  encoding: z._default(encoding, 'URL_SAFE_TOKEN'),
  includeReversible: z._default(z.boolean(), false),
  includeOriginal: z._default(z.boolean(), false),
  /** Accepted for compatibility; Psoxy's engine ignores it. */
  onlyIfRegex: z.nullish(z.string()),
});
const pseudonymizeEmailHeader = z.strictObject({
  method: z.literal('pseudonymizeEmailHeader'),
  ...transformBase,
  encoding: z._default(encoding, 'URL_SAFE_TOKEN'),
});
const pseudonymizeRegexMatches = z.strictObject({
  method: z.literal('pseudonymizeRegexMatches'),
  ...transformBase,
  regex: z.string(),
  includeReversible: z._default(z.boolean(), false),
});
const redactRegexMatches = z.strictObject({
  method: z.literal('redactRegexMatches'),
  ...transformBase,
  redactions: z._default(stringList, []),
});
const redactExceptPhrases = z.strictObject({
  method: z.literal('redactExceptPhrases'),
  ...transformBase,
  allowedPhrases: z._default(stringList, []),
});
const redactExceptSubstringsMatchingRegexes = z.strictObject({
  method: z.literal('redactExceptSubstringsMatchingRegexes'),
  ...transformBase,
  exceptions: z._default(stringList, []),
});
const filterTokenByRegex = z.strictObject({
  method: z.literal('filterTokenByRegex'),
  ...transformBase,
  /** Token delimiter (Java regex); null: the whole string is one token. */
  delimiter: z._default(z.nullable(z.string()), '\\s+'),
  filters: z._default(stringList, []),
});
const tokenize = z.strictObject({
  method: z.literal('tokenize'),
  ...transformBase,
  regex: z.nullish(z.string()),
});
const hashIp = z.strictObject({ method: z.literal('hashIp'), ...transformBase });
const encryptIp = z.strictObject({ method: z.literal('encryptIp'), ...transformBase });
const textDigest = z.strictObject({
  method: z.literal('textDigest'),
  ...transformBase,
  isJsonEscaped: z._default(z.boolean(), false),
  jsonPathToProcessWhenEscaped: z.nullish(z.string()),
  keywords: z._default(stringList, []),
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
export const TRANSFORM_METHODS: readonly TransformMethod[] = transformSchema._zod.def.options.map((o) => o.shape.method._zod.def.values[0] as TransformMethod);

/** `responseSchema`: a JSON Schema used as a filter (Psoxy's `JsonSchemaFilter`). */
export interface SchemaFilter {
  type?: string | undefined;
  format?: string | undefined;
  $ref?: string | undefined;
  properties?: Record<string, SchemaFilter> | undefined;
  items?: SchemaFilter | undefined;
  anyOf?: SchemaFilter[] | undefined;
  /** Psoxy's deprecated name for `anyOf` (its filter takes the first candidate that matches, as for `anyOf`). */
  oneOf?: SchemaFilter[] | undefined;
  if?: SchemaFilter | undefined;
  then?: SchemaFilter | undefined;
  else?: SchemaFilter | undefined;
  const?: string | undefined;
  /** The same as `const`: the name of Psoxy's field (`const` is its alias), used by its Microsoft 365 rules. */
  constant?: string | undefined;
  definitions?: Record<string, SchemaFilter> | undefined;
  title?: string | undefined;
  required?: unknown;
  additionalProperties?: unknown;
  $schema?: string | undefined;
}
export const schemaFilterSchema: z.ZodMiniType<SchemaFilter> = z.lazy(() =>
  z.strictObject({
    // Psoxy only rejects an unknown type when a document reaches it, and shipped rules contain one.
    type: z.optional(z.string()),
    format: z.optional(z.string()),
    $ref: z.optional(z.string()),
    properties: z.optional(z.record(z.string(), schemaFilterSchema)),
    items: z.optional(schemaFilterSchema),
    anyOf: z.optional(z.array(schemaFilterSchema)),
    oneOf: z.optional(z.array(schemaFilterSchema)),
    if: z.optional(schemaFilterSchema),
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: z.optional(schemaFilterSchema),
    else: z.optional(schemaFilterSchema),
    const: z.optional(z.string()),
    constant: z.optional(z.string()),
    definitions: z.optional(z.record(z.string(), schemaFilterSchema)),
    // ignored, as by Psoxy
    title: z.optional(z.string()),
    required: z.optional(z.unknown()),
    additionalProperties: z.optional(z.unknown()),
    $schema: z.optional(z.string()),
  }).check(
    // Jackson would keep whichever of the two it read last: a file giving both must agree with itself
    z.refine((s) => s.const === undefined || s.constant === undefined || s.const === s.constant, {
      message: "'const' and 'constant' name the same value, but differ",
    }),
  ),
);

/** Validation of a path or query parameter (Psoxy's `ParameterSchema`). */
export interface ParameterSchema {
  type?: 'string' | 'integer' | 'number' | undefined;
  format?: string | undefined;
  pattern?: string | undefined;
  enum?: string[] | undefined;
  anyOf?: ParameterSchema[] | undefined;
  /** The same as `anyOf`: the name Psoxy's `ParameterSchema` reads and writes (its rule files use it). */
  or?: ParameterSchema[] | undefined;
}
export const parameterSchemaSchema: z.ZodMiniType<ParameterSchema> = z.lazy(() =>
  z.strictObject({
    type: z.optional(z.enum(['string', 'integer', 'number'])),
    format: z.optional(z.string()),
    pattern: z.optional(z.string()),
    enum: z.optional(stringList),
    anyOf: z.optional(z.array(parameterSchemaSchema)),
    or: z.optional(z.array(parameterSchemaSchema)),
  }),
);
export interface QueryParameterSchema extends ParameterSchema {
  required?: boolean | undefined;
}
export const queryParameterSchemaSchema: z.ZodMiniType<QueryParameterSchema> = z.lazy(() =>
  z.strictObject({
    type: z.optional(z.enum(['string', 'integer', 'number'])),
    format: z.optional(z.string()),
    pattern: z.optional(z.string()),
    enum: z.optional(stringList),
    anyOf: z.optional(z.array(parameterSchemaSchema)),
    or: z.optional(z.array(parameterSchemaSchema)),
    required: z.optional(z.boolean()),
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
  /** Psoxy's name for `enum` in its JsonSchema class; enforced here too (Psoxy's validator does not know it). */
  enumValues?: unknown[] | undefined;
  additionalProperties?: boolean | BodySchema | undefined;
}
export const bodySchemaSchema: z.ZodMiniType<BodySchema> = z.lazy(() =>
  z.strictObject({
    type: z.optional(z.enum(['string', 'integer', 'number', 'boolean', 'object', 'array', 'null'])),
    format: z.optional(z.string()),
    items: z.optional(bodySchemaSchema),
    properties: z.optional(z.record(z.string(), bodySchemaSchema)),
    required: z.optional(stringList),
    pattern: z.optional(z.string()),
    enum: z.optional(z.array(z.unknown())),
    enumValues: z.optional(z.array(z.unknown())),
    additionalProperties: z.optional(z.union([z.boolean(), bodySchemaSchema])),
  }),
);

export const requestBodySchema = z.strictObject({
  required: z._default(z.boolean(), false),
  content: z.optional(z.record(z.string(), bodySchemaSchema)),
});

export const augmentSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('textDigest'),
    jsonPaths: z._default(stringList, []),
    keywords: z._default(stringList, []),
    innerJsonPath: z.nullish(z.string()),
    outputSchema: z.optional(schemaFilterSchema),
  }),
  z.strictObject({
    method: z.literal('sentenceMetadata'),
    jsonPaths: z._default(stringList, []),
    outputSchema: z.optional(schemaFilterSchema),
  }),
]);
export type Augment = z.output<typeof augmentSchema>;

export const endpointSchema = z.strictObject({
  /** OpenAPI-style template, e.g. `/calendar/v3/calendars/{calendarId}/events`. */
  pathTemplate: z.optional(z.string()),
  /** Java regex over path + query; used instead of the template when present. */
  pathRegex: z.optional(z.string()),
  pathParameterSchemas: z.optional(z.record(z.string(), parameterSchemaSchema)),
  /** Query parameter names allowed (case-insensitive); absent: any. */
  allowedQueryParams: z.optional(stringList),
  queryParamSchemas: z.optional(z.record(z.string(), queryParameterSchemaSchema)),
  /** HTTP methods allowed; absent: any. */
  allowedMethods: z.optional(stringList),
  allowedRequestHeaders: z.optional(stringList),
  /** Deprecated synonym of allowedRequestHeaders. */
  allowedRequestHeadersToForward: z.optional(stringList),
  requestBody: z.optional(requestBodySchema),
  responseSchema: z.optional(schemaFilterSchema),
  augments: z.optional(z.array(augmentSchema)),
  transforms: z._default(z.array(transformSchema), []),
});
export type Endpoint = z.output<typeof endpointSchema>;
export type EndpointInput = z.input<typeof endpointSchema>;

/** REST API rules (Psoxy's `Rules2`). */
export const restRulesSchema = z.strictObject({
  endpoints: z._default(z.array(endpointSchema), []),
  /** Headers forwarded for every endpoint. */
  allowedRequestHeaders: z.optional(stringList),
  /** Deprecated and dangerous: allows every request and passes unmatched responses through. */
  allowAllEndpoints: z._default(z.boolean(), false),
  definitions: z.optional(z.record(z.string(), schemaFilterSchema)),
  /** Ignored legacy key. */
  defaultScopeIdForSource: z.optional(z.string()),
});
export type RestRules = z.output<typeof restRulesSchema>;
export type RestRulesInput = z.input<typeof restRulesSchema>;

/**
 * The options of every rules parse: English messages (zod/mini loads no locale by itself; given per
 * parse, so that no global zod setting of the application is touched), and without zod's compiled
 * fast path: rules are parsed once or twice in a process, where compiling that path (`new
 * Function`, per schema) costs more than it saves (~6 ms of a cold start measured), and a DLP proxy
 * is better off evaluating no generated code. Pass it too when parsing with the exported schemas
 * directly, or zod/mini answers only "Invalid input".
 */
export const RULES_PARSE = { jitless: true, error: en().localeError } as const;

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
