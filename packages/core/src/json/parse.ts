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
 * Whether the text may hold a number that Jackson reads as a double with an integral value written
 * with a fraction (`1.0`, `2.000`, `1.0e5`): `JSON.parse` would turn it into an integer. Searched
 * over the whole text, strings included: a false alarm only costs the exact parser.
 */
function mayHoldPointZero(text: string): boolean {
  const n = text.length;
  let i = text.indexOf('.0');
  while (i >= 0) {
    let j = i + 2;
    while (text.charCodeAt(j) === 48) j++;
    const before = text.charCodeAt(i - 1);
    if (before >= 48 && before <= 57) {
      const c = text.charCodeAt(j);
      if (j >= n || c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9 || c === 101 || c === 69) return true;
    }
    i = text.indexOf('.0', j);
  }
  return false;
}

// a digit, an exponent, and the end of the number (strings of hex digits rarely end that way)
const UNSIGNED_OR_SIGNED_EXPONENT = /[0-9][eE][-+]?[0-9]+(?:[\s,\]}]|$)/;

/**
 * Whether the text may hold a number written with an exponent (`1e5`, `1.5E3`), which Jackson reads
 * as a double: when its value is integral, `JSON.parse` would make it an integer. A regular
 * expression over the whole text (~5 ms for 7 MB), so it only runs when the parsed document holds
 * an integral number at all (a directory page holds none).
 */
function mayHoldExponent(text: string): boolean {
  return UNSIGNED_OR_SIGNED_EXPONENT.test(text);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const REDO = 2;
const DOUBLES = 1;
const INTEGRAL = 4;

/**
 * Flags of {@link inspectParsed} for one number: DOUBLES for a non-integral one, REDO beyond 2^53
 * (or beyond a double's range), INTEGRAL for any other (its text may have been `1e5`).
 */
function numberFlags(x: number): number {
  // an integer literal of 310 digits or more: JSON.parse makes it Infinity, Jackson a BigInteger
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return REDO;
  if (!Number.isInteger(x)) return DOUBLES;
  return x > MAX_SAFE || x < -MAX_SAFE ? REDO : INTEGRAL;
}

function inspectArray(v: JsonValue[]): number {
  let flags = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x === 'object' && x !== null) flags |= Array.isArray(x) ? inspectArray(x) : inspectObject(x as JsonObject);
    else if (typeof x === 'number') flags |= numberFlags(x);
    if (flags & REDO) return flags;
  }
  return flags;
}

function inspectObject(v: JsonObject): number {
  let flags = 0;
  let first = true;
  for (const k in v) {
    if (first) {
      first = false;
      // integer-like keys are enumerated first: if there is one, the first key is one
      const c = k.charCodeAt(0);
      if (c >= 48 && c <= 57 && isIndexKey(k)) return REDO;
    }
    const x = v[k];
    if (typeof x === 'object' && x !== null) flags |= Array.isArray(x) ? inspectArray(x) : inspectObject(x as JsonObject);
    else if (typeof x === 'number') flags |= numberFlags(x);
    if (flags & REDO) return flags;
  }
  // JSON.parse makes `__proto__` an own property; JS objects would treat it specially
  if (Object.hasOwn(v, '__proto__')) return REDO;
  return flags;
}

/**
 * Looks at what `JSON.parse` produced: an integer beyond 2^53 (precision lost), an integer-like
 * key (JS moved it first) or a `__proto__` key mean the exact parser must redo it (REDO); a
 * non-integral double means the output must be written with Java's number format (DOUBLES); an
 * integral number (INTEGRAL) that the text may have written with an exponent.
 */
function inspectParsed(doc: JsonValue): number {
  if (typeof doc === 'number') return numberFlags(doc);
  if (Array.isArray(doc)) return inspectArray(doc);
  if (typeof doc === 'object' && doc !== null) return inspectObject(doc as JsonObject);
  return 0;
}

export interface ParsedDocuments {
  docs: JsonValue[];
  /** True when the documents must be written by the exact writer (doubles, big integers...). */
  exact: boolean;
  /** Strings may hold control characters Jackson escapes in upper-case hex. */
  controlEscapes: boolean;
}

/**
 * Parses every top-level value, with `JSON.parse` when its result is faithful, else with the
 * exact parser. Invalid JSON always gets the exact parser's located error.
 */
export function parseJsonDocumentsAuto(text: string): ParsedDocuments {
  const t = stripBom(text);
  const controlEscapes = t.includes('\\u00');
  if (!mayHoldPointZero(t)) {
    let doc: JsonValue | undefined;
    try {
      doc = JSON.parse(t) as JsonValue;
    } catch {
      // several documents (NDJSON), or invalid: the exact parser handles both
    }
    if (doc !== undefined) {
      let flags: number;
      try {
        flags = inspectParsed(doc);
      } catch (e) {
        // nesting too deep for a recursive walk: the exact parser refuses it with a located error
        if (!(e instanceof RangeError)) throw e;
        flags = REDO;
      }
      if (!(flags & REDO) && !(flags & INTEGRAL && mayHoldExponent(t))) return { docs: [doc], exact: (flags & DOUBLES) !== 0, controlEscapes };
    }
  }
  return { docs: parseJsonDocuments(t), exact: true, controlEscapes };
}
