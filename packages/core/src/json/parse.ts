import { JsonDouble, type JsonArray, type JsonObject, type JsonValue, isIndexKey, setKey as setKeyOrdered } from './value.js';

/** Same limits as Jackson's default `StreamReadConstraints`, so hostile input fails as in Psoxy. */
export const MAX_NESTING_DEPTH = 1000;
export const MAX_NUMBER_LENGTH = 1000;

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

const MAX_SAFE_DIGITS = 15;

/**
 * A strict JSON parser into the engine's model ({@link JsonValue}). Hand-written because
 * `JSON.parse` cannot keep integers beyond 2^53, cannot tell `1.0` from `1`, and reorders
 * integer-like object keys. {@link parseJsonDocumentsAuto} uses `JSON.parse` when none of that
 * occurs in the text.
 */
class Parser {
  pos = 0;
  depth = 0;
  constructor(readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(reason, at, line, at - lineStart + 1);
  }

  skipWs(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.text.length;
  }

  value(): JsonValue {
    this.skipWs();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.object();
      case 91: // [
        return this.array();
      case 34: // "
        return this.string();
      case 116: // t
        return this.literal('true', true);
      case 102: // f
        return this.literal('false', false);
      case 110: // n
        return this.literal('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        if (this.pos >= this.text.length) this.fail('unexpected end of input');
        return this.fail(`unexpected character ${describe(this.text, this.pos)}`);
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token ${describe(this.text, this.pos)}`);
    this.pos += word.length;
    return v;
  }

  object(): JsonObject {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`);
    const t = this.text;
    const m: JsonObject = {};
    let ordered = false;
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      return m;
    }
    for (;;) {
      if (t.charCodeAt(this.pos) !== 34) {
        this.fail(this.pos >= t.length ? 'unexpected end of input in an object' : 'expected a property name in double quotes');
      }
      const key = this.string();
      this.skipWs();
      if (t.charCodeAt(this.pos) !== 58) this.fail("expected ':' after a property name");
      this.pos++;
      const v = this.value();
      // Assignment keeps the first position of a duplicate key and the last value, as Jackson does.
      if (ordered || key === '__proto__' || isIndexKey(key)) {
        ordered = true;
        setKeyOrdered(m, key, v);
      } else {
        m[key] = v;
      }
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipWs();
        continue;
      }
      if (c === 125) {
        this.pos++;
        this.depth--;
        return m;
      }
      this.fail(this.pos >= t.length ? 'unexpected end of input in an object' : "expected ',' or '}'");
    }
  }

  array(): JsonArray {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`);
    const t = this.text;
    const a: JsonArray = [];
    this.pos++;
    this.skipWs();
    if (t.charCodeAt(this.pos) === 93) {
      this.pos++;
      this.depth--;
      return a;
    }
    for (;;) {
      a.push(this.value());
      this.skipWs();
      const c = t.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        this.depth--;
        return a;
      }
      this.fail(this.pos >= t.length ? 'unexpected end of input in an array' : "expected ',' or ']'");
    }
  }

  string(): string {
    const t = this.text;
    const len = t.length;
    const start = this.pos + 1;
    let p = start;
    while (p < len) {
      const c = t.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === 92) return this.escapedString(start, p);
      if (c < 32) this.fail('unescaped control character in a string', p);
      p++;
    }
    return this.fail('unterminated string', start - 1);
  }

  escapedString(start: number, firstEscape: number): string {
    const t = this.text;
    const len = t.length;
    let out = t.slice(start, firstEscape);
    let p = firstEscape;
    let chunk = p;
    while (p < len) {
      const c = t.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return out + t.slice(chunk, p);
      }
      if (c < 32) this.fail('unescaped control character in a string', p);
      if (c !== 92) {
        p++;
        continue;
      }
      out += t.slice(chunk, p);
      const e = t.charCodeAt(p + 1);
      switch (e) {
        case 34:
          out += '"';
          break;
        case 92:
          out += '\\';
          break;
        case 47:
          out += '/';
          break;
        case 98:
          out += '\b';
          break;
        case 102:
          out += '\f';
          break;
        case 110:
          out += '\n';
          break;
        case 114:
          out += '\r';
          break;
        case 116:
          out += '\t';
          break;
        case 117: {
          const hex = t.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', p);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.fail(`invalid escape ${describe(t, p + 1)}`, p);
      }
      p += 2;
      chunk = p;
    }
    return this.fail('unterminated string', start - 1);
  }

  number(): number | bigint | JsonDouble {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 45) p++;
    const intStart = p;
    let c = t.charCodeAt(p);
    if (c === 48) {
      p++;
      c = t.charCodeAt(p);
      if (c >= 48 && c <= 57) this.fail('leading zeroes are not allowed', start);
    } else if (c >= 49 && c <= 57) {
      do c = t.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    } else {
      this.fail('invalid number', start);
    }
    const intDigits = p - intStart;
    let isDouble = false;
    if (c === 46) {
      isDouble = true;
      c = t.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) this.fail('expected a digit after the decimal point', p);
      do c = t.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      isDouble = true;
      c = t.charCodeAt(++p);
      if (c === 43 || c === 45) c = t.charCodeAt(++p);
      if (!(c >= 48 && c <= 57)) this.fail('expected a digit in the exponent', p);
      do c = t.charCodeAt(++p);
      while (c >= 48 && c <= 57);
    }
    if (p - start > MAX_NUMBER_LENGTH) this.fail(`number longer than ${MAX_NUMBER_LENGTH} characters`, start);
    this.pos = p;
    const lexeme = t.slice(start, p);
    if (isDouble) {
      const d = Number(lexeme);
      // Non-integral doubles are plain numbers; integral ones need a box to stay doubles.
      return Number.isInteger(d) || !Number.isFinite(d) ? new JsonDouble(d) : d;
    }
    if (intDigits <= MAX_SAFE_DIGITS) {
      const n = Number(lexeme);
      return n === 0 ? 0 : n; // Jackson reads "-0" as the integer 0
    }
    const big = BigInt(lexeme);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
  }
}

function describe(text: string, at: number): string {
  const ch = text.codePointAt(at);
  if (ch === undefined) return 'end of input';
  return ch >= 32 && ch < 127 ? `'${String.fromCodePoint(ch)}'` : `U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses exactly one JSON value (surrounding whitespace allowed). */
export function parseJson(text: string): JsonValue {
  const p = new Parser(stripBom(text));
  const v = p.value();
  if (!p.atEnd()) p.fail('unexpected content after the JSON value');
  return v;
}

/**
 * Parses every top-level JSON value in `text`, as Jackson's value iterator does: NDJSON, or values
 * simply concatenated (`{}{}`). Whitespace-only text gives no values.
 */
export function parseJsonDocuments(text: string): JsonValue[] {
  const p = new Parser(stripBom(text));
  const out: JsonValue[] = [];
  while (!p.atEnd()) out.push(p.value());
  return out;
}

/** Decodes UTF-8 strictly: invalid bytes are an error rather than silently replaced. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new JsonSyntaxError('input is not valid UTF-8', 0, 1, 1);
  }
}

/**
 * Decides whether `JSON.parse` would give exactly what the exact parser gives: no number with a
 * fraction or exponent, no integer of 16+ digits, no integer-like or `__proto__` key. Strings are
 * skipped with `indexOf`, so this costs a fraction of a parse. Also reports whether any string
 * holds a control character escape that Jackson writes in upper-case hex (JSON.stringify would use
 * lower case).
 */
export function prescanJson(text: string): { exact: boolean; controlEscapes: boolean } {
  const n = text.length;
  let controlEscapes = false;
  // The next backslash at or after the current string: found once and reused until passed.
  let nextBackslash = text.indexOf('\\');
  if (nextBackslash < 0) nextBackslash = n;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: jump to its end, looking at escapes only if there is one inside
      const start = i + 1;
      let end = text.indexOf('"', start);
      if (end < 0) return { exact: true, controlEscapes }; // invalid: the exact parser says where
      while (nextBackslash < end) {
        const p = nextBackslash;
        if (text.charCodeAt(p + 1) === 117 && text.charCodeAt(p + 2) === 48 && text.charCodeAt(p + 3) === 48) {
          const code = Number.parseInt(text.slice(p + 4, p + 6), 16);
          if (code < 32 && code !== 8 && code !== 9 && code !== 10 && code !== 12 && code !== 13) controlEscapes = true;
        }
        // the escaped char may be the quote we took for the end
        if (p + 1 === end) {
          end = text.indexOf('"', end + 1);
          if (end < 0) return { exact: true, controlEscapes };
        }
        nextBackslash = text.indexOf('\\', p + 2);
        if (nextBackslash < 0) nextBackslash = n;
      }
      i = end + 1;
      // a key? (string followed by ':')
      let k = i;
      let e = text.charCodeAt(k);
      while (e === 32 || e === 10 || e === 13 || e === 9) e = text.charCodeAt(++k);
      if (e === 58) {
        const first = text.charCodeAt(start);
        if ((first >= 48 && first <= 57) || first === 95) {
          const key = text.slice(start, end);
          if (key === '__proto__' || isIndexKey(key)) return { exact: true, controlEscapes };
        }
      }
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      let j = c === 45 ? i + 1 : i;
      const digitsStart = j;
      let d = text.charCodeAt(j);
      while (d >= 48 && d <= 57) d = text.charCodeAt(++j);
      if (d === 46 || d === 101 || d === 69 || j - digitsStart > MAX_SAFE_DIGITS) return { exact: true, controlEscapes };
      i = j;
      continue;
    }
    i++;
  }
  return { exact: false, controlEscapes };
}

export interface ParsedDocuments {
  docs: JsonValue[];
  /** True when the exact parser was needed (doubles, big integers, integer-like keys...). */
  exact: boolean;
  /** Strings hold control characters Jackson escapes in upper-case hex. */
  controlEscapes: boolean;
}

/**
 * Parses every top-level value, with `JSON.parse` when it is faithful (see {@link prescanJson}),
 * else with the exact parser. Invalid JSON always gets the exact parser's located error.
 */
export function parseJsonDocumentsAuto(text: string): ParsedDocuments {
  const t = stripBom(text);
  const scan = prescanJson(t);
  if (!scan.exact) {
    try {
      return { docs: [JSON.parse(t) as JsonValue], exact: false, controlEscapes: scan.controlEscapes };
    } catch {
      // several documents (NDJSON), or invalid: the exact parser handles both
    }
  }
  return { docs: parseJsonDocuments(t), exact: true, controlEscapes: scan.controlEscapes };
}
