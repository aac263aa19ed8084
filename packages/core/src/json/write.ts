import { javaDoubleToString } from './java-number.js';
import { JsonDouble, type JsonObject, type JsonValue, hasKeyOrder, keysOf } from './value.js';

/** `\u00XX` escapes (not preceded by an escaping backslash) of control characters. */
const CONTROL_ESCAPE = /(?<=(?:^|[^\\])(?:\\\\)*)\\u00([01][0-9a-f])/g;

/**
 * Jackson writes control-character escapes in upper-case hex (`\u001F`); JSON.stringify in lower
 * case. Applied to JSON text produced by JSON.stringify.
 */
export function upperCaseControlEscapes(json: string): string {
  return json.includes('\\u00') ? json.replace(CONTROL_ESCAPE, (_m, hex: string) => `\\u00${hex.toUpperCase()}`) : json;
}

/**
 * Quotes a string as Jackson does: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
 * `\u00XX` (upper-case hex); `/`, U+007F, U+2028/2029 and other non-ASCII written raw. A lone
 * surrogate cannot be written as UTF-8, so it stays a `\udXXX` escape (as JSON.stringify writes it)
 * rather than being replaced: nothing of the value is lost.
 */
export function quoteJsonString(s: string): string {
  return upperCaseControlEscapes(JSON.stringify(s));
}

function writeNumber(v: number | bigint | JsonDouble): string {
  if (typeof v === 'bigint') return v.toString();
  const d = typeof v === 'number' ? v : v.value;
  if (typeof v === 'number' && Number.isInteger(d)) return d === 0 ? '0' : String(d);
  // Jackson's default (WRITE_NAN_AS_STRINGS) quotes non-finite doubles.
  return Number.isFinite(d) ? javaDoubleToString(d) : `"${javaDoubleToString(d)}"`;
}

function writeValue(v: JsonValue, out: string[]): void {
  switch (typeof v) {
    case 'string':
      out.push(quoteJsonString(v));
      return;
    case 'number':
    case 'bigint':
      out.push(writeNumber(v));
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
  }
  if (v === null) {
    out.push('null');
    return;
  }
  if (v instanceof JsonDouble) {
    out.push(writeNumber(v));
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      writeValue(v[i] as JsonValue, out);
    }
    out.push(']');
    return;
  }
  const o = v as JsonObject;
  out.push('{');
  const keys = hasKeyOrder(o) ? keysOf(o) : Object.keys(o);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const x = o[k];
    if (x === undefined) continue; // deleted
    out.push(first ? `${quoteJsonString(k)}:` : `,${quoteJsonString(k)}:`);
    first = false;
    writeValue(x, out);
  }
  out.push('}');
}

/** Serializes compactly, byte-for-byte as Jackson's default `ObjectMapper.writeValueAsString`. */
export function writeJson(v: JsonValue): string {
  const out: string[] = [];
  writeValue(v, out);
  return out.join('');
}

/**
 * Writes a document produced by `JSON.parse` (no doubles, big integers or reordered keys), using
 * the native serializer. Equal to {@link writeJson} for such documents.
 */
export function writeJsonNative(v: JsonValue, controlEscapes: boolean): string {
  const s = JSON.stringify(v);
  return controlEscapes ? upperCaseControlEscapes(s) : s;
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
  if (typeof v === 'object' && v !== null && !(v instanceof JsonDouble)) {
    const keys = keysOf(v);
    if (keys.length === 0) return '{ }';
    const inner = `${indent}  `;
    return `{\n${keys.map((k) => `${inner}${quoteJsonString(k)}:${writeJsonPretty(v[k] as JsonValue, inner)}`).join(',\n')}\n${indent}}`;
  }
  return writeJson(v);
}
