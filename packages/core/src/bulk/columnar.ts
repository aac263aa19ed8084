import type { Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import { JavaRegexError } from '../regex/java-regex.js';
import { javaPattern } from '../regex/pattern.js';
import { isBlank } from '../regex/strings.js';
import { RulesError } from '../rules/errors.js';
import { identityJson } from '../sanitize/transforms.js';
import type { ColumnarRules, FieldTransform } from './rules.js';

/** A cell function: null makes the cell empty and stops the chain. */
type CellFn = (value: string) => string | null;

/**
 * Pseudonyms of one file, bounded: ids repeat (managers, departments' heads) but a file of any
 * size must not grow the memo without limit.
 */
export class BoundedMemo {
  private map = new Map<string, string | null>();
  private lookups = 0;
  private hits = 0;
  private active = true;
  constructor(private readonly capacity = 50_000) {}
  get(key: string, make: (k: string) => string | null): string | null {
    if (!this.active) return make(key);
    const hit = this.map.get(key);
    this.lookups++;
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    const v = make(key);
    if (this.map.size >= this.capacity) this.map = new Map();
    this.map.set(key, v);
    // a column of unique ids (the usual primary key) gains nothing: stop paying for the map
    if (this.lookups === 5000 && this.hits < 500) {
      this.active = false;
      this.map = new Map();
    }
    return v;
  }
}

function pseudonymizeFn(rules: ColumnarRules, p: Pseudonymizer): CellFn {
  const memo = new BoundedMemo();
  switch (rules.pseudonymFormat) {
    case 'URL_SAFE_TOKEN':
      return (v) => memo.get(v, (k) => p.pseudonymToken(k));
    case 'URL_SAFE_HASH_ONLY':
      return (v) => memo.get(v, (k) => p.pseudonymize(k)?.hash ?? null);
    default:
      return (v) => memo.get(v, (k) => {
        const id = p.pseudonymize(k);
        return id === null ? null : identityJson(id);
      });
  }
}

/** Java `String.format` for the one `%s` Psoxy allows, with `%%` and `%n`. */
function compileFormat(format: string, where: string): CellFn {
  const parts: string[] = [];
  let literal = '';
  let holes = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      literal += c;
      continue;
    }
    const k = format[++i];
    if (k === '%') literal += '%';
    else if (k === 'n') literal += '\n';
    else if (k === 's') {
      parts.push(literal);
      literal = '';
      holes++;
    } else throw new RulesError(`formatString '${format}' uses '%${k ?? ''}'; only %s, %% and %n are supported`, where);
  }
  if (holes !== 1) throw new RulesError(`formatString '${format}' must hold exactly one %s`, where);
  const [before = ''] = parts;
  const after = literal;
  return (v) => before + v + after;
}

function compileRegex(regex: string, where: string) {
  try {
    return javaPattern(regex);
  } catch (e) {
    if (e instanceof JavaRegexError) throw new RulesError(`regex '${regex}': ${e.message}`, where);
    throw e;
  }
}

function compileFieldTransform(t: FieldTransform, rules: ColumnarRules, p: Pseudonymizer, where: string): CellFn | undefined {
  if ('filter' in t) {
    const re = compileRegex(t.filter, where);
    return (v) => {
      const m = re.matches(v);
      if (!m) return null;
      return (m.groupCount > 0 ? m.group(1) : m.group(0)) ?? null;
    };
  }
  if ('formatString' in t) return compileFormat(t.formatString, where);
  if ('javaRegExpReplace' in t) {
    const re = compileRegex(t.javaRegExpReplace.regExp, where);
    const replacement = t.javaRegExpReplace.replace;
    return (v) => (re.matches(v) ? re.replaceAll(v, replacement) : v);
  }
  if ('pseudonymize' in t) return t.pseudonymize ? pseudonymizeFn(rules, p) : undefined;
  throw new RulesError('pseudonymizeWithScope is a legacy transform Psoxy no longer supports; use pseudonymize: true', where);
}

/**
 * Compiles every step of the rules' field pipelines, as a file's plan would: a bad regex, format
 * string or legacy step is found without a file to sanitize (`psoxy rules validate`).
 */
export function checkColumnarRules(rules: ColumnarRules, p: Pseudonymizer): void {
  for (const [key, pipeline] of Object.entries(rules.fieldsToTransform)) {
    pipeline.transforms.forEach((t, i) => {
      compileFieldTransform(t, rules, p, `fieldsToTransform > ${key} > transforms[${i}]`);
    });
  }
}

interface OutputColumn {
  name: string;
  /** Index in the file's record, or -1 for a column the file lacks (always empty). */
  source: number;
  fns: CellFn[];
}

/** The plan for one CSV file: which output columns, from which input columns, through what. */
export interface ColumnarPlan {
  header: string[];
  /** Values of one input record to the output record. */
  row(values: readonly string[]): (string | null)[];
  /** Fewest fields a record must have (the rightmost column read, plus one). */
  readonly minFields: number;
  /** Columns the rules name that the file lacks (each becomes an empty column, as in Psoxy). */
  readonly warnings: string[];
}

const lower = (s: string) => s.trim().toLowerCase();

/**
 * Psoxy's `ColumnarBulkDataSanitizerImpl` column algorithm (spec 4.2 steps 1-3) for a file's
 * header. Column names are trimmed and compared case-insensitively.
 */
export function planColumns(rules: ColumnarRules, fileHeader: readonly string[], p: Pseudonymizer, file: string): ColumnarPlan {
  // Commons CSV's header map: the last of duplicated names wins
  const fileIndex = new Map<string, number>();
  for (const [i, h] of fileHeader.entries()) fileIndex.set(lower(h), i);
  const redact = new Set(rules.columnsToRedact.map(lower));
  const include = rules.columnsToInclude ? new Set(rules.columnsToInclude.map(lower)) : undefined;
  const headers = fileHeader.filter((h) => !redact.has(lower(h)) && (!include || include.has(lower(h))));
  const inHeaders = new Set(headers.map(lower));

  const outputs = new Map<string, OutputColumn>();
  const renameSources = new Map<string, string>();
  const warnings: string[] = [];
  // A column the rules read that the file lacks: as Psoxy (its code; its documentation says it
  // fails), the output column is written, empty, and the file goes on; what is missing is said.
  const missing = (column: string, why: string) =>
    warnings.push(`${file}: column '${column}' (${why}) is not in the file, so its output column is empty; the file's columns are: ${fileHeader.join(', ') || '(none)'}`);
  const sourceOf = (column: string, why: string): number => {
    const i = fileIndex.get(lower(column));
    if (i === undefined) {
      missing(column, why);
      return -1;
    }
    return i;
  };
  const add = (name: string, source: number, fn?: CellFn) => {
    const key = lower(name);
    let col = outputs.get(key);
    if (!col) {
      col = { name: name.trim(), source, fns: [] };
      outputs.set(key, col);
    }
    if (fn) col.fns.push(fn);
  };

  for (const [orig, dup] of Object.entries(rules.columnsToDuplicate)) add(dup, sourceOf(orig, `columnsToDuplicate ${orig} -> ${dup}`));
  for (const [orig, renamed] of Object.entries(rules.columnsToRename)) {
    add(renamed, sourceOf(orig, `columnsToRename ${orig} -> ${renamed}`));
    renameSources.set(lower(orig), renamed);
  }
  for (const [key, pipeline] of Object.entries(rules.fieldsToTransform)) {
    const where = `fieldsToTransform > ${key}`;
    const sourceName = pipeline.sourceColumn ?? key;
    const source = sourceOf(sourceName, `source of fieldsToTransform ${key}`);
    const fns = pipeline.transforms.map((t, i) => compileFieldTransform(t, rules, p, `${where} > transforms[${i}]`)).filter((f) => f !== undefined);
    add(pipeline.newName, source, fns.length === 0 ? undefined : (v) => fns.reduce<string | null>((x, f) => (x === null ? null : f(x)), v));
  }
  // one function (and memo) per column: ids are unique, managers and departments repeat
  for (const c of rules.columnsToPseudonymize) {
    let source = fileIndex.get(lower(c)) ?? outputs.get(lower(c))?.source;
    if (source === undefined) {
      missing(c, 'columnsToPseudonymize; list it under columnsToPseudonymizeIfPresent if it may be absent');
      source = -1;
    }
    add(c, source, pseudonymizeFn(rules, p));
  }
  for (const c of rules.columnsToPseudonymizeIfPresent) {
    if (inHeaders.has(lower(c))) add(c, fileIndex.get(lower(c)) as number, pseudonymizeFn(rules, p));
  }
  for (const h of headers) {
    const key = lower(h);
    if (outputs.has(key) || renameSources.has(key)) continue;
    add(h, fileIndex.get(key) as number);
  }

  // Output order: the file position of the column or of its rename source, whichever comes first
  // (as Psoxy's sort), then new columns by name.
  const position = (col: OutputColumn): number => {
    const key = lower(col.name);
    let at = fileIndex.get(key) ?? Number.MAX_SAFE_INTEGER;
    for (const [src, renamed] of renameSources) if (lower(renamed) === key) at = Math.min(at, fileIndex.get(src) ?? Number.MAX_SAFE_INTEGER);
    return at;
  };
  const ordered = [...outputs.values()]
    .map((c) => ({ c, at: position(c) }))
    .sort((a, b) => a.at - b.at || (a.c.name < b.c.name ? -1 : a.c.name > b.c.name ? 1 : 0))
    .map((x) => x.c);
  // header names as the file spells them
  const header = ordered.map((c) => {
    const i = fileIndex.get(lower(c.name));
    return i === undefined ? c.name : (fileHeader[i] as string).trim();
  });
  const sources = ordered.map((c) => c.source);
  const chains = ordered.map((c) => c.fns);
  const minFields = Math.max(0, ...sources) + 1;
  return {
    header,
    minFields,
    warnings,
    row(values) {
      const out = new Array<string | null>(sources.length);
      for (let i = 0; i < sources.length; i++) {
        // values come trimmed from the lexer: blank means empty, or made of non-ASCII whitespace
        const v = values[sources[i] as number] as string;
        if (v === undefined || v.length === 0 || (v.charCodeAt(0) >= 0x80 && isBlank(v))) {
          out[i] = null;
          continue;
        }
        let x: string | null = v;
        const fns = chains[i] as CellFn[];
        for (let k = 0; k < fns.length && x !== null; k++) x = (fns[k] as CellFn)(x);
        out[i] = x;
      }
      return out;
    },
  };
}
