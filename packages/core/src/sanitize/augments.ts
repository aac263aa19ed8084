import { parseJson } from '../json/parse.js';
import { writeJson } from '../json/write.js';
import { type JsonValue, getKey, isJsonObject, keysOf, setKey } from '../json/value.js';
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
        // Psoxy swallows augment failures, a path that cannot be evaluated here included
        let refs: ReturnType<JsonPath['locate']>;
        try {
          refs = p.locate(doc);
        } catch {
          continue;
        }
        for (const ref of refs) {
          // Only a single property is a `...['leaf']` path: Jayway reports the names of a
          // multi-property leaf (`$..['a','b']`) as one path to their merged map, never a string.
          if (ref.kind !== 'property') continue;
          const { parent, key } = ref;
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
            // the field is left without a digest
          }
        }
      }
    },
  };
}
