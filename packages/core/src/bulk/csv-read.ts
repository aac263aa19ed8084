import { once } from 'node:events';
import { CsvError, type Info, parse } from 'csv-parse';
import { javaTrim } from '../regex/strings.js';
import { BulkDataError } from './errors.js';

/** A parsed CSV record: trimmed values and the line it ends on. */
export interface CsvRow {
  values: string[];
  line: number;
}

/**
 * Reads CSV as Psoxy's Commons CSV `DEFAULT` format with `trim` and `ignoreSurroundingSpaces`:
 * `"` quoting with `""` escapes, a quote inside an unquoted value is literal, empty lines are
 * skipped, CR, LF and CRLF all end records, values are trimmed as Java's `String.trim`.
 * csv-parse does the parsing (well kept, streaming); the trim and the errors are ours.
 */
export async function* readCsv(text: AsyncIterable<string>, opts: { delimiter: string; file: string }): AsyncGenerator<CsvRow> {
  const parser = parse({
    delimiter: opts.delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  });
  const feeding = (async () => {
    try {
      for await (const s of text) {
        if (!parser.write(s)) await once(parser, 'drain');
      }
      parser.end();
    } catch (e) {
      parser.destroy(e as Error);
    }
  })();
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const values = r.record;
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as string;
        const c0 = v.charCodeAt(0);
        const cn = v.charCodeAt(v.length - 1);
        if (c0 <= 0x20 || cn <= 0x20) values[i] = javaTrim(v);
      }
      yield { values, line: r.info.lines };
    }
  } catch (e) {
    if (e instanceof BulkDataError) throw e;
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new BulkDataError(`malformed CSV: ${e.message.replace(/ at line \d+$/, '')}`, opts.file, line);
    }
    throw e;
  } finally {
    parser.destroy();
    await feeding;
  }
}
