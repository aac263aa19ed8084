import { JsonDouble, type JsonObject, type JsonValue, setKey } from '../json/value.js';
import { JavaRegexError } from '../regex/java-regex.js';
import { JavaPattern } from '../regex/pattern.js';
import { type FilterExpr, type FilterPath, type Operand, type RelOp, filterPredicate, numberNode } from './filter.js';
import { type PathRef, convertRef, deleteRef, sortRefs } from './refs.js';
import {
  type PathGroup,
  type PlanStep,
  type SimpleStep,
  deletableSimply,
  deleteGroup,
  deleteScan,
  deleteSimple,
  mapGroup,
  mapScan,
  mapSimple,
  planPaths,
  simpleSteps,
} from './simple.js';
import {
  ArrayIndexToken,
  ArraySliceToken,
  type EvalContext,
  FilterToken,
  PathNotFound,
  type PathToken,
  PropertyToken,
  RootToken,
  ScanToken,
  WildcardToken,
  scanForProperties,
} from './tokens.js';
import { type ScanRunInfo, joinsRun, scanRunInfo } from './scan-run.js';

/** A JSONPath that cannot be compiled (or uses something we refuse to approximate). */
export class JsonPathSyntaxError extends Error {
  override readonly name = 'JsonPathSyntaxError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid JSONPath "${path}": ${reason}`);
  }
}

/**
 * A compiled JSONPath with Jayway JsonPath 2.9 semantics (not RFC 9535): what Psoxy's rules were
 * written against. Compile once per rule set; `map` and `delete` mutate the document in place as
 * Jayway's `JsonPath.map` / `JsonPath.delete` do.
 */
export class JsonPath implements FilterPath {
  readonly definite: boolean;
  readonly isRoot: boolean;
  private readonly tailPrevFragment: string;
  /** Names and wildcards only: map and delete take the one-walk route of simple.ts. */
  readonly simple: readonly SimpleStep[] | null;
  /** The name of `$..name`: map and delete apply where they find (simple.ts). */
  private readonly scanName: string | null;
  /** What a deep scan reads and changes, when it may share a walk with others (scan-run.ts). */
  readonly scanRun: ScanRunInfo | null;

  constructor(
    readonly source: string,
    private readonly root: RootToken,
  ) {
    let definite = true;
    let t: PathToken | null = root;
    let last: PathToken = root;
    while (t) {
      if (!t.isTokenDefinite()) definite = false;
      last = t;
      t = t.next;
    }
    this.definite = definite;
    this.isRoot = root.symbol === '$';
    this.tailPrevFragment = last.prev ? last.prev.fragment() : '';
    this.simple = simpleSteps(root);
    this.scanRun = scanRunInfo(root);
    // `$..name`: a scan run whose first token is a single-name leaf
    const first = this.scanRun?.first;
    this.scanName = first && first.next === null && first.names.length === 1 ? (first.names[0] as string) : null;
  }

  /** A fresh context for collecting this path's references in `doc`. */
  updateContext(doc: JsonValue): EvalContext {
    return this.context(doc, true, false);
  }

  private context(root: JsonValue, forUpdate: boolean, requireProperties: boolean): EvalContext {
    return {
      root,
      forUpdate,
      requireProperties,
      values: [],
      refs: [],
      upstreamIndex: new Map(),
      tailPrevFragment: this.tailPrevFragment,
    };
  }

  private run(doc: JsonValue, root: JsonValue, forUpdate: boolean, requireProperties: boolean): EvalContext {
    const ctx = this.context(root, forUpdate, requireProperties);
    this.root.evaluate(null, '$', doc, ctx);
    return ctx;
  }

  /** Values matched in `doc` (throws PathNotFound for a missing definite path). */
  readValues(doc: JsonValue, root: JsonValue = doc, requireProperties = false): JsonValue[] {
    const ctx = this.run(doc, root, false, requireProperties);
    if (this.definite && ctx.values.length === 0) throw new PathNotFound(`no results for path ${this.source}`);
    return ctx.values;
  }

  /** Values matched in `doc`; none if the path does not exist. */
  read(doc: JsonValue): JsonValue[] {
    try {
      return this.readValues(doc);
    } catch (e) {
      if (e instanceof PathNotFound) return [];
      throw e;
    }
  }

  /** Where the matches are, in evaluation order (none if the path does not exist). */
  locate(doc: JsonValue): PathRef[] {
    try {
      return this.run(doc, doc, true, false).refs;
    } catch (e) {
      if (e instanceof PathNotFound) return [];
      throw e;
    }
  }

  private refs(doc: JsonValue): PathRef[] {
    return sortRefs(this.locate(doc));
  }

  /** Replaces every match with `f(match)`; returns the number of references updated. */
  map(doc: JsonValue, f: (v: JsonValue) => JsonValue): number {
    if (this.simple) return mapSimple(this.simple, doc, f);
    if (this.scanName !== null) return mapScan(this.scanName, doc, f);
    const refs = this.refs(doc);
    for (const r of refs) convertRef(r, f);
    return refs.length;
  }

  /** Deletes every match; returns the number of references deleted. */
  delete(doc: JsonValue): number {
    if (this.simple && deletableSimply(this.simple)) return deleteSimple(this.simple, doc);
    if (this.scanName !== null) return deleteScan(this.scanName, doc);
    const refs = this.refs(doc);
    for (const r of refs) deleteRef(r);
    return refs.length;
  }

  toString(): string {
    return this.source;
  }
}

/**
 * The paths of one transform, applied one after the other as Jayway would, except that
 * consecutive simple paths through the same wildcard are walked together (see simple.ts), and,
 * when the transform allows it, consecutive deep scans that cannot affect each other share one
 * walk (see scan-run.ts). Internal to the sanitizer, not exported by the package: `shareScans`
 * is only right for the transforms named in scan-run.ts.
 */
export class JsonPathSet {
  private readonly mapPlan: SetStep[];
  private readonly deletePlan: SetStep[];

  constructor(
    readonly paths: readonly JsonPath[],
    opts: { shareScans?: boolean } = {},
  ) {
    const shareScans = opts.shareScans ?? false;
    this.mapPlan = withScanRuns(
      planPaths(paths, (p) => p.simple),
      shareScans,
    );
    this.deletePlan = withScanRuns(
      planPaths(paths, (p) => (p.simple && deletableSimply(p.simple) ? p.simple : null)),
      shareScans,
    );
  }

  map(doc: JsonValue, f: (v: JsonValue) => JsonValue): void {
    for (const s of this.mapPlan) {
      if (s.kind === 'group') mapGroup(s.group, doc, f);
      else if (s.kind === 'run') for (const refs of locateRun(s.run, doc)) for (const r of sortRefs(refs)) convertRef(r, f);
      else s.path.map(doc, f);
    }
  }

  delete(doc: JsonValue): void {
    for (const s of this.deletePlan) {
      if (s.kind === 'group') deleteGroup(s.group, doc);
      else if (s.kind === 'run') for (const refs of locateRun(s.run, doc)) for (const r of sortRefs(refs)) deleteRef(r);
      else s.path.delete(doc);
    }
  }
}

type SetStep =
  | { readonly kind: 'path'; readonly path: JsonPath }
  | { readonly kind: 'group'; readonly group: PathGroup }
  | { readonly kind: 'run'; readonly run: readonly JsonPath[] };

/** Merges consecutive single deep-scan paths into runs that share a walk (scan-run.ts). */
function withScanRuns(plan: PlanStep<JsonPath>[], shareScans: boolean): SetStep[] {
  const out: SetStep[] = [];
  let run: JsonPath[] = [];
  let infos: ScanRunInfo[] = [];
  const flush = () => {
    if (run.length > 1) out.push({ kind: 'run', run });
    else if (run.length === 1) out.push({ kind: 'path', path: run[0] as JsonPath });
    run = [];
    infos = [];
  };
  for (const s of plan) {
    if (s.group) {
      flush();
      out.push({ kind: 'group', group: s.group });
      continue;
    }
    const info = shareScans ? s.path.scanRun : null;
    if (!info) {
      flush();
      out.push({ kind: 'path', path: s.path });
      continue;
    }
    if (!joinsRun(infos, info)) flush();
    run.push(s.path);
    infos.push(info);
  }
  flush();
  return out;
}

/** Every path's references, collected in one walk of `doc` (each as its own walk would). */
function locateRun(run: readonly JsonPath[], doc: JsonValue): PathRef[][] {
  const ctxs = run.map((p) => p.updateContext(doc));
  scanForProperties(
    run.map((p) => (p.scanRun as ScanRunInfo).first),
    ctxs,
    null,
    '$',
    doc,
  );
  return ctxs.map((c) => c.refs);
}

const cache = new Map<string, JsonPath>();

/** Compiles a Jayway JSONPath (memoized). Paths not starting with `$` or `@` get `$.` prepended. */
export function compileJsonPath(source: string): JsonPath {
  let p = cache.get(source);
  if (!p) {
    p = new PathParser(source).parse();
    if (cache.size > 10000) cache.clear();
    cache.set(source, p);
  }
  return p;
}

class PathParser {
  private path: string;
  private pos = 0;
  private tokens: PathToken[] = [];

  constructor(readonly source: string) {
    let p = source.trim();
    if (!p.startsWith('$') && !p.startsWith('@')) p = `$.${p}`;
    this.path = p;
  }

  fail(reason: string): never {
    throw new JsonPathSyntaxError(this.source, reason);
  }

  parse(): JsonPath {
    if (this.path.endsWith('.')) this.fail("a path must not end with '.' or '..'");
    const root = new RootToken(this.path[0] as '$' | '@');
    this.tokens.push(root);
    this.pos = 1;
    // Jayway: what follows the root must be '.' or '[' (`$foo` is not `$.foo`)
    const next = this.path[this.skipSpaces(1)];
    if (next !== undefined && next !== '.' && next !== '[') this.fail(`expected '.' or '[' after '${this.path[0]}' at position 1`);
    while (this.pos < this.path.length) this.readNextToken();
    for (let i = 1; i < this.tokens.length; i++) {
      const a = this.tokens[i - 1] as PathToken;
      const b = this.tokens[i] as PathToken;
      a.next = b;
      b.prev = a;
    }
    const last = this.tokens[this.tokens.length - 1];
    if (last instanceof ScanToken) this.fail("a path must not end with '..'");
    return new JsonPath(this.source, root);
  }

  readNextToken(): void {
    const c = this.path[this.pos];
    switch (c) {
      case '[':
        this.readBracket();
        return;
      case '.':
        this.readDot();
        return;
      case '*':
        this.readWildcard();
        return;
      case ' ':
        this.fail(`unexpected space at position ${this.pos}`);
        return;
      default:
        this.readProperty();
    }
  }

  readDot(): void {
    if (this.path[this.pos + 1] === '.') {
      this.tokens.push(new ScanToken());
      this.pos += 2;
    } else {
      this.pos += 1;
    }
    if (this.pos >= this.path.length) this.fail("a path must not end with '.' or '..'");
    if (this.path[this.pos] === '.') this.fail(`character '.' at position ${this.pos} is not valid`);
    this.readNextToken();
  }

  readWildcard(): void {
    const after = this.path[this.pos + 1];
    if (after !== undefined && after !== '.' && after !== '[') this.fail(`unexpected character after '*' at position ${this.pos}`);
    this.tokens.push(new WildcardToken());
    this.pos++;
  }

  readProperty(): void {
    const start = this.pos;
    let i = start;
    while (i < this.path.length) {
      const c = this.path[i];
      if (c === ' ') this.fail(`use bracket notation ['my prop'] for a property with spaces (position ${i})`);
      if (c === '.' || c === '[') break;
      if (c === '(') this.fail(`path functions such as ${this.path.slice(start, i)}() are not supported`);
      i++;
    }
    if (i === start) this.fail(`expected a property name at position ${start}`);
    this.tokens.push(new PropertyToken([this.path.slice(start, i)]));
    this.pos = i;
  }

  skipSpaces(i: number): number {
    while (this.path[i] === ' ') i++;
    return i;
  }

  readBracket(): void {
    const i = this.skipSpaces(this.pos + 1);
    const c = this.path[i];
    if (c === "'" || c === '"') {
      this.readBracketProperties(i);
      return;
    }
    if (c === '*') {
      const close = this.skipSpaces(i + 1);
      if (this.path[close] !== ']') this.fail(`expected ']' at position ${close}`);
      this.tokens.push(new WildcardToken());
      this.pos = close + 1;
      return;
    }
    if (c === '?') {
      this.readFilter(i);
      return;
    }
    if (c !== undefined && /[-0-9:]/.test(c)) {
      this.readArray(i);
      return;
    }
    this.fail(`could not parse the token at position ${this.pos}: expected ?, ', ", 0-9 or *`);
  }

  readBracketProperties(start: number): void {
    const names: string[] = [];
    let i = start;
    for (;;) {
      const quote = this.path[i];
      if (quote !== "'" && quote !== '"') this.fail(`expected a quoted property name at position ${i}`);
      let name = '';
      i++;
      for (;;) {
        const c = this.path[i];
        if (c === undefined) this.fail('unterminated property name');
        if (c === '\\') {
          const e = this.path[i + 1];
          if (e === undefined) this.fail('unterminated property name');
          name += e;
          i += 2;
          continue;
        }
        if (c === quote) break;
        name += c;
        i++;
      }
      names.push(name);
      i = this.skipSpaces(i + 1);
      if (this.path[i] === ',') {
        i = this.skipSpaces(i + 1);
        continue;
      }
      if (this.path[i] === ']') break;
      this.fail(`expected ',' or ']' at position ${i}`);
    }
    this.tokens.push(new PropertyToken(names));
    this.pos = i + 1;
  }

  /** `[1]`, `[1, 2]`, `[1:2]`, `[:2]`, `[-1:]`, read as Jayway's ArrayIndexOperation / ArraySliceOperation. */
  readArray(start: number): void {
    const close = this.path.indexOf(']', start);
    if (close < 0) this.fail("missing ']'");
    const body = this.path.slice(start, close).trim();
    if (body.includes(':')) {
      // no spaces inside a slice; Java's split drops trailing empty parts, and a third part (a
      // step) is ignored
      if (!/^[-0-9:]+$/.test(body)) this.fail(`invalid array slice [${body}]`);
      const parts = body.split(':');
      while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
      const from = this.sliceBound(parts[0], body);
      const to = this.sliceBound(parts[1], body);
      if (from === undefined && to === undefined) this.fail(`invalid array slice [${body}]`);
      this.tokens.push(new ArraySliceToken(from, to));
    } else {
      // indexes are separated by commas (with optional spaces around them), each a whole integer
      this.tokens.push(new ArrayIndexToken(body.split(/ *, */).map((part) => this.arrayInt(part, body))));
    }
    this.pos = close + 1;
  }

  sliceBound(part: string | undefined, body: string): number | undefined {
    return part === undefined || part === '' ? undefined : this.arrayInt(part, body);
  }

  /** Java's Integer.parseInt: an optional '-' and digits, within 32 bits. */
  arrayInt(part: string, body: string): number {
    const n = /^-?\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!(n >= -2147483648 && n <= 2147483647)) this.fail(`invalid array index or slice [${body}]`);
    return n;
  }

  readFilter(qPos: number): void {
    let i = this.skipSpaces(qPos + 1);
    if (this.path[i] !== '(') this.fail(`expected '(' after '?' at position ${i}`);
    const close = matchingClose(this.path, i, '(', ')');
    if (close < 0) this.fail('unbalanced parentheses in a filter');
    const expr = this.path.slice(i + 1, close);
    i = this.skipSpaces(close + 1);
    if (this.path[i] !== ']') this.fail(`expected ']' after a filter at position ${i}`);
    let compiled: FilterExpr;
    try {
      compiled = new FilterParser(expr).parse();
    } catch (e) {
      if (e instanceof FilterSyntaxError) this.fail(`in filter [?(${expr})]: ${e.message}`);
      if (e instanceof JsonPathSyntaxError) this.fail(`in filter [?(${expr})]: ${e.reason}`);
      if (e instanceof JavaRegexError) this.fail(`in filter [?(${expr})]: ${e.message}`);
      throw e;
    }
    this.tokens.push(new FilterToken(filterPredicate(compiled), expr));
    this.pos = i + 1;
  }
}

/** Index of the bracket closing the one at `open`, skipping quoted strings and /regex/ literals. */
function matchingClose(s: string, open: number, o: string, c: string): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      i = skipQuoted(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (ch === '/' && isRegexStart(s, i)) {
      i = skipQuoted(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i;
  }
  return -1;
}

/** A `/` starts a regex literal when it follows an operator such as `=~` (not inside a path). */
function isRegexStart(s: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && s[j] === ' ') j--;
  return j >= 0 && s[j] === '~';
}

function skipQuoted(s: string, start: number): number {
  const q = s[start];
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}

class FilterSyntaxError extends Error {}

const REL_OPS: Record<string, RelOp> = {
  '==': '==',
  '!=': '!=',
  '===': '===',
  '!==': '!==',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '=~': '=~',
  IN: 'in',
  NIN: 'nin',
  CONTAINS: 'contains',
  ALL: 'all',
  SIZE: 'size',
  EMPTY: 'empty',
  SUBSETOF: 'subsetof',
  ANYOF: 'anyof',
  NONEOF: 'noneof',
  EXISTS: 'exists',
};

const isRelChar = (c: string | undefined) => c === '<' || c === '>' || c === '=' || c === '~' || c === '!';

/** Jayway's `FilterCompiler`: `||`, `&&`, `!`, parentheses and relational expressions. */
class FilterParser {
  private pos = 0;
  private lastPathShouldExist = true;
  constructor(private readonly s: string) {}

  fail(reason: string): never {
    throw new FilterSyntaxError(reason);
  }

  skip(): void {
    while (this.s[this.pos] === ' ' || this.s[this.pos] === '\t') this.pos++;
  }

  parse(): FilterExpr {
    const e = this.or();
    this.skip();
    if (this.pos < this.s.length) this.fail(`unexpected '${this.s[this.pos]}' at position ${this.pos}`);
    return e;
  }

  or(): FilterExpr {
    const items = [this.and()];
    for (;;) {
      this.skip();
      if (!this.s.startsWith('||', this.pos)) break;
      this.pos += 2;
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as FilterExpr) : { kind: 'or', items };
  }

  and(): FilterExpr {
    const items = [this.andOperand()];
    for (;;) {
      this.skip();
      if (!this.s.startsWith('&&', this.pos)) break;
      this.pos += 2;
      items.push(this.andOperand());
    }
    return items.length === 1 ? (items[0] as FilterExpr) : { kind: 'and', items };
  }

  andOperand(): FilterExpr {
    this.skip();
    if (this.s[this.pos] === '!') {
      const save = this.pos;
      this.pos++;
      this.skip();
      const c = this.s[this.pos];
      if (c === '@' || c === '$') this.pos = save;
      else return { kind: 'not', expr: this.andOperand() };
    }
    if (this.s[this.pos] === '(') {
      this.pos++;
      const e = this.or();
      this.skip();
      if (this.s[this.pos] !== ')') this.fail(`expected ')' at position ${this.pos}`);
      this.pos++;
      return e;
    }
    return this.expression();
  }

  expression(): FilterExpr {
    this.lastPathShouldExist = true;
    const left = this.valueNode();
    const shouldExist = this.lastPathShouldExist; // false for `!@.x`
    const save = this.pos;
    const op = this.relOp();
    if (op) return { kind: 'rel', left, op, right: this.valueNode() };
    this.pos = save;
    if (left.t !== 'path') this.fail('a literal on its own is not a filter');
    return {
      kind: 'rel',
      left: { ...left, existsCheck: true },
      op: 'exists',
      right: { t: 'boolean', v: shouldExist },
    };
  }

  relOp(): RelOp | undefined {
    this.skip();
    const begin = this.pos;
    if (isRelChar(this.s[this.pos])) {
      while (this.pos < this.s.length && isRelChar(this.s[this.pos])) this.pos++;
    } else {
      while (this.pos < this.s.length && this.s[this.pos] !== ' ' && this.s[this.pos] !== ')') this.pos++;
    }
    const text = this.s.slice(begin, this.pos);
    if (text === '') return undefined;
    const op = REL_OPS[text.toUpperCase()] ?? REL_OPS[text];
    if (!op) {
      if (/^[A-Za-z]+$/.test(text) && ['MATCHES', 'TYPE'].includes(text.toUpperCase())) {
        this.fail(`the '${text}' filter operator is not supported`);
      }
      return undefined;
    }
    return op;
  }

  valueNode(): Operand {
    this.skip();
    const c = this.s[this.pos];
    if (c === '@' || c === '$') return this.path(true);
    if (c === '!') {
      this.pos++;
      this.skip();
      const d = this.s[this.pos];
      if (d === '@' || d === '$') return this.path(false);
      this.fail("unexpected character '!'");
    }
    return this.literal();
  }

  path(shouldExist: boolean): Operand {
    this.lastPathShouldExist = shouldExist;
    const begin = this.pos;
    this.pos++;
    while (this.pos < this.s.length) {
      if (this.s[this.pos] === '[') {
        const close = matchingClose(this.s, this.pos, '[', ']');
        if (close < 0) this.fail('square brackets do not match in filter');
        this.pos = close + 1;
        continue;
      }
      const c = this.s[this.pos];
      if (isRelChar(c) || c === ' ' || c === ')') break;
      this.pos++;
    }
    const source = this.s.slice(begin, this.pos);
    let path: JsonPath;
    try {
      path = compileJsonPath(source);
    } catch (e) {
      if (e instanceof JsonPathSyntaxError) this.fail(e.reason);
      throw e;
    }
    return { t: 'path', path, existsCheck: false, source };
  }

  literal(): Operand {
    this.skip();
    const c = this.s[this.pos];
    if (c === "'" || c === '"') {
      const end = skipQuoted(this.s, this.pos);
      if (end < 0) this.fail('unterminated string literal');
      const v = unescapeLiteral(this.s.slice(this.pos + 1, end));
      this.pos = end + 1;
      return { t: 'string', v };
    }
    if (this.s.startsWith('true', this.pos)) {
      this.pos += 4;
      return { t: 'boolean', v: true };
    }
    if (this.s.startsWith('false', this.pos)) {
      this.pos += 5;
      return { t: 'boolean', v: false };
    }
    if (this.s.startsWith('null', this.pos)) {
      this.pos += 4;
      return { t: 'null' };
    }
    if (c === '[' || c === '{') {
      const end = matchingClose(this.s, this.pos, c, c === '[' ? ']' : '}');
      if (end < 0) this.fail('unterminated JSON literal');
      const v = parseLenientJson(this.s.slice(this.pos, end + 1));
      this.pos = end + 1;
      return { t: 'json', v };
    }
    if (c === '/') return this.pattern();
    const begin = this.pos;
    while (this.pos < this.s.length && /[-0-9.eE]/.test(this.s[this.pos] as string)) this.pos++;
    const text = this.s.slice(begin, this.pos);
    if (text === '') this.fail(`unexpected '${c ?? 'end of filter'}' at position ${begin}`);
    try {
      return numberNode(text);
    } catch {
      return this.fail(`invalid number literal ${text}`);
    }
  }

  pattern(): Operand {
    const begin = this.pos;
    let i = this.pos + 1;
    for (; i < this.s.length; i++) {
      if (this.s[i] === '\\') {
        i++;
        continue;
      }
      if (this.s[i] === '/') break;
    }
    if (i >= this.s.length) this.fail('unterminated regex literal');
    const body = this.s.slice(begin + 1, i);
    i++;
    let flags = '';
    while (i < this.s.length && /[a-zA-Z]/.test(this.s[i] as string)) flags += this.s[i++];
    this.pos = i;
    for (const f of flags) {
      if (!'idmsx'.includes(f)) this.fail(`regex flag '${f}' is not supported`);
    }
    const re = new JavaPattern(body, {
      caseInsensitive: flags.includes('i'),
      multiline: flags.includes('m'),
      dotAll: flags.includes('s'),
      comments: flags.includes('x'),
      unixLines: flags.includes('d'),
    });
    return { t: 'pattern', re, source: `/${body}/${flags}` };
  }
}

function unescapeLiteral(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** The permissive JSON that Jayway's json-smart accepts in filter literals (single quotes too). */
function parseLenientJson(text: string): JsonValue {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const a: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return a;
        }
        throw new FilterSyntaxError(`invalid list literal ${text}`);
      }
    }
    if (c === '{') {
      i++;
      const m: JsonObject = {};
      ws();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') throw new FilterSyntaxError(`invalid object literal ${text}`);
        ws();
        if (text[i++] !== ':') throw new FilterSyntaxError(`invalid object literal ${text}`);
        setKey(m, k, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return m;
        }
        throw new FilterSyntaxError(`invalid object literal ${text}`);
      }
    }
    if (c === "'" || c === '"') {
      const end = skipQuoted(text, i);
      if (end < 0) throw new FilterSyntaxError(`unterminated string in ${text}`);
      const s = unescapeLiteral(text.slice(i + 1, end));
      i = end + 1;
      return s;
    }
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(text.slice(i));
    if (!m) throw new FilterSyntaxError(`invalid literal in ${text}`);
    i += m[0].length;
    if (m[1] === 'true') return true;
    if (m[1] === 'false') return false;
    if (m[1] === 'null') return null;
    if (m[2] || m[3]) {
      const d = Number(m[0]);
      return Number.isInteger(d) ? new JsonDouble(d) : d;
    }
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) throw new FilterSyntaxError(`invalid JSON literal ${text}`);
  return v;
}
