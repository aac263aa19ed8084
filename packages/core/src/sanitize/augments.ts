import { parseJson } from '../json/parse.js';
import { writeJson } from '../json/write.js';
import { type JsonObject, type JsonValue, getKey, isJsonObject, keysOf, setKey } from '../json/value.js';
import { type JsonPath, compileJsonPath } from '../jsonpath/index.js';
import type { Augment } from '../rules/model.js';
import { RulesError } from '../rules/errors.js';
import { keywordSet, textDigest } from './text-digest.js';

export interface CompiledAugment {
  apply(doc: JsonValue): void;
}

function hasPlusKey(v: JsonValue): boolean {
  if (isJsonObject(v)) {
    for (const k of keysOf(v)) if (k.startsWith('+') || hasPlusKey(v[k] as JsonValue)) return true;
    return false;
  }
  if (Array.isArray(v)) return v.some(hasPlusKey);
  return false;
}

/** True if any key anywhere starts with `+`: then Psoxy skips every augment (already augmented). */
export function alreadyAugmented(doc: JsonValue): boolean {
  return hasPlusKey(doc);
}

/**
 * `textDigest` augment: beside each matched string leaf `x`, adds `"+x:textDigest"` with the
 * digest of its text (an object), or, with `innerJsonPath`, the embedded JSON with the inner
 * matches digested (a string). Later transforms still see (and can redact) the original field.
 */
export function compileAugment(a: Augment, location: string): CompiledAugment {
  if (a.method === 'sentenceMetadata') {
    throw new RulesError('the sentenceMetadata augment needs NLP models and is not supported', location);
  }
  const paths: JsonPath[] = a.jsonPaths.map((p) => compileJsonPath(p));
  const inner = a.innerJsonPath ? compileJsonPath(a.innerJsonPath) : undefined;
  const keys = keywordSet(a.keywords, true);
  return {
    apply(doc) {
      for (const p of paths) {
        for (const ref of p.locate(doc)) {
          const targets: [JsonObject, string][] =
            ref.kind === 'property'
              ? [[ref.parent, ref.key]]
              : ref.kind === 'properties'
                ? ref.keys.map((k) => [ref.parent, k] as [JsonObject, string])
                : [];
          for (const [parent, key] of targets) {
            const value = getKey(parent, key);
            if (typeof value !== 'string') continue;
            try {
              if (!inner) {
                setKey(parent, `+${key}:textDigest`, textDigest(value, keys));
                continue;
              }
              const embedded = parseJson(value);
              let hits = 0;
              inner.map(embedded, (x) => {
                if (typeof x !== 'string') return x;
                hits++;
                return writeJson(textDigest(x, keys));
              });
              if (hits > 0) setKey(parent, `+${key}:textDigest`, writeJson(embedded));
            } catch {
              // Psoxy swallows augment failures: the field is left without a digest.
            }
          }
        }
      }
    },
  };
}
