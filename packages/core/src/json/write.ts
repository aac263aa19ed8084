import { javaDoubleToString } from './java-number.js';
import { JsonDouble, type JsonValue } from './value.js';

// Characters Jackson escapes, plus surrogates (so that lone ones can be escaped, see below).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const HEX = '0123456789ABCDEF';

/**
 * Quotes a string as Jackson does: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
 * `\u00XX` (upper-case hex); `/`, U+007F, U+2028/2029 and all other non-ASCII are written raw.
 * A lone surrogate cannot be written as UTF-8, so it is kept as a `\uDXXX` escape rather than
 * being replaced: nothing of the value is lost.
 */
export function quoteJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let chunk = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 32) {
      switch (c) {
        case 8:
          rep = '\\b';
          break;
        case 9:
          rep = '\\t';
          break;
        case 10:
          rep = '\\n';
          break;
        case 12:
          rep = '\\f';
          break;
        case 13:
          rep = '\\r';
          break;
        default:
          rep = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
      }
    } else if (c === 34) {
      rep = '\\"';
    } else if (c === 92) {
      rep = '\\\\';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: written raw
        continue;
      }
      rep = `\\u${c.toString(16).toUpperCase()}`;
    } else {
      continue;
    }
    out += s.slice(chunk, i) + rep;
    chunk = i + 1;
  }
  return `${out + s.slice(chunk)}"`;
}

function writeNumber(v: number | bigint | JsonDouble): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return v.toString();
  const d = v.value;
  // Jackson's default (WRITE_NAN_AS_STRINGS) quotes non-finite doubles.
  return Number.isFinite(d) ? javaDoubleToString(d) : `"${javaDoubleToString(d)}"`;
}

/** Serializes compactly, byte-for-byte as Jackson's default `ObjectMapper.writeValueAsString`. */
export function writeJson(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return quoteJsonString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return writeNumber(v);
  }
  if (v instanceof JsonDouble) return writeNumber(v);
  if (Array.isArray(v)) {
    const n = v.length;
    if (n === 0) return '[]';
    let out = `[${writeJson(v[0] as JsonValue)}`;
    for (let i = 1; i < n; i++) out += `,${writeJson(v[i] as JsonValue)}`;
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const [k, x] of v) {
    out += `${first ? '' : ','}${quoteJsonString(k)}:${writeJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Pretty-prints as Psoxy's fixtures are written (Jackson `DefaultPrettyPrinter`
 * `.withoutSpacesInObjectEntries()`, arrays indented too): two spaces per level, `"key":value`,
 * `[ ]` and `{ }` for empty containers.
 */
export function writeJsonPretty(v: JsonValue, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    const inner = `${indent}  `;
    return `[\n${v.map((x) => inner + writeJsonPretty(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v instanceof Map) {
    if (v.size === 0) return '{ }';
    const inner = `${indent}  `;
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(`${inner}${quoteJsonString(k)}:${writeJsonPretty(x, inner)}`);
    return `{\n${parts.join(',\n')}\n${indent}}`;
  }
  return writeJson(v);
}
