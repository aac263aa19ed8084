import { JsonDouble, type JsonValue, hasKey, isJsonNumber, isJsonObject, keysOf } from './value.js';

export interface JsonEqualsOptions {
  /** Also require object keys in the same order (default false, as JSON comparison). */
  keyOrder?: boolean;
}

const isIntegerValue = (v: number | bigint | JsonDouble) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

function numbersEqual(a: number | bigint | JsonDouble, b: number | bigint | JsonDouble): boolean {
  if (isIntegerValue(a) && isIntegerValue(b)) return BigInt(a as number | bigint) === BigInt(b as number | bigint);
  return Number(a instanceof JsonDouble ? a.value : a) === Number(b instanceof JsonDouble ? b.value : b);
}

/**
 * Compares two JSON values as JSON: numbers by value (`1.6E9` equals `1600000000`), objects by
 * their entries (in any order unless `keyOrder` is set), arrays element by element.
 */
export function jsonEquals(a: JsonValue, b: JsonValue, opts: JsonEqualsOptions = {}): boolean {
  if (isJsonNumber(a) || isJsonNumber(b)) return isJsonNumber(a) && isJsonNumber(b) && numbersEqual(a, b);
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEquals(x, b[i] as JsonValue, opts));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ak = keysOf(a);
    const bk = keysOf(b);
    if (ak.length !== bk.length) return false;
    if (opts.keyOrder && ak.some((k, i) => k !== bk[i])) return false;
    return ak.every((k) => hasKey(b, k) && jsonEquals(a[k] as JsonValue, b[k] as JsonValue, opts));
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
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const k of keysOf(a)) if (!hasKey(b, k)) return `${path}['${k}']: only in the first`;
    for (const k of keysOf(b)) if (!hasKey(a, k)) return `${path}['${k}']: only in the second`;
    for (const k of keysOf(a)) {
      const d = jsonDiff(a[k] as JsonValue, b[k] as JsonValue, `${path}['${k}']`);
      if (d) return d;
    }
  }
  return `${path}: ${describe(a)} vs ${describe(b)}`;
}

function describe(v: JsonValue): string {
  if (v instanceof JsonDouble) return String(v.value);
  if (isJsonObject(v)) return '{object}';
  if (Array.isArray(v)) return '[array]';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
