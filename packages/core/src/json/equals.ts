import { JsonDouble, type JsonValue } from './value.js';

export interface JsonEqualsOptions {
  /** Also require object keys in the same order (default false, as JSON comparison). */
  keyOrder?: boolean;
}

function numbersEqual(a: number | bigint | JsonDouble, b: number | bigint | JsonDouble): boolean {
  if (!(a instanceof JsonDouble) && !(b instanceof JsonDouble)) return BigInt(a) === BigInt(b);
  return Number(a instanceof JsonDouble ? a.value : a) === Number(b instanceof JsonDouble ? b.value : b);
}

const isNum = (v: JsonValue): v is number | bigint | JsonDouble =>
  typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble;

/**
 * Compares two JSON values as JSON: numbers by value (`1.6E9` equals `1600000000`), objects by
 * their entries (in any order unless `keyOrder` is set), arrays element by element.
 */
export function jsonEquals(a: JsonValue, b: JsonValue, opts: JsonEqualsOptions = {}): boolean {
  if (isNum(a) || isNum(b)) return isNum(a) && isNum(b) && numbersEqual(a, b);
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEquals(x, b[i] as JsonValue, opts));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    if (opts.keyOrder) {
      const bk = [...b.keys()];
      let i = 0;
      for (const k of a.keys()) if (k !== bk[i++]) return false;
    }
    for (const [k, x] of a) {
      if (!b.has(k) || !jsonEquals(x, b.get(k) as JsonValue, opts)) return false;
    }
    return true;
  }
  return false;
}

/** The first place two JSON values differ, as a JSONPath-like location, or undefined if equal. */
export function jsonDiff(a: JsonValue, b: JsonValue, path = '$'): string | undefined {
  if (jsonEquals(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: array length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = jsonDiff(a[i] as JsonValue, b[i] as JsonValue, `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (a instanceof Map && b instanceof Map) {
    for (const k of a.keys()) if (!b.has(k)) return `${path}['${k}']: only in the first`;
    for (const k of b.keys()) if (!a.has(k)) return `${path}['${k}']: only in the second`;
    for (const [k, x] of a) {
      const d = jsonDiff(x, b.get(k) as JsonValue, `${path}['${k}']`);
      if (d) return d;
    }
  }
  return `${path}: ${describe(a)} vs ${describe(b)}`;
}

function describe(v: JsonValue): string {
  if (v instanceof JsonDouble) return String(v.value);
  if (v instanceof Map) return '{object}';
  if (Array.isArray(v)) return '[array]';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
