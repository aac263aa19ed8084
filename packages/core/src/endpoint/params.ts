import { javaPattern } from '../regex/pattern.js';
import type { ParameterSchema, QueryParameterSchema } from '../rules/model.js';
import type { QueryParam } from './query.js';

const PSEUDONYM_FORMATS = new Set(['reversiblepseudonym', 'pseudonym']);
const REVERSIBLE_PSEUDONYM = /^p~[a-zA-Z0-9_-]{43,}$/;
// What Java's Double.parseDouble accepts (after trimming): decimal or hex floats, NaN, Infinity.
const JAVA_DOUBLE =
  /^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)[fFdD]?)$/;

/** Normalized `format` name, or throws for a format Psoxy does not know (a Java Error there). */
export function checkParameterFormat(format: string): void {
  if (!PSEUDONYM_FORMATS.has(format.toLowerCase().replace(/[-_]/g, ''))) {
    throw new Error(`unknown parameter format '${format}' (supported: reversible-pseudonym, pseudonym)`);
  }
}

/** Psoxy's `ParameterSchemaUtils.validate` for one value (null is valid). */
export function validateParameter(schema: ParameterSchema, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return true;
  if (schema.type === 'integer' && !/^\d+$/.test(value.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, ''))) return false;
  if (schema.type === 'number' && !JAVA_DOUBLE.test(value.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, ''))) return false;
  if (schema.format !== undefined) {
    checkParameterFormat(schema.format);
    if (!REVERSIBLE_PSEUDONYM.test(value)) return false;
  }
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.pattern !== undefined && !javaPattern(schema.pattern).test(value)) return false;
  const alternatives = alternativesOf(schema);
  if (alternatives.length > 0) return alternatives.some((s) => validateParameter(s, value));
  return true;
}

/** Query params against `queryParamSchemas` (names case-insensitive); the first failure, if any. */
export function checkQuerySchemas(params: readonly QueryParam[], schemas: Record<string, QueryParameterSchema>): string | undefined {
  for (const [name, schema] of Object.entries(schemas)) {
    const lname = name.toLowerCase();
    const values = params.filter((p) => p.name.toLowerCase() === lname && p.value !== null).map((p) => p.value as string);
    if (schema.required && values.length === 0) return `required query parameter '${name}' is missing`;
    const bad = values.find((v) => !validateParameter(schema, v));
    if (bad !== undefined) return `query parameter '${name}' has a value that is not allowed`;
  }
  return undefined;
}

/** A schema's alternatives: `anyOf`, and `or`, Psoxy's name for it. */
export function alternativesOf(schema: ParameterSchema): ParameterSchema[] {
  if (schema.or === undefined) return schema.anyOf ?? [];
  return schema.anyOf === undefined ? schema.or : [...schema.anyOf, ...schema.or];
}
