// zod/mini, as the rules model (see there); a namespace import lets bundlers drop what is unused
import * as z from 'zod/mini';
import { RulesError } from '../rules/errors.js';
import { describeLocation } from '../rules/location.js';
import { PSEUDONYM_ENCODINGS, RULES_PARSE, type SchemaFilter, schemaFilterSchema } from '../rules/model.js';

/**
 * Bulk (file) rules, Psoxy's three kinds: `ColumnarRules` for CSV columns, `RecordRules` for
 * NDJSON / JSON array / CSV records with JSONPath transforms, and `MultiTypeBulkDataRules` choosing
 * either by the object's path. Unknown properties are errors, as with Psoxy's Jackson mapper.
 */

const columnName = z.string().check(z.refine((s) => s.trim() !== '', 'a column name must not be blank'));
const columnMap = z.record(columnName, columnName);

/** One step of a field pipeline, told apart by its single key (Psoxy's `FieldTransform`). */
export const fieldTransformSchema = z.union([
  z.strictObject({ filter: z.string() }),
  z.strictObject({ formatString: z.string().check(z.refine((s) => s.split('%s').length === 2, 'formatString must hold exactly one %s')) }),
  z.strictObject({ javaRegExpReplace: z.strictObject({ regExp: z.string(), replace: z.string() }) }),
  z.strictObject({ pseudonymize: z.boolean() }),
  z.strictObject({ pseudonymizeWithScope: z.unknown() }),
]);
export type FieldTransform = z.output<typeof fieldTransformSchema>;

export const fieldPipelineSchema = z.strictObject({
  newName: columnName,
  sourceColumn: z.optional(columnName),
  transforms: z._default(z.array(fieldTransformSchema), []),
});

export const columnarRulesSchema = z.strictObject({
  delimiter: z.nullish(z.string().check(z.maxLength(1))),
  pseudonymFormat: z._default(z.enum(PSEUDONYM_ENCODINGS), 'JSON'),
  columnsToPseudonymize: z._default(z.array(columnName), []),
  columnsToPseudonymizeIfPresent: z._default(z.array(columnName), []),
  columnsToRedact: z._default(z.array(columnName), []),
  columnsToInclude: z.nullish(z.array(columnName)),
  columnsToRename: z._default(columnMap, {}),
  columnsToDuplicate: z._default(columnMap, {}),
  fieldsToTransform: z._default(z.record(z.string(), fieldPipelineSchema), {}),
});
export type ColumnarRules = z.output<typeof columnarRulesSchema>;

const pathOrList = z.pipe(z.union([z.string(), z.array(z.string())]), z.transform((v) => (typeof v === 'string' ? [v] : v)));
export const recordTransformSchema = z.union([
  z.strictObject({ redact: pathOrList }),
  z.strictObject({ pseudonymize: pathOrList }),
  z.strictObject({ tokenize: pathOrList }),
  z.strictObject({ textDigest: pathOrList }),
  z.strictObject({ textDigestKeywords: z.strictObject({ jsonPaths: pathOrList, keywords: z._default(z.array(z.string()), []) }) }),
]);
export type RecordTransform = z.output<typeof recordTransformSchema>;

export const RECORD_FORMATS = ['NDJSON', 'CSV', 'JSON_ARRAY', 'AUTO', 'PARQUET'] as const;
export const recordRulesSchema = z.strictObject({
  // Psoxy's validator wants it; a missing format reads as NDJSON (its documented default)
  format: z._default(z.enum(RECORD_FORMATS), 'NDJSON'),
  // Psoxy's RecordRules.setTransforms turns an empty `transforms:` (null) into no transforms
  transforms: z.pipe(
    z.nullish(z.array(recordTransformSchema)),
    z.transform((t) => t ?? []),
  ),
  outputSchemaFilter: z.optional(schemaFilterSchema),
});
export type RecordRules = z.output<typeof recordRulesSchema> & { outputSchemaFilter?: SchemaFilter | undefined };

export type BulkRules =
  | { kind: 'columnar'; rules: ColumnarRules }
  | { kind: 'record'; rules: RecordRules }
  | { kind: 'multi'; fileRules: { template: string; rules: BulkRules }[] };

function issueOf(e: z.core.$ZodError): { message: string; path: PropertyKey[] } {
  const i = e.issues[0] as z.core.$ZodIssue;
  const message = i.code === 'unrecognized_keys' ? `unknown propert${i.keys.length > 1 ? 'ies' : 'y'} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
  return { message, path: i.path };
}

/** Tells the kind of bulk rules by their keys and validates them. */
export function toBulkRules(value: unknown, source?: string, at: PropertyKey[] = []): BulkRules {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new RulesError('bulk rules must be a mapping', describeLocation(value, at) || undefined, source);
  }
  const v = value as Record<string, unknown>;
  if ('endpoints' in v || 'allowAllEndpoints' in v) {
    throw new RulesError('these are REST API rules, not bulk (file) rules; use them with `psoxy sanitize` or `psoxy serve`', undefined, source);
  }
  if ('fileRules' in v) {
    const keys = Object.keys(v).filter((k) => k !== 'fileRules');
    if (keys.length > 0) throw new RulesError(`unknown propert${keys.length > 1 ? 'ies' : 'y'} ${keys.map((k) => `'${k}'`).join(', ')}`, describeLocation(value, at) || '(top level)', source);
    const fr = v.fileRules;
    if (!fr || typeof fr !== 'object' || Array.isArray(fr)) throw new RulesError('fileRules must map path templates to rules', 'fileRules', source);
    return {
      kind: 'multi',
      fileRules: Object.entries(fr as Record<string, unknown>).map(([template, rules]) => ({
        template,
        rules: toBulkRules(rules, source, [...at, 'fileRules', template]),
      })),
    };
  }
  const recordKeys = 'format' in v || 'transforms' in v || 'outputSchemaFilter' in v;
  const schema = recordKeys ? recordRulesSchema : columnarRulesSchema;
  const r = schema.safeParse(v, RULES_PARSE);
  if (!r.success) {
    const { message, path } = issueOf(r.error);
    const where = [...at, ...path].map(String).join(' > ');
    throw new RulesError(message, where || '(top level)', source);
  }
  return recordKeys ? { kind: 'record', rules: r.data as RecordRules } : { kind: 'columnar', rules: r.data as ColumnarRules };
}
