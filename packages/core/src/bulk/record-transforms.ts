import { JsonDouble, type JsonValue, isJsonObject } from '../json/value.js';
import { type JsonPath, compileJsonPath } from '../jsonpath/index.js';
import { isBlank } from '../regex/strings.js';
import { RulesError } from '../rules/errors.js';
import { RULES_PARSE, transformSchema } from '../rules/model.js';
import { SchemaFilterEngine } from '../sanitize/schema-filter.js';
import { type CompiledTransform, type SanitizeContext, compileTransform } from '../sanitize/transforms.js';
import { BoundedMemo } from './columnar.js';
import type { RecordRules, RecordTransform } from './rules.js';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A record failed a transform: the file fails. */
export class RecordTransformError extends Error {
  override readonly name = 'RecordTransformError';
}

function compilePaths(paths: readonly string[], where: string): JsonPath[] {
  return paths.map((p) => {
    try {
      return compileJsonPath(p);
    } catch (e) {
      throw new RulesError((e as Error).message, where);
    }
  });
}

type RecordStep = (doc: JsonValue, ctx: SanitizeContext) => void;

/** A String, Integer or Long as Jackson reads it: what Psoxy's record `pseudonymize` accepts. */
function isIdScalar(v: JsonValue): v is string | number | bigint {
  if (typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isInteger(v);
  if (typeof v === 'bigint') return v >= LONG_MIN && v <= LONG_MAX;
  return false;
}

function describe(v: JsonValue): string {
  if (v instanceof JsonDouble || typeof v === 'number') return 'a decimal number';
  if (typeof v === 'bigint') return 'an integer beyond 64 bits';
  if (Array.isArray(v)) return 'an array';
  if (isJsonObject(v)) return 'an object';
  return typeof v;
}

function compileStep(t: RecordTransform, where: string): RecordStep {
  if ('redact' in t) {
    // Psoxy's record redact maps the value to null; the key stays
    const paths = compilePaths(t.redact, where);
    return (doc) => {
      for (const p of paths) p.map(doc, () => null);
    };
  }
  if ('pseudonymize' in t) {
    const paths = compilePaths(t.pseudonymize, where);
    const memo = new BoundedMemo();
    return (doc, ctx) => {
      for (const p of paths) {
        if (p.read(doc).length === 0) continue;
        p.map(doc, (v) => {
          if (v === null) return null;
          if (typeof v === 'string' && isBlank(v)) return v;
          if (!isIdScalar(v)) throw new RecordTransformError(`pseudonymize at ${p.source} matched ${describe(v)}; only strings and integers can be pseudonymized`);
          if (typeof v !== 'string') return ctx.pseudonymizer.pseudonymToken(v);
          return memo.get(v, (k) => ctx.pseudonymizer.pseudonymToken(k));
        });
      }
    };
  }
  // tokenize and the digests are the REST transforms of the same name
  let rest: CompiledTransform;
  try {
    if ('tokenize' in t) rest = compileTransform(transformSchema.parse({ method: 'tokenize', jsonPaths: t.tokenize }, RULES_PARSE));
    else if ('textDigest' in t) rest = compileTransform(transformSchema.parse({ method: 'textDigest', jsonPaths: t.textDigest }, RULES_PARSE));
    else {
      const k = t.textDigestKeywords;
      rest = compileTransform(transformSchema.parse({ method: 'textDigest', jsonPaths: k.jsonPaths, keywords: k.keywords }, RULES_PARSE));
    }
  } catch (e) {
    throw new RulesError((e as Error).message, where);
  }
  return (doc, ctx) => rest.apply(doc, ctx);
}

/** Record rules compiled once per file: the transforms in order, then the output schema filter. */
export interface CompiledRecordRules {
  apply(doc: JsonValue, ctx: SanitizeContext): JsonValue;
  readonly needsEncryptionKey: boolean;
}

export function compileRecordRules(rules: RecordRules): CompiledRecordRules {
  const steps = rules.transforms.map((t, i) => compileStep(t, `transforms[${i}] (${Object.keys(t)[0]})`));
  const schema = rules.outputSchemaFilter;
  const filter = schema ? new SchemaFilterEngine(schema.definitions ?? {}) : undefined;
  return {
    needsEncryptionKey: rules.transforms.some((t) => 'tokenize' in t),
    apply(doc, ctx) {
      for (const s of steps) s(doc, ctx);
      return filter && schema ? filter.filter(doc, schema) : doc;
    },
  };
}

