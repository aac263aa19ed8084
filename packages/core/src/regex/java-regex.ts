/**
 * Translates Java `java.util.regex` patterns (as written in Psoxy rule files) into equivalent
 * JavaScript `RegExp`s. JS and Java differ in ways that matter for a DLP rule, so the translation
 * is explicit rather than "close enough":
 * - Java's case-insensitivity is ASCII-only; JS's `i` folds non-ASCII letters too. Case-insensitive
 *   letters are therefore expanded into ASCII classes (`a` -> `[aA]`) and no `i` flag is used.
 * - `.`, `^`, `$`, `\s`, `\v`, `\h`, `\R`, `\Z` use Java's definitions of line terminators and
 *   whitespace.
 * - Inline flags (`(?i)`, `(?i:...)`, `(?-i)`, `(?)`), `\Q...\E`, POSIX classes (`\p{Cntrl}`),
 *   atomic groups and possessive quantifiers (emulated with a lookahead and a back-reference).
 * - Unicode properties (`\p{L}`, `\p{IsLatin}`, `\p{IsAlphabetic}`, `\p{javaLetter}`) as classes of
 *   their BMP members: a supplementary character (a surrogate pair) is not matched by them.
 * Anything without a faithful translation (class intersections, `\G`, Unicode-case flags, ...) is
 * refused with a {@link JavaRegexError} rather than approximated.
 */

export class JavaRegexError extends Error {
  override readonly name = 'JavaRegexError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`unsupported or invalid Java regex /${pattern}/: ${reason}`);
  }
}

export interface JavaRegexFlags {
  caseInsensitive?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
  comments?: boolean;
  unixLines?: boolean;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  d: boolean;
}

const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const JAVA_HSPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const JAVA_VSPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const END = '(?![\\s\\S])';
const START = '(?<![\\s\\S])';

/** POSIX character classes (US-ASCII only, as Java without UNICODE_CHARACTER_CLASS). */
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: JAVA_SPACE,
  // Character.isWhitespace: the space separators but the no-break ones, the line and paragraph
  // separators, and these controls
  javaWhitespace: `${JAVA_SPACE}\\x1C-\\x1F\\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000`,
};

/** Java's `java.lang.Character` classes that are Unicode properties (never ASCII-only). */
const JAVA_CHARACTER: Record<string, string> = {
  javaLowerCase: 'Lowercase',
  javaUpperCase: 'Uppercase',
  javaTitleCase: 'Lt',
  javaLetter: 'L',
  javaDigit: 'Nd',
  javaAlphabetic: 'Alphabetic',
  javaIdeographic: 'Ideographic',
  javaSpaceChar: 'Z',
};

/** Java's `\p{IsXxx}` binary properties, by the name JS gives them. */
const BINARY: Record<string, string> = {
  alphabetic: 'Alphabetic',
  ideographic: 'Ideographic',
  letter: 'L',
  lowercase: 'Lowercase',
  uppercase: 'Uppercase',
  titlecase: 'Lt',
  punctuation: 'P',
  control: 'Cc',
  whitespace: 'White_Space',
  white_space: 'White_Space',
  digit: 'Nd',
  hexdigit: 'Hex_Digit',
  hex_digit: 'Hex_Digit',
  joincontrol: 'Join_Control',
  join_control: 'Join_Control',
  noncharactercodepoint: 'Noncharacter_Code_Point',
  noncharacter_code_point: 'Noncharacter_Code_Point',
  assigned: 'Assigned',
  emoji: 'Emoji',
};

const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs Cn'.split(' '),
);

const unicodeClasses = new Map<string, string>();

/**
 * The BMP members of a Unicode property as class content (`\u0041-\u005A...`), computed once per
 * property from the JS engine's Unicode data. Java matches code points; without the `u` flag (see
 * above) a class holds UTF-16 units, so supplementary characters are not members here.
 */
function bmpClass(jsProperty: string): string {
  return bmpMembers(`\\p{${jsProperty}}`);
}

/** {@link bmpClass} of any `u`-mode class expression (`[\p{L}\p{Nd}]`, `[^\p{Z}]`). */
function bmpMembers(expression: string): string {
  let cls = unicodeClasses.get(expression);
  if (cls !== undefined) return cls;
  const re = new RegExp(`^${expression}$`, 'u');
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let out = '';
  let start = -1;
  for (let c = 0; c <= 0x10000; c++) {
    const member = c < 0x10000 && (c < 0xd800 || c > 0xdfff) && re.test(String.fromCharCode(c));
    if (member && start < 0) start = c;
    if (!member && start >= 0) {
      out += start === c - 1 ? hex(start) : `${hex(start)}-${hex(c - 1)}`;
      start = -1;
    }
  }
  cls = out;
  unicodeClasses.set(expression, cls);
  return cls;
}

/**
 * `\p{IsXxx}` where Xxx is a POSIX name: Unicode in Java (`CharPredicates.getPosixPredicate`, tried
 * after the binary properties), unlike `\p{Xxx}`, which is ASCII. As `u`-mode class expressions.
 */
const UNICODE_POSIX: Record<string, string> = {
  ALPHA: '\\p{Alphabetic}',
  LOWER: '\\p{Lowercase}',
  UPPER: '\\p{Uppercase}',
  SPACE: '\\p{White_Space}',
  PUNCT: '\\p{P}',
  CNTRL: '\\p{Cc}',
  DIGIT: '\\p{Nd}',
  ALNUM: '[\\p{Alphabetic}\\p{Nd}]',
  XDIGIT: '[\\p{Nd}\\p{Hex_Digit}]',
  BLANK: '[\\p{Zs}\\t]',
  GRAPH: '[^\\p{Z}\\p{Cc}\\p{Cs}\\p{Cn}]',
  PRINT: '[^\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cs}\\p{Cn}]',
};

/** Under `(?i)` Java widens the cased classes to every case (`CharPredicates`, `caseIns`). */
const CASE_INSENSITIVE_CATEGORY = '[\\p{Lu}\\p{Ll}\\p{Lt}]';
const CASE_INSENSITIVE_CASED = '[\\p{Lowercase}\\p{Uppercase}\\p{Lt}]';

/** The class content of a Java `\p{name}` (BMP members, see {@link bmpClass}), or undefined if unknown. */
function propertyClass(name: string, caseInsensitive: boolean): string | undefined {
  const bare = name.startsWith('Is') ? name.slice(2) : undefined;
  const binary = bare !== undefined && BINARY[bare.toLowerCase()] !== undefined;
  if (bare !== undefined && !binary) {
    const upper = bare.toUpperCase();
    const unicode = UNICODE_POSIX[upper];
    if (unicode !== undefined) {
      return bmpMembers(caseInsensitive && (upper === 'LOWER' || upper === 'UPPER') ? CASE_INSENSITIVE_CASED : unicode);
    }
  }
  // POSIX classes are ASCII-only (as Java without UNICODE_CHARACTER_CLASS); `\p{IsASCII}` too
  const posix = bare === undefined ? POSIX[name] : binary ? undefined : POSIX[bare];
  if (posix !== undefined) return caseInsensitive && (posix === 'a-z' || posix === 'A-Z') ? 'a-zA-Z' : posix;
  const property = unicodeProperty(name);
  if (property === undefined) return undefined;
  if (caseInsensitive) {
    const category = (bare ?? name).replace(/^(general_category|gc)=/i, '');
    if (category === 'Lu' || category === 'Ll' || category === 'Lt') return bmpMembers(CASE_INSENSITIVE_CATEGORY);
    if (property === 'Lowercase' || property === 'Uppercase' || property === 'Lt') return bmpMembers(CASE_INSENSITIVE_CASED);
  }
  return bmpClass(property);
}

/**
 * The JS name of a Java `\p{...}` Unicode property: a general category (`L`, `IsLu`,
 * `general_category=Lu`), a script (`IsLatin`, `script=Latin`), a binary property (`IsAlphabetic`)
 * or a `java.lang.Character` class (`javaLetter`). Undefined when JS has no such property.
 */
function unicodeProperty(name: string): string | undefined {
  const java = JAVA_CHARACTER[name];
  if (java) return java;
  const eq = /^(general_category|gc|script|sc|block|blk)=(.+)$/i.exec(name);
  if (eq) {
    const kind = (eq[1] as string).toLowerCase();
    const value = eq[2] as string;
    if (kind === 'block' || kind === 'blk') return undefined;
    return kind === 'general_category' || kind === 'gc' ? (GENERAL_CATEGORIES.has(value) ? value : undefined) : jsScript(value);
  }
  const bare = name.startsWith('Is') ? name.slice(2) : name;
  if (GENERAL_CATEGORIES.has(bare)) return bare;
  if (!name.startsWith('Is')) return undefined;
  return BINARY[bare.toLowerCase()] ?? jsScript(bare);
}

function jsScript(name: string): string | undefined {
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return `Script=${name}`;
  } catch {
    return undefined;
  }
}

/** The result of translating one Java pattern. */
export interface TranslatedRegex {
  /** JS regex source (use without the `u` flag). */
  source: string;
  /** Number of capturing groups in the Java pattern. */
  groupCount: number;
  /** JS group number of each Java group (index 0 is the whole match). */
  groupMap: number[];
  /** Java named groups -> Java group number. */
  namedGroups: Map<string, number>;
}

class Translator {
  pos = 0;
  out = '';
  javaGroups = 0;
  jsGroups = 0;
  groupMap: number[] = [0];
  namedGroups = new Map<string, number>();
  /** Start (in `out`) of the last complete atom, for quantifiers, and the JS groups opened before it. */
  lastAtom = -1;
  lastAtomGroups = 0;

  constructor(
    readonly src: string,
    readonly initial: Flags,
  ) {}

  fail(reason: string): never {
    throw new JavaRegexError(this.src, reason);
  }

  peek(o = 0): string {
    return this.src[this.pos + o] ?? '';
  }

  translate(): TranslatedRegex {
    this.sequence({ ...this.initial }, false);
    if (this.pos < this.src.length) this.fail(`unmatched ')' at index ${this.pos}`);
    return { source: this.out, groupCount: this.javaGroups, groupMap: this.groupMap, namedGroups: this.namedGroups };
  }

  /** Translates until ')' (if nested) or the end; `flags` may be changed by inline flag groups. */
  sequence(flags: Flags, nested: boolean): void {
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === ')') {
        if (!nested) this.fail(`unmatched ')' at index ${this.pos}`);
        return;
      }
      if (c === '|') {
        this.out += '|';
        this.pos++;
        this.lastAtom = -1;
        continue;
      }
      if (flags.x && (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\x0B')) {
        this.pos++;
        continue;
      }
      if (flags.x && c === '#') {
        while (this.pos < this.src.length && !'\n\r\u0085\u2028\u2029'.includes(this.src[this.pos] as string)) this.pos++;
        continue;
      }
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.isQuantifierBrace())) {
        this.quantifier();
        continue;
      }
      if (c === '{') this.fail(`illegal repetition at index ${this.pos} (escape a literal '{' as \\{)`);
      this.atom(flags);
    }
    if (nested) this.fail('missing closing parenthesis');
  }

  isQuantifierBrace(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos));
  }

  quantifier(): void {
    if (this.lastAtom < 0) this.fail(`dangling quantifier at index ${this.pos}`);
    const start = this.pos;
    const c = this.src[this.pos] as string;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos)) as RegExpExecArray;
      if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) this.fail('illegal repetition range');
      if (Number(m[1]) > 0x7fffffff || Number(m[3] || 0) > 0x7fffffff) this.fail('illegal repetition count: beyond 2^31-1');
      this.pos += m[0].length;
    } else {
      this.pos++;
    }
    let q = this.src.slice(start, this.pos);
    const mod = this.peek();
    if (mod === '?') {
      q += '?';
      this.pos++;
    } else if (mod === '+') {
      // Possessive: (?>X{q}) emulated as (?=(X{q}))\N.
      this.pos++;
      const atomStart = this.lastAtom;
      const atom = this.out.slice(atomStart);
      this.out = this.out.slice(0, atomStart);
      this.emitAtomicAt(`${atom}${q}`, this.lastAtomGroups + 1);
      this.lastAtom = atomStart;
      return;
    }
    this.out += q;
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || (next === '{' && this.isQuantifierBrace())) {
      this.fail(`dangling quantifier at index ${this.pos}`);
    }
  }

  /**
   * Groups inside an atomic section were numbered before the wrapping group was opened. The wrapper
   * takes number `n`, so every JS group >= n inside `inner` (and in the maps) moves up by one.
   */
  shiftGroups(inner: string, n: number): string {
    for (let j = 1; j < this.groupMap.length; j++) {
      const g = this.groupMap[j] as number;
      if (g >= n) this.groupMap[j] = g + 1;
    }
    return inner.replace(/\\(\d+)|\\[\s\S]/g, (m, d: string | undefined) =>
      d !== undefined && Number(d) >= n ? `\\${Number(d) + 1}` : m,
    );
  }

  atom(flags: Flags): void {
    const start = this.out.length;
    const groupsBefore = this.jsGroups;
    const c = this.src[this.pos] as string;
    switch (c) {
      case '(':
        this.group(flags);
        if (this.lastAtom === start) this.lastAtomGroups = groupsBefore;
        return; // group() sets lastAtom
      case '[':
        this.out += this.charClass(flags);
        break;
      case '.':
        this.pos++;
        this.out += flags.s ? '[\\s\\S]' : flags.d ? '[^\\n]' : `[^${LINE_TERMINATORS}]`;
        break;
      case '^':
        this.pos++;
        this.out += flags.m ? this.multilineStart(flags) : START;
        break;
      case '$':
        this.pos++;
        this.out += flags.m ? this.multilineEnd(flags) : this.inputEnd(flags);
        break;
      case '\\':
        this.out += this.escape(flags, false);
        break;
      default: {
        const cp = this.src.codePointAt(this.pos) as number;
        const ch = String.fromCodePoint(cp);
        this.pos += ch.length;
        this.out += this.literal(ch, flags);
      }
    }
    this.lastAtom = start;
    this.lastAtomGroups = groupsBefore;
  }

  /** Java's multiline `^`: never at the end of input (an empty input included), nor inside `\r\n`. */
  multilineStart(flags: Flags): string {
    if (flags.d) return `(?=[\\s\\S])(?:${START}|(?<=\\n))`;
    return `(?=[\\s\\S])(?:${START}|(?<=[${LINE_TERMINATORS}])(?<!\\r(?=\\n)))`;
  }

  multilineEnd(flags: Flags): string {
    if (flags.d) return `(?=\\n|${END})`;
    return `(?:(?=[\\r\\u0085\\u2028\\u2029])|(?=\\n)(?<!\\r)|${END})`;
  }

  /** Java's `$`: at the end, or before a final line terminator (`\r\n` is one: not between them). */
  inputEnd(flags: Flags): string {
    if (flags.d) return `(?=\\n?${END})`;
    return `(?<!\\r(?=\\n))(?=(?:\\r\\n|[${LINE_TERMINATORS}])?${END})`;
  }

  literal(ch: string, flags: Flags): string {
    if (flags.i && /^[a-zA-Z]$/.test(ch)) return `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    return escapeLiteral(ch);
  }

  group(flags: Flags): void {
    const start = this.out.length;
    this.pos++; // (
    if (this.peek() !== '?') {
      const java = ++this.javaGroups;
      const js = ++this.jsGroups;
      this.groupMap[java] = js;
      this.out += '(';
      this.sequence({ ...flags }, true);
      this.pos++;
      this.out += ')';
      this.lastAtom = start;
      return;
    }
    this.pos++; // ?
    const rest = this.src.slice(this.pos);
    let m: RegExpExecArray | null;
    if ((m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest))) {
      const name = m[1] as string;
      if (this.namedGroups.has(name)) this.fail(`named group <${name}> is defined twice`);
      const java = ++this.javaGroups;
      const js = ++this.jsGroups;
      this.groupMap[java] = js;
      this.namedGroups.set(name, java);
      this.pos += m[0].length;
      this.out += `(?<${name}>`;
    } else if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) {
      this.out += `(?${rest[0]}`;
      this.pos++;
    } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
      this.out += `(?${rest.slice(0, 2)}`;
      this.pos += 2;
    } else if (rest.startsWith('>')) {
      this.pos++;
      const jsBefore = this.jsGroups;
      this.out += '(?:';
      this.sequence({ ...flags }, true);
      this.pos++;
      this.out += ')';
      const inner = this.out.slice(start);
      this.out = this.out.slice(0, start);
      this.emitAtomicAt(inner, jsBefore + 1);
      this.lastAtom = start;
      return;
    } else if ((m = /^([idmsuxU]*)(?:-([idmsuxU]*))?([:)])/.exec(rest))) {
      const on = m[1] ?? '';
      const off = m[2] ?? '';
      if (/[uU]/.test(on + off)) this.fail('the UNICODE_CASE / UNICODE_CHARACTER_CLASS flags are not supported');
      this.pos += m[0].length;
      const apply = (f: Flags): Flags => {
        const n = { ...f };
        for (const ch of on) n[ch as keyof Flags] = true;
        for (const ch of off) n[ch as keyof Flags] = false;
        return n;
      };
      if (m[3] === ')') {
        // (?i) changes the flags until the end of the enclosing group; (?) is a no-op.
        Object.assign(flags, apply(flags));
        return;
      }
      this.out += '(?:';
      this.sequence(apply(flags), true);
      this.pos++;
      this.out += ')';
      this.lastAtom = start;
      return;
    } else {
      this.fail(`unsupported group construct at index ${this.pos - 2}`);
    }
    this.sequence({ ...flags }, true);
    this.pos++;
    this.out += ')';
    this.lastAtom = start;
  }

  /** Emits an atomic group whose wrapper must get JS number `n` (groups inside were numbered from n). */
  emitAtomicAt(inner: string, n: number): void {
    this.jsGroups++;
    const shifted = this.shiftGroups(inner, n);
    this.out += `(?:(?=(${shifted}))\\${n})`;
  }

  escape(flags: Flags, inClass: boolean): string {
    this.pos++; // backslash
    const c = this.src[this.pos];
    if (c === undefined) this.fail('trailing backslash');
    this.pos++;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`;
      case 'S':
        if (inClass) this.fail('\\S inside a character class is not supported');
        return `[^${JAVA_SPACE}]`;
      case 'h':
        return inClass ? JAVA_HSPACE : `[${JAVA_HSPACE}]`;
      case 'H':
        if (inClass) this.fail('\\H inside a character class is not supported');
        return `[^${JAVA_HSPACE}]`;
      case 'v':
        return inClass ? JAVA_VSPACE : `[${JAVA_VSPACE}]`;
      case 'V':
        if (inClass) this.fail('\\V inside a character class is not supported');
        return `[^${JAVA_VSPACE}]`;
      case 'R':
        if (inClass) this.fail('\\R inside a character class is not allowed');
        return `(?:\\r\\n|[${JAVA_VSPACE}])`;
      case 'b':
      case 'B':
        if (inClass) this.fail('\\b inside a character class is not allowed');
        return `\\${c}`;
      case 'A':
        return START;
      case 'z':
        return END;
      case 'Z':
        return this.inputEnd(flags);
      case 'G':
        return this.fail('\\G is not supported');
      case 't':
      case 'n':
      case 'r':
      case 'f':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 'e':
        return '\\x1B';
      case 'c': {
        const x = this.src[this.pos++];
        if (x === undefined) this.fail('\\c needs a control letter');
        return `\\x${hex2(x.charCodeAt(0) ^ 64)}`;
      }
      case 'x': {
        let m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.pos));
        if (m) {
          this.pos += 2;
          return this.codeUnit(Number.parseInt(m[0], 16), flags, inClass);
        }
        m = /^\{([0-9a-fA-F]{1,6})\}/.exec(this.src.slice(this.pos));
        if (!m) this.fail('illegal hexadecimal escape');
        this.pos += m[0].length;
        const cp = Number.parseInt(m[1] as string, 16);
        if (cp > 0x10ffff) this.fail('hexadecimal code point beyond U+10FFFF');
        if (cp > 0xffff) {
          if (inClass) this.fail('supplementary code points inside a character class are not supported');
          return escapeLiteral(String.fromCodePoint(cp));
        }
        return this.codeUnit(cp, flags, inClass);
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.pos));
        if (!m) this.fail('illegal unicode escape');
        this.pos += 4;
        return this.codeUnit(Number.parseInt(m[0], 16), flags, inClass);
      }
      case '0': {
        const m = /^[0-3]?[0-7]{1,2}/.exec(this.src.slice(this.pos)) ?? /^[0-7]/.exec(this.src.slice(this.pos));
        if (!m) this.fail('illegal octal escape');
        this.pos += m[0].length;
        return this.codeUnit(Number.parseInt(m[0], 8), flags, inClass);
      }
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos);
        const text = end < 0 ? this.src.slice(this.pos) : this.src.slice(this.pos, end);
        this.pos = end < 0 ? this.src.length : end + 2;
        if (inClass) return [...text].map((ch) => this.classLiteral(ch, flags)).join('');
        return [...text].map((ch) => this.literal(ch, flags)).join('');
      }
      case 'E':
        return ''; // a stray \E is ignored by Java
      case 'p':
      case 'P': {
        const m = /^(?:\{([A-Za-z][A-Za-z0-9_]*(?:=[A-Za-z0-9_]+)?)\}|([A-Z]))/.exec(this.src.slice(this.pos));
        if (!m) this.fail('illegal \\p escape');
        this.pos += m[0].length;
        const name = (m[1] ?? m[2]) as string;
        const cls = propertyClass(name, flags.i);
        if (cls === undefined) {
          this.fail(name.startsWith('In') || /^(block|blk)=/i.test(name) ? `\\p{${name}}: Unicode blocks are not supported` : `\\p{${name}} is not supported`);
        }
        if (c === 'P') {
          if (inClass) this.fail('\\P inside a character class is not supported');
          return `[^${cls}]`;
        }
        return inClass ? cls : `[${cls}]`;
      }
      case 'k': {
        const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.src.slice(this.pos));
        if (!m || inClass) this.fail('illegal named back-reference');
        const g = this.namedGroups.get(m[1] as string);
        if (g === undefined) this.fail(`named group <${m[1]}> is not defined before its reference`);
        this.pos += m[0].length;
        if (flags.i) this.fail('case-insensitive back-references are not supported');
        return `\\${this.groupMap[g]}`;
      }
      default:
        if (c >= '1' && c <= '9') {
          if (inClass) this.fail('back-references are not allowed in a character class');
          // Java takes further digits while the group number stays valid.
          let n = Number(c);
          while (/[0-9]/.test(this.peek()) && n * 10 + Number(this.peek()) <= this.javaGroups) {
            n = n * 10 + Number(this.peek());
            this.pos++;
          }
          if (n > this.javaGroups) this.fail(`back-reference \\${n} to a group not defined before it`);
          if (flags.i) this.fail('case-insensitive back-references are not supported');
          return `(?:\\${this.groupMap[n]})`;
        }
        if (/[a-zA-Z]/.test(c)) this.fail(`illegal escape \\${c}`);
        return inClass ? this.classLiteral(c, flags) : this.literal(c, flags);
    }
  }

  codeUnit(cu: number, flags: Flags, inClass: boolean): string {
    const ch = String.fromCharCode(cu);
    return inClass ? this.classLiteral(ch, flags) : this.literal(ch, flags);
  }

  classLiteral(ch: string, flags: Flags): string {
    const e = escapeClassChar(ch);
    if (flags.i && /^[a-zA-Z]$/.test(ch)) return e + (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());
    return e;
  }

  /** `[...]`; nested classes and intersections are refused. */
  charClass(flags: Flags): string {
    this.pos++; // [
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.pos++;
    }
    const items: string[] = [];
    // Single characters as [code, escaped], to pair up ranges and fold case.
    let prev: number | undefined;
    let first = true;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) this.fail('unclosed character class');
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[') this.fail('nested character classes are not supported');
      if (c === '&' && this.peek(1) === '&') this.fail('character class intersection (&&) is not supported');
      if (flags.x && /\s/.test(c)) {
        this.pos++;
        continue;
      }
      if (c === '-' && prev !== undefined && this.peek(1) !== ']' && this.peek(1) !== '') {
        // A range prev-next.
        this.pos++;
        const hi = this.classCharCode();
        if (hi === undefined) this.fail('illegal character range');
        if (hi < prev) this.fail('illegal character range');
        items.pop();
        items.push(this.range(prev, hi, flags));
        prev = undefined;
        continue;
      }
      if (c === '\\') {
        const save = this.pos;
        const code = this.classCharCode();
        if (code !== undefined) {
          items.push(this.range(code, code, flags));
          prev = code;
        } else {
          this.pos = save;
          items.push(this.escape(flags, true));
          prev = undefined;
        }
        continue;
      }
      const cp = this.src.codePointAt(this.pos) as number;
      if (cp > 0xffff) this.fail('supplementary code points inside a character class are not supported');
      this.pos++;
      items.push(this.range(cp, cp, flags));
      prev = cp;
    }
    return `[${negate ? '^' : ''}${items.join('')}]`;
  }

  /** Reads one character of a class as a code unit, or undefined if it is a class escape (\d, \p...). */
  classCharCode(): number | undefined {
    const c = this.src[this.pos];
    if (c === undefined) return undefined;
    if (c !== '\\') {
      const cp = this.src.codePointAt(this.pos) as number;
      if (cp > 0xffff) this.fail('supplementary code points inside a character class are not supported');
      this.pos++;
      return cp;
    }
    const e = this.src[this.pos + 1];
    if (e === undefined) return undefined;
    const simple: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, a: 7, e: 27 };
    const known = simple[e];
    if (known !== undefined) {
      this.pos += 2;
      return known;
    }
    const rest = this.src.slice(this.pos + 2);
    let m: RegExpExecArray | null;
    if (e === 'x' && (m = /^[0-9a-fA-F]{2}/.exec(rest))) {
      this.pos += 4;
      return Number.parseInt(m[0], 16);
    }
    if (e === 'x' && (m = /^\{([0-9a-fA-F]{1,4})\}/.exec(rest))) {
      this.pos += 2 + m[0].length;
      return Number.parseInt(m[1] as string, 16);
    }
    if (e === 'u' && (m = /^[0-9a-fA-F]{4}/.exec(rest))) {
      this.pos += 6;
      return Number.parseInt(m[0], 16);
    }
    if (e === '0' && (m = /^[0-3]?[0-7]{1,2}/.exec(rest) ?? /^[0-7]/.exec(rest))) {
      this.pos += 2 + m[0].length;
      return Number.parseInt(m[0], 8);
    }
    if (e === 'c' && rest[0] !== undefined) {
      this.pos += 3;
      return rest.charCodeAt(0) ^ 64;
    }
    if (/[a-zA-Z0-9]/.test(e)) return undefined; // \d \s \p{..} \Q and friends: handled by escape()
    this.pos += 2;
    return e.charCodeAt(0);
  }

  range(lo: number, hi: number, flags: Flags): string {
    const part = lo === hi ? escapeClassChar(String.fromCharCode(lo)) : `${escapeClassChar(String.fromCharCode(lo))}-${escapeClassChar(String.fromCharCode(hi))}`;
    if (!flags.i) return part;
    let extra = '';
    // ASCII case folding of the part of the range that holds letters.
    const fold = (a: number, b: number, delta: number) => {
      const from = Math.max(lo, a);
      const to = Math.min(hi, b);
      if (from <= to) extra += `${String.fromCharCode(from + delta)}-${String.fromCharCode(to + delta)}`;
    };
    fold(97, 122, -32);
    fold(65, 90, 32);
    return part + extra;
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function escapeLiteral(ch: string): string {
  if (/^[\\^$.*+?()[\]{}|/]$/.test(ch)) return `\\${ch}`;
  const c = ch.charCodeAt(0);
  if (ch.length === 1 && (c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029)) {
    return `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return ch;
}

function escapeClassChar(ch: string): string {
  if (/^[\\\]^\-[]$/.test(ch)) return `\\${ch}`;
  const c = ch.charCodeAt(0);
  if (c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029) {
    return `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return ch;
}

/** Translates a Java pattern into JS regex source (see the module comment). */
export function translateJavaRegex(pattern: string, flags: JavaRegexFlags = {}): TranslatedRegex {
  const t = new Translator(pattern, {
    i: !!flags.caseInsensitive,
    m: !!flags.multiline,
    s: !!flags.dotAll,
    x: !!flags.comments,
    d: !!flags.unixLines,
  });
  return t.translate();
}
