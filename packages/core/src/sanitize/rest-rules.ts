import { createHash } from 'node:crypto';
import { parseJsonDocumentsAuto } from '../json/parse.js';
import { writeJson, writeJsonNative } from '../json/write.js';
import { type JsonValue, orderedObjectCount } from '../json/value.js';
import { JsonPathSyntaxError } from '../jsonpath/index.js';
import { JavaRegexError } from '../regex/java-regex.js';
import { type JavaPattern, javaPattern } from '../regex/pattern.js';
import { alternativesOf, checkParameterFormat, checkQuerySchemas, validateParameter } from '../endpoint/params.js';
import { pathTemplateToRegex } from '../endpoint/path-template.js';
import { type QueryParam, parseQuery, splitUrl } from '../endpoint/query.js';
import { checkRequestBody } from '../endpoint/request-body.js';
import { RulesError } from '../rules/errors.js';
import { describeLocation } from '../rules/location.js';
import type { Endpoint, ParameterSchema, RestRules } from '../rules/model.js';
import { type CompiledAugment, alreadyAugmented, compileAugment } from './augments.js';
import { SchemaFilterEngine } from './schema-filter.js';
import { type CompiledTransform, type SanitizeContext, TokenMemo, TransformError, compileTransform } from './transforms.js';

/** Runs `f`, turning a JSONPath/regex/transform compile failure into a RulesError at `path`. */
function at<T>(rules: unknown, path: PropertyKey[], source: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RulesError) throw e;
    if (e instanceof JsonPathSyntaxError || e instanceof JavaRegexError || e instanceof TransformError || e instanceof Error) {
      throw new RulesError(e.message, describeLocation(rules, path), source);
    }
    throw e;
  }
}

function formatsIn(schema: ParameterSchema): string[] {
  return [...(schema.format !== undefined ? [schema.format] : []), ...alternativesOf(schema).flatMap(formatsIn)];
}

export class CompiledEndpoint {
  readonly regex: JavaPattern;
  /** pathRegex endpoints match the path and the query; template endpoints only the path. */
  readonly matchesQuery: boolean;
  readonly transforms: CompiledTransform[];
  readonly augments: CompiledAugment[];
  readonly allowedMethods: Set<string> | undefined;
  readonly allowedQueryParams: Set<string> | undefined;
  /** Endpoint-level request headers forwarded upstream. */
  readonly requestHeaders: string[];
  /** The schema names some path parameter schema uses but the template lacks: never matches. */
  private readonly impossible: boolean;
  /** Path parameter schemas checked against the match: those naming a group of the regex. */
  private readonly pathSchemas: [string, ParameterSchema][];

  constructor(
    readonly spec: Endpoint,
    readonly index: number,
    rules: RestRules,
    source: string | undefined,
  ) {
    const where = ['endpoints', index];
    if (spec.pathRegex === undefined && spec.pathTemplate === undefined) {
      throw new RulesError('an endpoint needs a pathTemplate or a pathRegex', describeLocation(rules, where), source);
    }
    this.matchesQuery = spec.pathRegex !== undefined;
    const regexSource = spec.pathRegex ?? pathTemplateToRegex(spec.pathTemplate as string);
    this.regex = at(rules, [...where, spec.pathRegex !== undefined ? 'pathRegex' : 'pathTemplate'], source, () =>
      javaPattern(regexSource, { caseInsensitive: true }),
    );
    const schemas = spec.pathParameterSchemas ?? {};
    for (const [name, schema] of Object.entries(schemas)) {
      for (const f of formatsIn(schema)) at(rules, [...where, 'pathParameterSchemas', name], source, () => checkParameterFormat(f));
      if (schema.pattern !== undefined) at(rules, [...where, 'pathParameterSchemas', name], source, () => javaPattern(schema.pattern as string));
    }
    for (const [name, schema] of Object.entries(spec.queryParamSchemas ?? {})) {
      for (const f of formatsIn(schema)) at(rules, [...where, 'queryParamSchemas', name], source, () => checkParameterFormat(f));
      if (schema.pattern !== undefined) at(rules, [...where, 'queryParamSchemas', name], source, () => javaPattern(schema.pattern as string));
    }
    // A template's schema naming no parameter of it means the endpoint never matches (Psoxy). Psoxy
    // ignores a pathRegex endpoint's schemas altogether; here those naming one of the regex's
    // groups are still checked (the rule's author meant them), and the others ignored as in Psoxy.
    this.impossible = spec.pathRegex === undefined && Object.keys(schemas).some((n) => !this.regex.groupNames.has(n));
    this.pathSchemas = Object.entries(schemas).filter(([n]) => this.regex.groupNames.has(n));
    this.transforms = spec.transforms.map((t, i) => at(rules, [...where, 'transforms', i], source, () => compileTransform(t)));
    this.augments = (spec.augments ?? []).map((a, i) =>
      at(rules, [...where, 'augments', i], source, () => compileAugment(a, describeLocation(rules, [...where, 'augments', i]))),
    );
    this.allowedMethods = spec.allowedMethods ? new Set(spec.allowedMethods.map((m) => m.toUpperCase())) : undefined;
    this.allowedQueryParams = spec.allowedQueryParams ? new Set(spec.allowedQueryParams.map((q) => q.toLowerCase())) : undefined;
    this.requestHeaders = [...(spec.allowedRequestHeaders ?? []), ...(spec.allowedRequestHeadersToForward ?? [])];
  }

  /** A human label for messages: the template or regex. */
  get label(): string {
    return this.spec.pathTemplate ?? this.spec.pathRegex ?? `#${this.index}`;
  }

  matchesPath(path: string, query: string | null): boolean {
    if (this.impossible) return false;
    const target = this.matchesQuery && query !== null ? `${path}?${query}` : path;
    const m = this.regex.matches(target);
    if (!m) return false;
    for (const [name, schema] of this.pathSchemas) {
      if (!validateParameter(schema, m.named(name))) return false;
    }
    return true;
  }

  /** Why the query parameters are not allowed, if they are not. */
  queryProblem(params: readonly QueryParam[]): string | undefined {
    if (this.allowedQueryParams) {
      const bad = params.find((p) => !this.allowedQueryParams?.has(p.name.toLowerCase()));
      if (bad) return `query parameter '${bad.name}' is not allowed (allowed: ${this.spec.allowedQueryParams?.join(', ') || 'none'})`;
    }
    return this.spec.queryParamSchemas ? checkQuerySchemas(params, this.spec.queryParamSchemas) : undefined;
  }

  methodProblem(method: string): string | undefined {
    if (this.allowedMethods && !this.allowedMethods.has(method.toUpperCase())) {
      return `method ${method.toUpperCase()} is not allowed (allowed: ${[...this.allowedMethods].join(', ')})`;
    }
    return undefined;
  }

  /** Psoxy §1.6: undefined when the body is allowed. */
  bodyProblem(contentType: string | null | undefined, body: string | null): string | undefined {
    return this.spec.requestBody ? checkRequestBody(this.spec.requestBody, contentType, body) : undefined;
  }
}

export interface RequestToMatch {
  method: string;
  /** Absolute URL or origin-form target (raw, not normalized). */
  url: string;
  contentType?: string | null | undefined;
  body?: string | null | undefined;
}

export type MatchResult =
  | { allowed: true; endpoint: CompiledEndpoint; path: string; query: string | null }
  /** Only with the deprecated `allowAllEndpoints`: allowed, and the response is not sanitized. */
  | { allowed: true; endpoint: null; path: string; query: string | null }
  | { allowed: false; reason: string; status: 403 | 405; path: string; query: string | null };

export interface CompileRulesOptions {
  /** Origin of the rules (file name) for error messages. */
  source?: string;
}

/** A response body that is not JSON, or otherwise cannot be sanitized. */
export class SanitizeError extends Error {
  override readonly name = 'SanitizeError';
}

/**
 * REST rules compiled once (JSONPaths, regexes, templates, schemas) and ready to check requests
 * and sanitize responses.
 */
export class CompiledRestRules {
  readonly endpoints: CompiledEndpoint[];
  readonly allowAllEndpoints: boolean;
  /** Ruleset-level request headers forwarded for every endpoint. */
  readonly requestHeaders: string[];
  readonly warnings: string[] = [];
  /** SHA-1 hex of the canonical JSON of the rules (like Psoxy's X-Psoxy-Rules-SHA; not byte-equal). */
  readonly sha: string;
  private readonly schemaFilter: SchemaFilterEngine;

  constructor(
    readonly rules: RestRules,
    opts: CompileRulesOptions = {},
  ) {
    this.endpoints = rules.endpoints.map((e, i) => new CompiledEndpoint(e, i, rules, opts.source));
    this.allowAllEndpoints = rules.allowAllEndpoints;
    this.requestHeaders = rules.allowedRequestHeaders ?? [];
    this.schemaFilter = new SchemaFilterEngine(rules.definitions ?? {});
    this.sha = createHash('sha1').update(JSON.stringify(rules)).digest('hex');
    if (rules.allowAllEndpoints) {
      this.warnings.push('allowAllEndpoints is set: every request is allowed and responses of unlisted endpoints are NOT sanitized');
    }
  }

  /**
   * Which endpoint allows `method url` (first in declaration order), or why none does. Matching is
   * on the raw path (percent-encoding kept) and raw query, as Psoxy does.
   */
  match(req: RequestToMatch): MatchResult {
    const { path, query } = splitUrl(req.url);
    const params = parseQuery(query);
    let nearMiss: { reason: string; status: 403 | 405 } | undefined;
    for (const e of this.endpoints) {
      if (!e.matchesPath(path, query)) continue;
      const why = e.queryProblem(params);
      if (why) {
        nearMiss ??= { reason: `${why}, for endpoint ${e.label}`, status: 403 };
        continue;
      }
      const m = e.methodProblem(req.method);
      if (m) {
        nearMiss ??= { reason: `${m}, for endpoint ${e.label}`, status: 405 };
        continue;
      }
      const b = e.bodyProblem(req.contentType, req.body ?? null);
      if (b) {
        nearMiss ??= { reason: `${b}, for endpoint ${e.label}`, status: 403 };
        continue;
      }
      // parameters sent as a form body (as Slack's clients do) obey the same allowlist as the query
      if (req.body && /^application\/x-www-form-urlencoded\b/i.test(req.contentType ?? '')) {
        const f = e.queryProblem(parseQuery(req.body));
        if (f) {
          nearMiss ??= { reason: `${f} (in the form body), for endpoint ${e.label}`, status: 403 };
          continue;
        }
      }
      return { allowed: true, endpoint: e, path, query };
    }
    if (this.allowAllEndpoints) return { allowed: true, endpoint: null, path, query };
    return {
      allowed: false,
      reason: nearMiss?.reason ?? `no endpoint rule allows ${req.method.toUpperCase()} ${path}`,
      status: nearMiss?.status ?? 403,
      path,
      query,
    };
  }

  /** Sanitizes one JSON document in place and returns the result. */
  sanitizeDocument(endpoint: CompiledEndpoint, doc: JsonValue, ctx: SanitizeContext): JsonValue {
    if (endpoint.augments.length > 0 && !alreadyAugmented(doc)) for (const a of endpoint.augments) a.apply(doc);
    let out = doc;
    if (endpoint.spec.responseSchema) out = this.schemaFilter.filter(out, endpoint.spec.responseSchema);
    for (const t of endpoint.transforms) t.apply(out, ctx);
    return out;
  }

  /**
   * Sanitizes a response body as Psoxy does: every top-level JSON value (NDJSON too) independently,
   * joined with newlines. A body that is not valid JSON is an error, never passed through.
   */
  sanitize(endpoint: CompiledEndpoint, body: string, ctx: SanitizeContext): string {
    if (body === '') return body;
    let parsed: ReturnType<typeof parseJsonDocumentsAuto>;
    try {
      parsed = parseJsonDocumentsAuto(body);
    } catch (e) {
      throw new SanitizeError(`response is not valid JSON: ${(e as Error).message}`);
    }
    const out: string[] = [];
    const memoCtx: SanitizeContext = ctx.memo ? ctx : { ...ctx, memo: new TokenMemo() };
    for (const doc of parsed.docs) {
      const ordered = orderedObjectCount();
      const clean = this.sanitizeDocument(endpoint, doc, memoCtx);
      // JSON.stringify writes exactly what Jackson would unless the document holds doubles, big
      // integers or objects whose key order JS would change.
      const native = !parsed.exact && orderedObjectCount() === ordered;
      out.push(native ? writeJsonNative(clean, parsed.controlEscapes) : writeJson(clean));
    }
    // Psoxy trims the result; serialized JSON values never start or end with whitespace.
    return out.join('\n');
  }
}

/** Compiles REST rules; anything that cannot be enforced faithfully is a RulesError with its location. */
export function compileRestRules(rules: RestRules, opts: CompileRulesOptions = {}): CompiledRestRules {
  return new CompiledRestRules(rules, opts);
}
