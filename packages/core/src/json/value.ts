/**
 * The JSON data model of the engine: plain JS values, so that the common case is exactly what
 * `JSON.parse` produces (and `JSON.stringify` can write), with the few extra pieces needed to
 * round-trip a document exactly as Psoxy's Jackson model does:
 * - integers beyond 2^53 are `bigint` (exact digits kept);
 * - a number written with a fraction or exponent is a Java double: a non-integral JS number, or a
 *   {@link JsonDouble} box when its value is integral (`1.0` must stay `1.0`, not become `1`);
 * - objects keep insertion order for every key. JS objects put integer-like keys first, so an
 *   object holding such keys carries its real key order on the side (see {@link keysOf}).
 * - a deleted key is a key whose value is `undefined` (a tombstone): `delete` would turn the object
 *   into a slow dictionary, while `undefined` keeps its shape and `JSON.stringify` skips it.
 * Always go through the helpers below to read keys: tombstones and an object's prototype are never
 * seen through them.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonDouble | JsonArray | JsonObject;
export type JsonArray = JsonValue[];
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON number that Jackson reads as a Java `double` but whose value is integral (`1.0`, `1e5`). */
export class JsonDouble {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/**
 * Key order of objects that hold integer-like keys (JS would iterate those first). A symbol
 * property: invisible to Object.keys, for-in and JSON.stringify, and cheap to test on hot paths.
 */
const ORDER: unique symbol = Symbol('psoxy.keyOrder');
type Ordered = JsonObject & { [ORDER]?: string[] };
let orderedCreated = 0;
/**
 * How many objects needing a side key order were ever made. A caller that wrote a document with
 * `JSON.stringify` checks this did not change (native serialization would reorder such keys).
 */
export function orderedObjectCount(): number {
  return orderedCreated;
}

const MAX_INDEX = 4294967294;
/** Whether JS treats `k` as an array index (and so iterates it before other keys). */
export function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57 || k.length > 10) return false;
  if (k === '0') return true;
  if (c === 48) return false;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number(k) <= MAX_INDEX;
}

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonDouble);
export const isJsonArray = (v: unknown): v is JsonArray => Array.isArray(v);
export const isContainer = (v: unknown): v is JsonObject | JsonArray =>
  typeof v === 'object' && v !== null && !(v instanceof JsonDouble);
export const isJsonNumber = (v: unknown): v is number | bigint | JsonDouble =>
  typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble;
/** A JSON number that Jackson holds as a double (as opposed to an integer). */
export const isJsonDouble = (v: unknown): boolean => v instanceof JsonDouble || (typeof v === 'number' && !Number.isInteger(v));

/**
 * The engine's own copy of a property name, as V8 stores property names (an internalized string).
 * Names cut out of a JSONPath or rule text are not, and a lookup by such a name must first find
 * the stored copy (a string-table search, on every lookup); rules look names up millions of times.
 */
export function internKey(name: string): string {
  return Object.keys({ [name]: 0 })[0] as string;
}

/** Keys of a JSON object in document order (without deleted keys). */
export function keysOf(o: JsonObject): string[] {
  const keys = (o as Ordered)[ORDER] ?? Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    if (o[keys[i] as string] === undefined) return keys.filter((k) => o[k] !== undefined);
  }
  return keys;
}
/** Whether an object has its keys in an order plain iteration (for-in, Object.keys) would not give. */
export function hasKeyOrder(o: JsonObject): boolean {
  return (o as Ordered)[ORDER] !== undefined;
}

function setOrder(o: JsonObject, keys: string[]): void {
  Object.defineProperty(o, ORDER, { value: keys, enumerable: false, writable: true, configurable: true });
}
/**
 * Whether `o` has the key `k`. JSON values are never undefined or functions, which tells own
 * values from tombstones and from what Object.prototype provides (`__proto__` is checked apart).
 */
export function hasKey(o: JsonObject, k: string): boolean {
  const v = o[k];
  return v !== undefined && typeof v !== 'function' && (k !== '__proto__' || Object.hasOwn(o, k));
}
/** The value at `k`, or undefined when absent (never an inherited property). */
export function getKey(o: JsonObject, k: string): JsonValue | undefined {
  return hasKey(o, k) ? o[k] : undefined;
}

/** Sets `k`; a new key goes last, as in Jackson's LinkedHashMap, whatever it looks like. */
export function setKey(o: JsonObject, k: string, v: JsonValue): void {
  if (!hasKey(o, k)) {
    // A deleted key comes back last (as after remove + put), not at its old place.
    if (Object.hasOwn(o, k)) {
      delete o[k];
      const order = (o as Ordered)[ORDER];
      if (order) order.splice(order.indexOf(k), 1);
    }
    const order = (o as Ordered)[ORDER];
    if (order) order.push(k);
    else if (isIndexKey(k)) {
      setOrder(o, [...Object.keys(o), k]);
      orderedCreated++;
    }
  }
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** Deletes `k` by leaving a tombstone (see the module comment). */
export function deleteKey(o: JsonObject, k: string): boolean {
  if (!hasKey(o, k)) return false;
  (o as Record<string, JsonValue | undefined>)[k] = undefined;
  return true;
}

export function objectSize(o: JsonObject): number {
  return keysOf(o).length;
}

/** Builds a JSON object from entries, in order. */
export function jsonObject(entries: Iterable<readonly [string, JsonValue]> = []): JsonObject {
  const o: JsonObject = {};
  for (const [k, v] of entries) setKey(o, k, v);
  return o;
}

/** Entries of a JSON object in document order. */
export function entriesOf(o: JsonObject): [string, JsonValue][] {
  return keysOf(o).map((k) => [k, o[k] as JsonValue]);
}

/**
 * Converts a plain JS value (as written in code) into the engine's model: non-integral numbers are
 * doubles already; `undefined` properties are dropped. Maps become objects.
 */
export function fromPlain(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number') return v as JsonValue;
  if (v instanceof JsonDouble) return v;
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v instanceof Map) return jsonObject([...v].map(([k, x]) => [String(k), fromPlain(x)] as const));
  if (typeof v === 'object') {
    const o: JsonObject = {};
    for (const k of Object.keys(v as object)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) setKey(o, k, fromPlain(x));
    }
    return o;
  }
  throw new TypeError(`not representable as JSON: ${typeof v}`);
}
