import { JsonDouble, type JsonObject, type JsonValue, getKey, isContainer, isJsonObject, keysOf, setKey } from '../json/value.js';
import { javaNumberToString } from '../json/java-number.js';
import type { SchemaFilter } from '../rules/model.js';

export class SchemaFilterError extends Error {
  override readonly name = 'SchemaFilterError';
}

const NOT_MATCHED = Symbol('NOT_MATCHED');
type Result = JsonValue | typeof NOT_MATCHED;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Jackson `asText()` of a node, as used by `const`. */
function asText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble) return javaNumberToString(v);
  return '';
}

function toInteger(v: JsonValue): JsonValue {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return v >= LONG_MIN && v <= LONG_MAX ? v : null;
  if (v instanceof JsonDouble || typeof v === 'number') {
    const d = typeof v === 'number' ? v : v.value;
    if (d >= INT_MIN && d <= INT_MAX) return Math.trunc(d) || 0;
    if (d >= -9.223372036854776e18 && d <= 9.223372036854776e18) {
      const t = BigInt(Math.trunc(d));
      const clamped = t > LONG_MAX ? LONG_MAX : t < LONG_MIN ? LONG_MIN : t;
      return Number.isSafeInteger(Number(clamped)) ? Number(clamped) : clamped;
    }
    return null;
  }
  return null;
}

/**
 * `responseSchema` as Psoxy applies it: a JSON Schema used as a filter, not a validator. Properties
 * the schema does not name are dropped; containers under a typeless schema are dropped; scalars of
 * the wrong type become null; keys written by augments (`+...`) pass through.
 */
export class SchemaFilterEngine {
  constructor(private readonly definitions: Record<string, SchemaFilter> = {}) {}

  filter(node: JsonValue, schema: SchemaFilter): JsonValue {
    const r = this.apply(node, schema, this.rootSchema());
    return r === NOT_MATCHED ? null : r;
  }

  private rootSchema(): SchemaFilter {
    return { definitions: this.definitions };
  }

  private apply(node: JsonValue, schema: SchemaFilter, root: SchemaFilter): Result {
    if (schema.$ref !== undefined) {
      if (schema.$ref === '#') return this.apply(node, root, root);
      const m = /^#\/definitions\/(.+)$/.exec(schema.$ref);
      // own keys only: `#/definitions/toString` names no definition
      const target = m && Object.hasOwn(this.definitions, m[1] as string) ? this.definitions[m[1] as string] : undefined;
      if (!target) throw new SchemaFilterError(`responseSchema $ref '${schema.$ref}' does not name a ruleset definition`);
      return this.apply(node, target, root);
    }
    const candidates = schema.anyOf && schema.anyOf.length > 0 ? schema.anyOf : schema.oneOf;
    if (candidates && candidates.length > 0) {
      for (const c of candidates) {
        const r = this.apply(node, c, root);
        if (r !== NOT_MATCHED) return r;
      }
      return null;
    }
    if (schema.type === undefined) {
      // Typeless: containers are redacted, scalars kept; an integer beyond a long is a BigInteger to
      // Jackson, a number kind Psoxy's filter does not handle (it fails)
      if (isContainer(node)) return null;
      if (typeof node === 'bigint' && (node < LONG_MIN || node > LONG_MAX)) {
        throw new SchemaFilterError('responseSchema: a property without a type holds an integer beyond the range of a long, which Psoxy cannot filter');
      }
      return node;
    }
    if (schema.if) {
      let r = this.condition(node, schema.if, root);
      if (schema.else && r === NOT_MATCHED) r = this.condition(node, schema.else, root);
      if (r !== NOT_MATCHED && schema.then) r = this.thenBranch(node, schema.then, root);
      return r;
    }
    const constant = schema.const ?? schema.constant;
    if (constant !== undefined) return constant === asText(node) ? '' : NOT_MATCHED;
    switch (schema.type) {
      case 'string':
        return typeof node === 'string' ? node : null;
      case 'integer':
        return node === null ? null : toInteger(node);
      case 'number':
        return typeof node === 'number' || typeof node === 'bigint' || node instanceof JsonDouble ? node : null;
      case 'boolean':
        return typeof node === 'boolean' ? node : node === null ? false : null;
      case 'object': {
        if (!isJsonObject(node)) return null;
        const out: JsonObject = {};
        const props = schema.properties ?? {};
        for (const k of keysOf(node)) {
          const v = node[k] as JsonValue;
          if (k.startsWith('+')) {
            setKey(out, k, v);
            continue;
          }
          const ps = Object.hasOwn(props, k) ? props[k] : undefined;
          if (!ps) continue;
          const r = this.apply(v, ps, root);
          if (r === NOT_MATCHED) return NOT_MATCHED;
          setKey(out, k, r);
        }
        return out;
      }
      case 'array': {
        if (!Array.isArray(node)) return null;
        const out: JsonValue[] = [];
        for (const item of node) {
          const r = schema.items ? this.apply(item, schema.items, root) : isContainer(item) ? null : item;
          if (r === NOT_MATCHED) return NOT_MATCHED;
          if (r !== null) out.push(r);
        }
        return out;
      }
      case 'null':
        return null;
      default:
        throw new SchemaFilterError(`responseSchema has an unknown type '${schema.type}'`);
    }
  }

  /** As an `if`/`else` condition: the alphabetically first property decides. */
  private condition(node: JsonValue, schema: SchemaFilter, root: SchemaFilter): Result {
    const keys = Object.keys(schema.properties ?? {}).sort();
    const key = keys[0];
    if (key === undefined) return this.apply(node, schema, root);
    const child = isJsonObject(node) ? (getKey(node, key) ?? null) : null;
    return this.apply(child, (schema.properties as Record<string, SchemaFilter>)[key] as SchemaFilter, root);
  }

  /** As a `then`: keep the fields that have a property schema, filtered, without a type check. */
  private thenBranch(node: JsonValue, schema: SchemaFilter, root: SchemaFilter): Result {
    if (!isJsonObject(node)) return node;
    const out: JsonObject = {};
    const props = schema.properties ?? {};
    for (const k of keysOf(node)) {
      const ps = Object.hasOwn(props, k) ? props[k] : undefined;
      if (!ps) continue;
      const r = this.apply(node[k] as JsonValue, ps, root);
      if (r === NOT_MATCHED) return NOT_MATCHED;
      setKey(out, k, r);
    }
    return out;
  }
}
