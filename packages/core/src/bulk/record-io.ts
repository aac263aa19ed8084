import { javaNumberToString } from '../json/java-number.js';
import { parseJsonDocumentsAuto } from '../json/parse.js';
import { type JsonObject, type JsonValue, isJsonObject, keysOf, getKey, orderedObjectCount, setKey } from '../json/value.js';
import { writeJson, writeJsonNative } from '../json/write.js';
import { readCsv } from './csv-read.js';
import { csvRecord } from './csv-write.js';
import { BulkDataError } from './errors.js';

/** A record read from a file, with what is needed to write it back faithfully. */
export interface InputRecord {
  doc: JsonValue;
  line: number;
  /** The exact writer is needed (doubles, big integers, key order JS would change). */
  exact: boolean;
  controlEscapes: boolean;
}

function parseRecord(text: string, file: string, line: number): InputRecord {
  let parsed: ReturnType<typeof parseJsonDocumentsAuto>;
  try {
    parsed = parseJsonDocumentsAuto(text);
  } catch (e) {
    throw new BulkDataError(`invalid JSON: ${(e as Error).message}`, file, line);
  }
  const [doc] = parsed.docs;
  if (parsed.docs.length !== 1 || !isJsonObject(doc)) throw new BulkDataError('each record must be one JSON object', file, line);
  return { doc, line, exact: parsed.exact, controlEscapes: parsed.controlEscapes };
}

/** NDJSON: every non-blank line is one JSON object. */
export async function* readNdjson(text: AsyncIterable<string>, file: string): AsyncGenerator<InputRecord[]> {
  let rest = '';
  let line = 0;
  for await (const chunk of text) {
    const s = rest + chunk;
    const batch: InputRecord[] = [];
    let start = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
      line++;
      const l = s.slice(start, nl).trim();
      start = nl + 1;
      if (l !== '') batch.push(parseRecord(l, file, line));
    }
    rest = s.slice(start);
    if (batch.length > 0) yield batch;
  }
  const last = rest.trim();
  if (last !== '') yield [parseRecord(last, file, line + 1)];
}

/**
 * A JSON array of objects, read element by element: a scanner finds where each top-level element
 * ends (strings and nesting followed), so memory holds one record, not the file.
 */
export async function* readJsonArray(text: AsyncIterable<string>, file: string): AsyncGenerator<InputRecord[]> {
  let state: 'before' | 'element' | 'after' | 'done' = 'before';
  let buf = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let elementLine = 1;
  let afterComma = false;
  for await (const chunk of text) {
    const batch: InputRecord[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x0a) line++;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (depth === 0) {
            // the closing bracket of the array
            const el = (buf + chunk.slice(from, i)).trim();
            buf = '';
            // `[]` is an empty file; `[{...},]` is not JSON (Jackson refuses the trailing comma)
            if (el === '' && afterComma) throw new BulkDataError('a trailing comma before the end of the JSON array', file, line);
            if (el !== '') batch.push(parseRecord(el, file, elementLine));
            state = 'done';
            continue;
          }
          depth--;
        } else if (c === 0x2c && depth === 0) {
          const el = (buf + chunk.slice(from, i)).trim();
          buf = '';
          if (el === '') throw new BulkDataError('empty element in the JSON array', file, line);
          batch.push(parseRecord(el, file, elementLine));
          from = i + 1;
          elementLine = line;
          afterComma = true;
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (state === 'before' && c === 0x5b) {
        state = 'element';
        from = i + 1;
        elementLine = line;
        continue;
      }
      if (state === 'before') throw new BulkDataError('a JSON_ARRAY file must start with [', file, line);
      throw new BulkDataError('unexpected content after the end of the JSON array', file, line);
    }
    if (state === 'element') buf += chunk.slice(from);
    if (batch.length > 0) yield batch;
  }
  if (state === 'before') throw new BulkDataError('a JSON_ARRAY file must start with [', file, line);
  if (state === 'element') throw new BulkDataError('the JSON array is not closed: the file is truncated', file, line);
}

/** CSV records: the header row names the fields, every value a (trimmed) string. */
export async function* readCsvRecords(text: AsyncIterable<string>, file: string): AsyncGenerator<InputRecord[]> {
  let header: string[] | undefined;
  for await (const rows of readCsv(text, { delimiter: ',', file })) {
    const batch: InputRecord[] = [];
    for (const row of rows) {
      if (!header) {
        // as Psoxy's reader (Commons CSV with a header, missing names not allowed)
        const blank = row.values.indexOf('');
        if (blank >= 0) throw new BulkDataError(`a header name is missing (column ${blank + 1}): every column of a CSV record file needs a name`, file, row.line);
        header = row.values;
        continue;
      }
      // a short row: Psoxy's reader fails on it rather than guess the missing values
      if (row.values.length < header.length) throw new BulkDataError(`the row has ${row.values.length} values for ${header.length} columns`, file, row.line);
      const doc: JsonObject = {};
      const n = header.length;
      for (let i = 0; i < n; i++) setKey(doc, header[i] as string, row.values[i] as string);
      batch.push({ doc, line: row.line, exact: false, controlEscapes: false });
    }
    if (batch.length > 0) yield batch;
  }
}

export type RecordFormat = 'NDJSON' | 'CSV' | 'JSON_ARRAY';

/** Writes sanitized records in one format, as Psoxy's record writers do. */
export class RecordWriter {
  private count = 0;
  private csvHeader: string[] | undefined;
  constructor(private readonly format: RecordFormat) {}

  /** Text of one record; `orderedBefore` is the ordered-object count before the record was sanitized. */
  write(r: InputRecord, clean: JsonValue, orderedBefore: number): string {
    const first = this.count++ === 0;
    if (this.format === 'CSV') return this.csv(clean);
    const native = !r.exact && orderedObjectCount() === orderedBefore;
    const json = native ? writeJsonNative(clean, r.controlEscapes) : writeJson(clean);
    if (this.format === 'NDJSON') return `${json}\n`;
    return first ? `[${json}` : `,${json}`;
  }

  private csv(doc: JsonValue): string {
    const obj = isJsonObject(doc) ? doc : {};
    let out = '';
    if (!this.csvHeader) {
      this.csvHeader = keysOf(obj);
      out = csvRecord(this.csvHeader, ',', '\n');
    }
    const values = this.csvHeader.map((k) => cell(getKey(obj, k)));
    return out + csvRecord(values, ',', '\n');
  }

  /** What closes the output. */
  end(): string {
    if (this.format === 'JSON_ARRAY') return this.count === 0 ? '[]' : ']';
    return '';
  }
}

function cell(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !(Array.isArray(v) || isJsonObject(v))) return javaNumberToString(v);
  if (typeof v === 'number' || typeof v === 'bigint') return javaNumberToString(v);
  return writeJson(v);
}
