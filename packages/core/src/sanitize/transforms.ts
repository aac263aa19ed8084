import { parseJson } from '../json/parse.js';
import { writeJson } from '../json/write.js';
import type { JsonObject, JsonValue } from '../json/value.js';
import { JsonPathSet } from '../jsonpath/compile.js';
import { type JsonPath, compileJsonPath } from '../jsonpath/index.js';
import { formatEmail, isValidAddressList, parseAddressList } from '../pseudonym/email.js';
import { type PseudonymizedIdentity, PseudonymizationError, Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import { javaPattern } from '../regex/pattern.js';
import { isBlank, javaReplaceLiteral, javaTrim } from '../regex/strings.js';
import type { Transform } from '../rules/model.js';
import { keywordSet, textDigest } from './text-digest.js';

/** Per-request options that change how transforms behave. */
export interface SanitizeContext {
  pseudonymizer: Pseudonymizer;
  /** `X-Psoxy-Pseudonym-Implementation: v0.3`: reversible URL_SAFE_TOKENs fall back to JSON. */
  legacyPseudonyms?: boolean;
  /**
   * Tokens already computed for this response (a response repeats the same people many times).
   * Made per response by the sanitizer; never shared between requests.
   */
  memo?: TokenMemo;
}

/**
 * Per-response memo of tokens. A calendar page names the same few hundred people thousands of
 * times; a directory page names each person once. The memo watches its hit rate and stops itself
 * when values do not repeat, so it never costs more than it saves.
 */
export class TokenMemo {
  private readonly plain = new Map<string, string | null>();
  private readonly reversible = new Map<string, string | null>();
  private lookups = 0;
  private hits = 0;
  private active = true;

  token(pseudonymizer: Pseudonymizer, v: JsonValue, opts: { includeReversible: boolean }): string | null {
    if (typeof v !== 'string') return pseudonymizer.pseudonymToken(v, opts);
    // Reversible tokens (AES) are dear enough to always keep; plain hashes only if they repeat.
    if (opts.includeReversible) {
      const hit = this.reversible.get(v);
      if (hit !== undefined) return hit;
      const t = pseudonymizer.pseudonymToken(v, opts);
      this.reversible.set(v, t);
      return t;
    }
    if (!this.active) return pseudonymizer.pseudonymToken(v, opts);
    const hit = this.plain.get(v);
    this.lookups++;
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    const t = pseudonymizer.pseudonymToken(v, opts);
    this.plain.set(v, t);
    if (this.lookups === 2000 && this.hits < 200) {
      this.active = false;
      this.plain.clear();
    }
    return t;
  }
}

/** A URL-safe token, memoized for the response when the context carries a memo. */
function memoToken(ctx: SanitizeContext, v: JsonValue, opts: { includeReversible: boolean }): string | null {
  return ctx.memo ? ctx.memo.token(ctx.pseudonymizer, v, opts) : ctx.pseudonymizer.pseudonymToken(v, opts);
}

/** A transform that failed on a value: sanitization stops and nothing is returned. */
export class TransformError extends Error {
  override readonly name = 'TransformError';
}

type MapFn = (v: JsonValue, ctx: SanitizeContext) => JsonValue;

export interface CompiledTransform {
  readonly method: Transform['method'];
  readonly paths: readonly JsonPath[];
  apply(doc: JsonValue, ctx: SanitizeContext): void;
}

/** JSON text of a pseudonymized identity (Jackson field order: domain, hash, original, reversible). */
export function identityJson(id: PseudonymizedIdentity | null): string {
  if (id === null) return 'null';
  const m: JsonObject = {};
  if (id.domain !== undefined) m.domain = id.domain;
  m.hash = id.hash;
  if (id.original !== undefined) m.original = id.original;
  if (id.reversible !== undefined) m.reversible = id.reversible;
  return writeJson(m);
}

const isString = (v: JsonValue): v is string => typeof v === 'string';

/** The common prologue of Psoxy's string transforms: non-string -> null, blank -> unchanged. */
function stringTransform(f: (s: string, ctx: SanitizeContext) => JsonValue): MapFn {
  return (v, ctx) => {
    if (!isString(v)) return null;
    if (isBlank(v)) return v;
    return f(v, ctx);
  };
}

function compileMapFn(t: Transform): MapFn {
  switch (t.method) {
    case 'redact':
      throw new Error('redact is a delete, not a map');
    case 'pseudonymize': {
      // as Psoxy's rules validator: a URL-safe token has no room for the original value
      if (t.includeOriginal && t.encoding === 'URL_SAFE_TOKEN') {
        throw new TransformError('pseudonymize: includeOriginal needs encoding JSON (a URL_SAFE_TOKEN pseudonym cannot carry the original value)');
      }
      const opts = { includeReversible: t.includeReversible, includeOriginal: t.includeOriginal };
      switch (t.encoding) {
        case 'URL_SAFE_TOKEN':
          return (v, ctx) => {
            if (ctx.legacyPseudonyms && opts.includeReversible) {
              // v0.3 callers cannot take reversible URL-safe tokens: they get the JSON form
              const id = ctx.pseudonymizer.pseudonymize(v, opts);
              return id === null ? null : identityJson(id);
            }
            return memoToken(ctx, v, opts);
          };
        case 'JSON':
          return (v, ctx) => identityJson(ctx.pseudonymizer.pseudonymize(v, opts));
        case 'URL_SAFE_HASH_ONLY':
          return (v, ctx) => {
            const id = ctx.pseudonymizer.pseudonymize(v, opts);
            if (id === null) throw new TransformError('URL_SAFE_HASH_ONLY cannot encode a null or blank value');
            return id.hash;
          };
      }
      break;
    }
    case 'pseudonymizeEmailHeader': {
      const json = t.encoding === 'JSON';
      return (v, ctx) => {
        if (v === null) return null;
        if (!isString(v)) throw new TransformError('pseudonymizeEmailHeader matched a value that is not a string');
        if (isBlank(v)) return '';
        if (!isValidAddressList(v)) return null;
        const ids = parseAddressList(v).map((a) => ctx.pseudonymizer.pseudonymize(formatEmail(a)));
        if (json) return `[${ids.map((id) => identityJson(id)).join(',')}]`;
        return ids.map((id) => (id ? Pseudonymizer.token(id) : 'null')).join(',');
      };
    }
    case 'pseudonymizeRegexMatches': {
      const re = javaPattern(t.regex);
      const opts = { includeReversible: t.includeReversible };
      return (v, ctx) => {
        if (v === null) return null;
        if (!isString(v)) throw new TransformError('pseudonymizeRegexMatches matched a value that is not a string');
        if (isBlank(v)) return null;
        let out = '';
        let last = 0;
        let replaced = false;
        for (const m of re.findAll(v)) {
          const useGroup = m.groupCount > 0;
          const candidate = useGroup ? m.group(1) : m.group(0);
          if (candidate === undefined || isBlank(candidate)) continue;
          const start = useGroup ? (m.groupStart(1) as number) : m.start;
          const id = ctx.pseudonymizer.pseudonymize(candidate, opts);
          if (!id) continue;
          out += v.slice(last, start) + Pseudonymizer.token(id);
          last = start + candidate.length;
          replaced = true;
        }
        return replaced ? out + v.slice(last) : null;
      };
    }
    case 'redactRegexMatches': {
      const res = t.redactions.map((r) => javaPattern(r));
      return stringTransform((s) => res.reduce((acc, re) => re.replaceAllLiteral(acc, ''), s));
    }
    case 'redactExceptPhrases': {
      // Built exactly as Psoxy does (a phrase containing `\E` ends the quoting early there too),
      // and searched for (`find()`): a phrase on any line of a multi-line value counts.
      const res = t.allowedPhrases.map((p) => javaPattern(`\\b(\\Q${p}\\E)[\\s:]*\\b`, { caseInsensitive: true }));
      return stringTransform((s) =>
        res
          .map((re) => re.find(s))
          .filter((m) => m !== null)
          .map((m) => m.group(1))
          .join(','),
      );
    }
    case 'redactExceptSubstringsMatchingRegexes': {
      const res = t.exceptions.map((r) => javaPattern(`.*?(${r}).*?`));
      return stringTransform((s) => {
        let best: string | undefined;
        for (const re of res) {
          const m = re.matches(s);
          const g = m?.group(1);
          if (g !== undefined && (best === undefined || g.length > best.length)) best = g;
        }
        return best ?? '';
      });
    }
    case 'filterTokenByRegex': {
      const filters = t.filters.map((f) => javaPattern(f));
      const delimiter = t.delimiter === null ? null : javaPattern(t.delimiter);
      return stringTransform((s) => {
        const tokens = delimiter ? delimiter.split(s) : [s];
        const kept = tokens.filter((tok) => filters.some((f) => f.test(tok)));
        const joined = javaTrim(kept.join(' '));
        return joined === '' ? null : joined;
      });
    }
    case 'tokenize': {
      const re = t.regex ? javaPattern(t.regex) : undefined;
      return stringTransform((s, ctx) => {
        if (!re) return ctx.pseudonymizer.tokenize(s);
        const m = re.matches(s);
        if (!m) return s;
        const g = m.group(1);
        // a regex without a group 1 that took part: Java fails here (IndexOutOfBounds or a null
        // group), and passing the value on as it is would let it out unprotected
        if (g === undefined) throw new TransformError(`tokenize: regex '${t.regex}' matched a value but has no group 1 to tokenize`);
        return javaReplaceLiteral(s, g, ctx.pseudonymizer.tokenize(g));
      });
    }
    case 'hashIp':
      return stringTransform((s, ctx) => ctx.pseudonymizer.hashIp(s));
    case 'encryptIp':
      return stringTransform((s, ctx) => ctx.pseudonymizer.encryptIp(s));
    case 'textDigest': {
      const keys = keywordSet(t.keywords, false);
      const inner = t.isJsonEscaped && t.jsonPathToProcessWhenEscaped ? compileJsonPath(t.jsonPathToProcessWhenEscaped) : undefined;
      return (v) => {
        if (!isString(v)) return null;
        if (!inner) return writeJson(textDigest(v, keys));
        const embedded = parseJson(v);
        inner.map(embedded, (x) => (isString(x) ? writeJson(textDigest(x, keys)) : null));
        return writeJson(embedded);
      };
    }
  }
  throw new Error(`unknown transform ${(t as { method: string }).method}`);
}

/** Compiles a transform: JSONPaths and regexes once, for every document it will see. */
export function compileTransform(t: Transform): CompiledTransform {
  const paths = t.jsonPaths.map((p) => compileJsonPath(p));
  // deep scans may share walks where that cannot change what a mapping function is called on
  // (scan-run.ts): deleting calls none, and pseudonymizing fails on any container it would replace
  const set = new JsonPathSet(paths, { shareScans: t.method === 'redact' || t.method === 'pseudonymize' });
  // a blank applyOnlyWhen is none, as in Psoxy
  const when = t.applyOnlyWhen?.trim() ? compileJsonPath(t.applyOnlyWhen) : undefined;
  if (when?.definite) {
    throw new TransformError(`applyOnlyWhen '${t.applyOnlyWhen}' must be a filter (an indefinite path), not a definite path`);
  }
  const applies = (doc: JsonValue) => !when || when.read(doc).length > 0;
  if (t.method === 'redact') {
    return {
      method: t.method,
      paths,
      apply(doc) {
        if (!applies(doc)) return;
        set.delete(doc);
      },
    };
  }
  const f = compileMapFn(t);
  return {
    method: t.method,
    paths,
    apply(doc, ctx) {
      if (!applies(doc)) return;
      const fn = (v: JsonValue) => {
        try {
          return f(v, ctx);
        } catch (e) {
          if (e instanceof PseudonymizationError || e instanceof TransformError) throw e;
          throw new TransformError(`${t.method} failed: ${(e as Error).message}`);
        }
      };
      set.map(doc, fn);
    },
  };
}
