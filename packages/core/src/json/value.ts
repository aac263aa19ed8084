/**
 * The JSON data model of the engine. It mirrors what Psoxy's Jackson object model can tell apart,
 * so that a document round-trips exactly as Psoxy would write it:
 * - objects are `Map`s: insertion order is kept for every key (plain objects would move
 *   integer-like keys first) and `__proto__` is an ordinary key;
 * - integers are `number` when safe, `bigint` beyond 2^53 (exact digits are kept);
 * - numbers written with a fraction or an exponent are doubles, boxed in {@link JsonDouble} so that
 *   `1.0` stays a double (Jackson prints it `1.0`, not `1`).
 */
export type JsonValue = null | boolean | number | bigint | string | JsonDouble | JsonArray | JsonObject;
export type JsonArray = JsonValue[];
export type JsonObject = Map<string, JsonValue>;

/** A JSON number that Jackson reads as a Java `double`. */
export class JsonDouble {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

export const isJsonObject = (v: unknown): v is JsonObject => v instanceof Map;
export const isJsonArray = (v: unknown): v is JsonArray => Array.isArray(v);
export const isContainer = (v: unknown): v is JsonObject | JsonArray => v instanceof Map || Array.isArray(v);
export const isJsonNumber = (v: unknown): v is number | bigint | JsonDouble =>
  typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble;

/** The numeric value of a JSON number as a JS number (may lose precision for bigints). */
export function numericValue(v: number | bigint | JsonDouble): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.value;
}

/** Builds a JSON object from entries, in order. */
export function jsonObject(entries: Iterable<readonly [string, JsonValue]> = []): JsonObject {
  return new Map(entries);
}

/**
 * Converts a plain JS value (as produced by `JSON.parse` or written in code) into the engine's
 * model. Non-integral numbers become doubles.
 */
export function fromPlain(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? v : new JsonDouble(v);
  if (v instanceof JsonDouble || v instanceof Map) return v as JsonValue;
  if (Array.isArray(v)) return v.map(fromPlain);
  if (typeof v === 'object') {
    const m: JsonObject = new Map();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) m.set(k, fromPlain(x));
    }
    return m;
  }
  throw new TypeError(`not representable as JSON: ${typeof v}`);
}

/** Converts the engine's model to plain JS values (bigints stay bigints; doubles become numbers). */
export function toPlain(v: JsonValue): unknown {
  if (v instanceof JsonDouble) return v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = Object.create(null);
    for (const [k, x] of v) o[k] = toPlain(x);
    return o;
  }
  return v;
}
