import { jsonEquals } from '../json/equals.js';
import { parseJson } from '../json/parse.js';
import { JsonDouble, type JsonObject, type JsonValue, fromPlain, hasKey, isJsonObject, keysOf, setKey } from '../json/value.js';
import { javaPattern } from '../regex/pattern.js';
import type { BodySchema } from '../rules/model.js';
import { parseQuery } from './query.js';

export class UnsupportedBodyTypeError extends Error {
  override readonly name = 'UnsupportedBodyTypeError';
}

function typeMatches(type: string, v: JsonValue): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint' || v instanceof JsonDouble;
    case 'number':
      return typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonDouble;
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isJsonObject(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
    default:
      return false;
  }
}

/** Psoxy's reversible pseudonym pattern (`UrlSafeTokenPseudonymEncoder.REVERSIBLE_PSEUDONYM_PATTERN`). */
const PSEUDONYM_PATTERN = '\\Qp~\\E[a-zA-Z0-9_-]{43,}';

/** Validates a JSON value against the body schema; the first problem, or undefined if valid. */
export function validateBody(v: JsonValue, s: BodySchema, at = '$'): string | undefined {
  if (s.type !== undefined && !typeMatches(s.type, v)) return `${at} must be of type ${s.type}`;
  for (const allowed of [s.enum, s.enumValues]) {
    if (allowed && !allowed.some((e) => jsonEquals(fromPlain(e), v))) return `${at} is not one of the allowed values`;
  }
  // Psoxy rewrites `format: pseudonym` into its pattern (replacing the node's own), found anywhere
  // in the value as JSON Schema patterns are
  const pattern = s.format === 'pseudonym' ? PSEUDONYM_PATTERN : s.pattern;
  if (pattern !== undefined && typeof v === 'string' && !javaPattern(pattern).find(v)) {
    return s.format === 'pseudonym' ? `${at} must be a reversible pseudonym (p~...)` : `${at} does not match ${s.pattern}`;
  }
  if (isJsonObject(v)) {
    for (const r of s.required ?? []) if (!hasKey(v, r)) return `${at}.${r} is required`;
    const props = s.properties ?? {};
    for (const k of keysOf(v)) {
      const x = v[k] as JsonValue;
      const ps = Object.hasOwn(props, k) ? props[k] : undefined;
      if (ps) {
        const e = validateBody(x, ps, `${at}.${k}`);
        if (e) return e;
      } else if (s.additionalProperties === false) {
        return `${at}.${k} is not allowed`;
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const e = validateBody(x, s.additionalProperties, `${at}.${k}`);
        if (e) return e;
      }
    }
  }
  if (Array.isArray(v) && s.items) {
    for (let i = 0; i < v.length; i++) {
      const e = validateBody(v[i] as JsonValue, s.items, `${at}[${i}]`);
      if (e) return e;
    }
  }
  return undefined;
}

export interface RequestBodyRule {
  required: boolean;
  content?: Record<string, BodySchema> | undefined;
}

/**
 * Psoxy's request body check: undefined when allowed, else why not. A content type with a schema
 * that we cannot validate throws {@link UnsupportedBodyTypeError} (Psoxy answers 500).
 */
export function checkRequestBody(rule: RequestBodyRule, contentType: string | null | undefined, body: string | null): string | undefined {
  const text = body?.trim() ? body.trim() : null;
  if (rule.required && text === null) return 'a request body is required';
  if (!rule.content || text === null) return undefined;
  const raw = contentType ?? 'application/json';
  const normalized = (raw.split(';')[0] ?? '').trim().toLowerCase();
  // own keys only: a Content-Type of `constructor` names no schema
  const content = rule.content;
  const schema = Object.hasOwn(content, raw) ? content[raw] : Object.hasOwn(content, normalized) ? content[normalized] : undefined;
  if (!schema) return undefined;
  if (normalized === 'application/json') {
    let v: JsonValue;
    try {
      v = parseJson(text);
    } catch {
      return 'the request body is not valid JSON';
    }
    return validateBody(v, schema);
  }
  if (normalized === 'application/x-www-form-urlencoded') {
    const m: JsonObject = {};
    for (const p of parseQuery(text)) setKey(m, p.name, p.value ?? '');
    return validateBody(m, schema);
  }
  throw new UnsupportedBodyTypeError(`request bodies of type ${normalized} cannot be validated`);
}
