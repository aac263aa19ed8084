import { type JsonObject, setKey } from '../json/value.js';
import { javaPattern } from '../regex/pattern.js';
import { javaTrim } from '../regex/strings.js';

const WHITESPACE = javaPattern('\\s+');
const NON_WORD = javaPattern('\\W+');

/**
 * Psoxy's text digest: `{keywords?, length, word_count}` with keys sorted; `length` in UTF-16
 * units, `word_count` as Java `text.trim().split("\\s+").length`, keyword counts over
 * `text.toLowerCase().split("\\W+")`.
 */
export function textDigest(text: string, keywords: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  if (text.length === 0) {
    out.length = 0;
    out.word_count = 0;
    return out;
  }
  let matched: Map<string, number> | undefined;
  if (keywords.size > 0) {
    for (const t of NON_WORD.split(text.toLowerCase())) {
      if (keywords.has(t)) {
        matched ??= new Map();
        matched.set(t, (matched.get(t) ?? 0) + 1);
      }
    }
  }
  if (matched) {
    const sorted: JsonObject = {};
    for (const [k, n] of [...matched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) setKey(sorted, k, n);
    out.keywords = sorted;
  }
  out.length = text.length;
  out.word_count = WHITESPACE.split(javaTrim(text)).length;
  return out;
}

export function keywordSet(keywords: readonly string[], ignoreBlank: boolean): Set<string> {
  return new Set(keywords.filter((k) => !ignoreBlank || k.trim() !== '').map((k) => k.toLowerCase()));
}
