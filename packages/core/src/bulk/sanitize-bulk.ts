import { randomFillSync } from 'node:crypto';
import { orderedObjectCount } from '../json/value.js';
import { PseudonymizationError, type Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import { type SanitizeContext, TransformError } from '../sanitize/transforms.js';
import { planColumns } from './columnar.js';
import { readCsv } from './csv-read.js';
import { csvRecord } from './csv-write.js';
import { BulkDataError } from './errors.js';
import { type InputRecord, type RecordFormat, RecordWriter, readCsvRecords, readJsonArray, readNdjson } from './record-io.js';
import { RecordTransformError, compileRecordRules } from './record-transforms.js';
import type { BulkRules, ColumnarRules, RecordRules } from './rules.js';
import { selectBulkRules } from './select.js';
import { type ByteSource, decodeText } from './text-input.js';

export interface SanitizeBulkOptions {
  /** Rules for the file; multi-type rules are resolved against `objectPath`. */
  rules: BulkRules;
  /** The object's key (or file name): chooses multi-type rules, infers formats, names errors. */
  objectPath: string;
  pseudonymizer: Pseudonymizer;
  /** The object's Content-Type, if known (for `format: AUTO`). */
  contentType?: string | undefined;
  /** `BULK_OUTPUT_FORMAT`: the format record rules write (default: the input's). */
  outputFormat?: RecordFormat | undefined;
  /**
   * Shuffle CSV rows in chunks of 500, as Psoxy does so that row order cannot link a sanitized
   * row to its original. Default true; turn off for reproducible output.
   */
  shuffle?: boolean | undefined;
  /** Where what Psoxy would only log goes (a column the rules name that the file lacks). */
  warn?: ((message: string) => void) | undefined;
}

/** Output is handed on in pieces of about this many characters. */
const OUTPUT_PIECE = 64 * 1024;
export const SHUFFLE_CHUNK_ROWS = 500;

/** Fisher-Yates with a CSPRNG: the order must not be predictable from the input. */
function shuffleInPlace<T>(rows: T[]): void {
  const r = new Uint32Array(rows.length);
  randomFillSync(r);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = (r[i] as number) % (i + 1);
    const t = rows[i] as T;
    rows[i] = rows[j] as T;
    rows[j] = t;
  }
}

function extensionOf(path: string): string {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  const dot = p.lastIndexOf('.');
  return dot < 0 || p.lastIndexOf('/') > dot ? '' : p.slice(dot);
}

/** Psoxy's `format: AUTO` resolution: the content type first, then the extension. */
export function resolveRecordFormat(format: RecordRules['format'], objectPath: string, contentType?: string): RecordFormat | 'PARQUET' {
  if (format !== 'AUTO') return format;
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('parquet')) return 'PARQUET';
  if (ct.includes('text/csv') || ct.includes('application/csv')) return 'CSV';
  if (ct.includes('ndjson') || ct.includes('jsonl')) return 'NDJSON';
  switch (extensionOf(objectPath)) {
    case '.parquet':
      return 'PARQUET';
    case '.csv':
      return 'CSV';
    case '.json':
      return 'JSON_ARRAY';
    case '.ndjson':
    case '.jsonl':
      return 'NDJSON';
  }
  return ct.includes('application/json') ? 'JSON_ARRAY' : 'NDJSON';
}

/** Errors of a transform on a value, placed at the record's line. */
function atLine(e: unknown, file: string, line: number): unknown {
  if (e instanceof PseudonymizationError || e instanceof TransformError || e instanceof RecordTransformError) {
    return new BulkDataError(e.message, file, line);
  }
  return e;
}

async function* sanitizeColumnar(source: ByteSource, rules: ColumnarRules, opts: SanitizeBulkOptions): AsyncGenerator<string> {
  const file = opts.objectPath;
  // the delimiter is how the file is read; Psoxy prints with Commons CSV's DEFAULT, always commas
  const delimiter = rules.delimiter ? rules.delimiter : ',';
  const text = decodeText(source, file);
  const shuffle = opts.shuffle !== false;
  const seen: { lineEnding?: string | undefined } = {};
  let plan: ReturnType<typeof planColumns> | undefined;
  let sep = '';
  let rows: string[] = [];
  let out = '';
  const start = (header: readonly string[]) => {
    const p = planColumns(rules, header, opts.pseudonymizer, file);
    for (const w of p.warnings) opts.warn?.(w);
    // Psoxy prints with the first line ending it read (none, if it read none)
    sep = seen.lineEnding ?? '';
    out = csvRecord(p.header, ',', sep);
    return p;
  };
  for await (const batch of readCsv(text, { delimiter, file, seen })) {
    for (const row of batch) {
      if (!plan) {
        plan = start(row.values);
        continue;
      }
      if (row.values.length < plan.minFields) {
        throw new BulkDataError(`the row has ${row.values.length} values but the columns in use need ${plan.minFields}`, file, row.line);
      }
      let printed: string;
      try {
        printed = csvRecord(plan.row(row.values), ',', sep);
      } catch (e) {
        throw atLine(e, file, row.line);
      }
      if (!shuffle) {
        out += printed;
        continue;
      }
      rows.push(printed);
      if (rows.length === SHUFFLE_CHUNK_ROWS) {
        shuffleInPlace(rows);
        out += rows.join('');
        rows = [];
      }
    }
    if (out.length >= OUTPUT_PIECE) {
      yield out;
      out = '';
    }
  }
  // no header row: Psoxy writes the columns the rules add (those to pseudonymize), if any
  if (!plan) plan = start([]);
  if (rows.length > 0) {
    shuffleInPlace(rows);
    out += rows.join('');
  }
  if (out !== '') yield out;
}

async function* sanitizeRecords(source: ByteSource, rules: RecordRules, opts: SanitizeBulkOptions): AsyncGenerator<string> {
  const file = opts.objectPath;
  const format = resolveRecordFormat(rules.format, opts.objectPath, opts.contentType);
  if (format === 'PARQUET') {
    throw new BulkDataError('Parquet files are not supported yet; export the data as NDJSON or CSV', file);
  }
  const compiled = compileRecordRules(rules);
  if (compiled.needsEncryptionKey && !opts.pseudonymizer.canReverse) {
    throw new BulkDataError('the rules tokenize values, which needs an encryption key (PSOXY_ENCRYPTION_KEY)', file);
  }
  const text = decodeText(source, file);
  const batches: AsyncGenerator<InputRecord[]> =
    format === 'CSV' ? readCsvRecords(text, file) : format === 'JSON_ARRAY' ? readJsonArray(text, file) : readNdjson(text, file);
  const writer = new RecordWriter(opts.outputFormat ?? format);
  const ctx: SanitizeContext = { pseudonymizer: opts.pseudonymizer };
  let out = '';
  for await (const batch of batches) {
    for (const r of batch) {
      const before = orderedObjectCount();
      let clean: typeof r.doc;
      try {
        clean = compiled.apply(r.doc, ctx);
      } catch (e) {
        throw atLine(e, file, r.line);
      }
      out += writer.write(r, clean, before);
    }
    if (out.length >= OUTPUT_PIECE) {
      yield out;
      out = '';
    }
  }
  out += writer.end();
  if (out !== '') yield out;
}

/**
 * Sanitizes one file as a stream: text in (gzip and BOM handled), sanitized text out, record by
 * record, with memory that does not grow with the file. Any problem throws a `BulkDataError`
 * naming the file and line; the caller must then discard what it was writing.
 */
export async function* sanitizeBulk(source: ByteSource, opts: SanitizeBulkOptions): AsyncGenerator<string> {
  const rules = selectBulkRules(opts.rules, opts.objectPath);
  if (rules.kind === 'columnar') yield* sanitizeColumnar(source, rules.rules, opts);
  else yield* sanitizeRecords(source, rules.rules, opts);
}
