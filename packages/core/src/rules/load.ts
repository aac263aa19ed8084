import { gunzipSync } from 'node:zlib';
import { LineCounter, type Node, parseDocument, isNode, type Document } from 'yaml';
import type * as z from 'zod/mini';
import { RulesError } from './errors.js';
import { RULES_PARSE, TRANSFORM_METHODS, type RestRules, restRulesSchema } from './model.js';
import { describeLocation } from './location.js';
import { indentQuotedContinuations } from './quoted-continuations.js';

export { describeLocation };

const AUGMENT_METHODS = ['textDigest', 'sentenceMetadata'];
const TAGS = [...new Set([...TRANSFORM_METHODS, ...AUGMENT_METHODS])];

/**
 * Psoxy's YAML writes a transform's type as a verbatim tag (`- !<pseudonymize>`); Jackson also
 * reads the local form (`- !pseudonymize`: it strips the `!`) and the property form
 * `method: pseudonymize`. All become the `method` property.
 */
const customTags = TAGS.flatMap((name) =>
  [name, `!${name}`].map((tag) => ({
    tag,
    collection: 'map' as const,
    resolve(map: { toJSON(): unknown }) {
      const obj = (map.toJSON() ?? {}) as Record<string, unknown>;
      if ('method' in obj && obj.method !== name) {
        throw new Error(`tag !<${name}> conflicts with method: ${String(obj.method)}`);
      }
      return { method: name, ...obj };
    },
  })),
);

export interface LoadRulesOptions {
  /** Where the rules came from (a file name), used in error messages. */
  source?: string;
}

/**
 * Decodes a rules value as Psoxy's `RULES` setting allows: plain YAML/JSON, base64, or
 * base64 of gzip. Returns the candidates to parse, in order.
 */
export function decodeRulesText(value: string): string[] {
  const base64 = /^[A-Za-z0-9+/]*={0,2}$/;
  if (value.length === 0 || !base64.test(value) || value.replace(/=+$/, '').length % 4 === 1) return [value];
  const bytes = Buffer.from(value, 'base64');
  let text: string;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      text = gunzipSync(bytes).toString('utf8');
    } catch {
      text = bytes.toString('utf8');
    }
  } else {
    text = bytes.toString('utf8');
  }
  return text === value ? [value] : [text, value];
}

interface Parsed {
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

function parseYamlDocument(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { customTags, lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  return { doc, lines, value: undefined };
}

function parseYaml(text: string, source: string | undefined): Parsed {
  let parsed = parseYamlDocument(text);
  if (parsed.doc.errors.length > 0) {
    // Psoxy's own files may fold quoted strings as SnakeYAML reads them (see quoted-continuations.ts)
    const reindented = indentQuotedContinuations(text);
    if (reindented !== text) {
      const retry = parseYamlDocument(reindented);
      if (retry.doc.errors.length === 0) parsed = retry;
    }
  }
  const { doc, lines } = parsed;
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    // the error's own linePos is only filled in with prettyErrors
    const pos = lines.linePos(problem.pos[0]);
    let msg = problem.message.split('\n')[0] ?? problem.message;
    if (problem.code === 'TAG_RESOLVE_FAILED') msg = `${msg} (known tags: ${TAGS.map((t) => `!<${t}>`).join(', ')})`;
    throw new RulesError(`invalid YAML: ${msg}`, undefined, source, pos.line, pos.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new RulesError(`invalid rules: ${(e as Error).message}`, undefined, source);
  }
  return { doc, lines, value };
}
function positionOf(p: Parsed, path: readonly PropertyKey[]): { line?: number; column?: number } {
  let node: unknown = p.doc.getIn(path as unknown[], true);
  // Missing key: point at the nearest existing parent.
  for (let n = path.length; node === undefined && n > 0; n--) node = p.doc.getIn(path.slice(0, n - 1) as unknown[], true);
  if (isNode(node) && (node as Node).range) {
    const pos = p.lines.linePos(((node as Node).range as [number, number, number])[0]);
    return { line: pos.line, column: pos.col };
  }
  return {};
}

const BULK_KEYS = [
  'columnsToPseudonymize',
  'columnsToPseudonymizeIfPresent',
  'columnsToRedact',
  'columnsToInclude',
  'columnsToRename',
  'columnsToDuplicate',
  'fieldsToTransform',
  'pseudonymFormat',
  'delimiter',
  'fileRules',
  'format',
  'outputSchemaFilter',
];

/** What kind of rules a parsed document holds (Psoxy tries Columnar, REST, MultiType, Record). */
export function rulesKind(value: unknown): 'rest' | 'bulk' | 'unknown' {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'unknown';
  const keys = Object.keys(value);
  if (keys.some((k) => k === 'endpoints' || k === 'allowAllEndpoints' || k === 'allowedRequestHeaders' || k === 'definitions')) {
    return 'rest';
  }
  if (keys.some((k) => BULK_KEYS.includes(k)) || (keys.includes('transforms') && !keys.includes('endpoints'))) return 'bulk';
  return keys.length === 0 ? 'bulk' : 'unknown';
}

function zodProblem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown propert${issue.keys.length > 1 ? 'ies' : 'y'} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    return `unknown transform method; expected one of ${TRANSFORM_METHODS.join(', ')}`;
  }
  return issue.message;
}

/**
 * Jackson reads an explicit `null` as a field left unset (Psoxy's files hold `responseSchema: null`):
 * so do the ruleset's and each endpoint's. Deeper values keep their nulls, which the model refuses
 * where Psoxy would fail too.
 */
function withoutNulls(value: unknown): unknown {
  const drop = (o: unknown): unknown =>
    o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) : o;
  const rules = drop(value) as Record<string, unknown>;
  if (Array.isArray(rules.endpoints)) rules.endpoints = rules.endpoints.map(drop);
  return rules;
}

function validateRest(p: Parsed, source: string | undefined): RestRules {
  const kind = rulesKind(p.value);
  if (kind === 'bulk') {
    throw new RulesError(
      'these are bulk (file) rules, not REST API rules; use them with `psoxy pseudonymize` / bulk mode',
      undefined,
      source,
    );
  }
  if (kind === 'unknown') {
    throw new RulesError('not a rules document: expected a mapping with `endpoints`', undefined, source);
  }
  const r = restRulesSchema.safeParse(withoutNulls(p.value), RULES_PARSE);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    let path = issue.path;
    // For a bad key, point at the object holding it.
    const where = positionOf(p, path);
    if (issue.code === 'unrecognized_keys') path = [...path];
    throw new RulesError(zodProblem(issue), describeLocation(p.value, path) || '(top level)', source, where.line, where.column);
  }
  return r.data;
}

/** Loads REST rules from native YAML/JSON or Psoxy's YAML dialect (base64 / gzip accepted). */
export function loadRestRules(text: string, opts: LoadRulesOptions = {}): RestRules {
  const candidates = decodeRulesText(text.trim());
  let first: unknown;
  for (const c of candidates) {
    try {
      return validateRest(parseYaml(c, opts.source), opts.source);
    } catch (e) {
      first ??= e;
    }
  }
  throw first;
}

/** Parses rules text without validating it (any kind). */
export function parseRulesText(text: string, opts: LoadRulesOptions = {}): unknown {
  return parseYaml(decodeRulesText(text.trim())[0] as string, opts.source).value;
}
