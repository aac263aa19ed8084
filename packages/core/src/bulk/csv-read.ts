import { isJavaWhitespace, javaTrim } from '../regex/strings.js';
import { BulkDataError } from './errors.js';

/** A parsed CSV record: trimmed values and the line it ends on. */
export interface CsvRow {
  values: string[];
  line: number;
}

/** A record larger than this is an error, not a reason to buffer without end. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NEED_MORE = Symbol('need more input');

/**
 * CSV exactly as Psoxy reads it: Apache Commons CSV `DEFAULT` with `trim`,
 * `ignoreSurroundingSpaces` and `ignoreEmptyLines`. Written here rather than taken from a CSV
 * library because the semantics must be Commons' to the character (Java's whitespace set around
 * values, `String.trim` inside quotes, text after a closing quote an error, a quote inside an
 * unquoted value literal) for pseudonyms to match Psoxy's, and because it is several times faster
 * than csv-parse, which sets the pace of bulk mode.
 */
export class CommonsCsvLexer {
  private buf = '';
  private line = 1;
  private readonly d: number;
  /**
   * The first line ending read between records (`\n`, `\r\n` or `\r`): what Psoxy's printer ends
   * records with. Line breaks inside quoted values do not count, as in Commons CSV.
   */
  firstLineEnding: string | undefined;

  constructor(
    delimiter: string,
    private readonly file: string,
  ) {
    this.d = delimiter.charCodeAt(0);
  }

  /** Records completed by this chunk. */
  push(chunk: string): CsvRow[] {
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    return this.drain(false);
  }

  /** The last records, at the end of the input. */
  end(): CsvRow[] {
    return this.drain(true);
  }

  private error(problem: string, line: number): BulkDataError {
    return new BulkDataError(`malformed CSV: ${problem}`, this.file, line);
  }

  private drain(final: boolean): CsvRow[] {
    const rows: CsvRow[] = [];
    const s = this.buf;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const start = i;
      const startLine = this.line;
      // empty lines are skipped
      const c = s.charCodeAt(i);
      if (c === LF) {
        this.noteLineEnding(s, i);
        i++;
        this.line++;
        continue;
      }
      if (c === CR) {
        if (i + 1 === n && !final) break;
        this.noteLineEnding(s, i);
        i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        this.line++;
        continue;
      }
      const r = this.record(s, i, final);
      if (r === NEED_MORE) {
        this.line = startLine;
        i = start;
        break;
      }
      rows.push({ values: r.values, line: this.line });
      i = r.next;
      if (r.eol) this.line++;
    }
    this.buf = i >= n ? '' : s.slice(i);
    if (this.buf.length > MAX_RECORD_CHARS) throw this.error(`a record is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`, this.line);
    return rows;
  }

  /** One record from `i`; NEED_MORE if the buffer ends inside it and more input may come. */
  private record(s: string, from: number, final: boolean): { values: string[]; next: number; eol: boolean } | typeof NEED_MORE {
    const n = s.length;
    const d = this.d;
    const values: string[] = [];
    let i = from;
    for (;;) {
      // leading whitespace (not line ends, not the delimiter)
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === d || c === LF || c === CR || !isJavaWhitespace(c)) break;
        i++;
      }
      if (i >= n) {
        if (!final) return NEED_MORE;
        values.push('');
        return { values, next: i, eol: false };
      }
      let c = s.charCodeAt(i);
      if (c === QUOTE) {
        // encapsulated value: "" is a quote; it ends at a lone quote
        let value = '';
        let segment = i + 1;
        let j = i + 1;
        for (;;) {
          const q = s.indexOf('"', j);
          if (q < 0) {
            if (!final) return NEED_MORE;
            throw this.error('the file ends inside a quoted value (a quote is not closed)', this.line);
          }
          if (q + 1 >= n && !final) return NEED_MORE;
          if (s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(segment, q + 1);
            j = q + 2;
            segment = j;
            continue;
          }
          value += s.slice(segment, q);
          i = q + 1;
          break;
        }
        this.line += countLineBreaks(value);
        // only whitespace may follow the closing quote
        while (i < n) {
          c = s.charCodeAt(i);
          if (c === d || c === LF || c === CR || !isJavaWhitespace(c)) break;
          i++;
        }
        values.push(javaTrim(value));
        if (i >= n) {
          if (!final) return NEED_MORE;
          return { values, next: i, eol: false };
        }
        c = s.charCodeAt(i);
        if (c === d) {
          i++;
          continue;
        }
        if (c === LF || c === CR) return this.endOfLine(s, i, values, final);
        throw this.error(`text after the closing quote of a value (near '${s.slice(i, i + 20)}'); quote the whole value and double the quotes inside it`, this.line);
      }
      // simple value, up to the delimiter or the line end; quotes inside are literal
      let j = i;
      while (j < n) {
        c = s.charCodeAt(j);
        if (c === d || c === LF || c === CR) break;
        j++;
      }
      if (j >= n && !final) return NEED_MORE;
      let e = j;
      while (e > i && isJavaWhitespace(s.charCodeAt(e - 1))) e--;
      values.push(javaTrim(s.slice(i, e)));
      if (j >= n) return { values, next: j, eol: false };
      if (c === d) {
        i = j + 1;
        continue;
      }
      return this.endOfLine(s, j, values, final);
    }
  }

  private endOfLine(s: string, i: number, values: string[], final: boolean): { values: string[]; next: number; eol: boolean } | typeof NEED_MORE {
    if (s.charCodeAt(i) === CR) {
      if (i + 1 >= s.length && !final) return NEED_MORE;
      this.noteLineEnding(s, i);
      return { values, next: s.charCodeAt(i + 1) === LF ? i + 2 : i + 1, eol: true };
    }
    this.noteLineEnding(s, i);
    return { values, next: i + 1, eol: true };
  }

  /** Notes the line ending at `i` (CR or LF; a CR's LF, if any, is already in the buffer). */
  private noteLineEnding(s: string, i: number): void {
    if (this.firstLineEnding !== undefined) return;
    this.firstLineEnding = s.charCodeAt(i) === LF ? '\n' : s.charCodeAt(i + 1) === LF ? '\r\n' : '\r';
  }
}

function countLineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Records of a CSV text stream (see {@link CommonsCsvLexer}), in batches: one await per chunk of
 * input rather than per row is most of the difference in speed.
 */
export async function* readCsv(
  text: AsyncIterable<string>,
  opts: { delimiter: string; file: string; seen?: { lineEnding?: string | undefined } },
): AsyncGenerator<CsvRow[]> {
  const lexer = new CommonsCsvLexer(opts.delimiter, opts.file);
  const note = () => {
    if (opts.seen && opts.seen.lineEnding === undefined) opts.seen.lineEnding = lexer.firstLineEnding;
  };
  for await (const chunk of text) {
    const rows = lexer.push(chunk);
    note();
    if (rows.length > 0) yield rows;
  }
  const rows = lexer.end();
  note();
  if (rows.length > 0) yield rows;
}
