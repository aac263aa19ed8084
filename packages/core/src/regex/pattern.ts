import { type JavaRegexFlags, translateJavaRegex } from './java-regex.js';

/** A Java-semantics match: groups are addressed by their Java number. */
export interface JavaMatch {
  start: number;
  end: number;
  /** Java group `n` (0 = whole match); undefined if it did not participate. */
  group(n: number): string | undefined;
  /** A named group's value; undefined if it did not participate. */
  named(name: string): string | undefined;
  /** Where group `n` starts: only for matches from `findAll` (the others do not compute it: undefined). */
  groupStart(n: number): number | undefined;
  readonly groupCount: number;
}

/**
 * A compiled Java regex with the `Matcher` operations Psoxy uses: `matches()` (full match),
 * `find()`, `replaceAll`, and `String.split`. Compile once, use many times.
 */
export class JavaPattern {
  readonly groupCount: number;
  private readonly full: RegExp;
  private readonly global: RegExp;
  private readonly sticky: RegExp;
  private readonly replacing: RegExp;
  private readonly groupMap: number[];
  /** Named groups of the Java pattern. */
  readonly groupNames: ReadonlySet<string>;
  private readonly named: Map<string, number>;

  constructor(
    readonly pattern: string,
    readonly flags: JavaRegexFlags = {},
  ) {
    const t = translateJavaRegex(pattern, flags);
    this.groupCount = t.groupCount;
    this.groupMap = t.groupMap;
    this.named = t.namedGroups;
    this.groupNames = new Set(t.namedGroups.keys());
    // `d` gives group indices, which only findAll's callers need (to replace a group's span in
    // place): computing them makes every successful match allocate, so the others go without.
    this.full = new RegExp(`(?:${t.source})(?![\\s\\S])`, 'y');
    this.global = new RegExp(t.source, 'gd');
    this.sticky = new RegExp(t.source, 'y');
    this.replacing = new RegExp(t.source, 'g');
  }

  private wrap(m: RegExpExecArray): JavaMatch {
    const map = this.groupMap;
    const indices = m.indices;
    return {
      start: m.index,
      end: m.index + (m[0] as string).length,
      groupCount: this.groupCount,
      group: (n) => m[map[n] ?? -1],
      named: (name) => {
        const n = this.named.get(name);
        return n === undefined ? undefined : m[map[n] ?? -1];
      },
      groupStart: (n) => indices?.[map[n] ?? -1]?.[0],
    };
  }

  /** Java `Matcher.matches()`: the whole input must match. */
  matches(input: string): JavaMatch | null {
    this.full.lastIndex = 0;
    const m = this.full.exec(input);
    return m ? this.wrap(m) : null;
  }

  /** Java `Matcher.lookingAt()` on the region starting at `from`: a match that starts there. */
  lookingAt(input: string, from = 0): JavaMatch | null {
    this.sticky.lastIndex = from;
    const m = this.sticky.exec(input);
    return m ? this.wrap(m) : null;
  }

  test(input: string): boolean {
    this.full.lastIndex = 0;
    return this.full.test(input);
  }

  /** Every `Matcher.find()` match, left to right (an empty match advances by one char). */
  *findAll(input: string): Generator<JavaMatch> {
    const re = new RegExp(this.global.source, this.global.flags);
    for (;;) {
      const m = re.exec(input);
      if (!m) return;
      if ((m[0] as string).length === 0) re.lastIndex++;
      yield this.wrap(m);
    }
  }

  /** The first `find()` match, or null. */
  find(input: string): JavaMatch | null {
    for (const m of this.findAll(input)) return m;
    return null;
  }

  /** `Matcher.replaceAll` with a literal replacement (no `$n` expansion). */
  replaceAllLiteral(input: string, replacement: string): string {
    // the native replace finds the same matches as findAll (after an empty match it too moves on by
    // one code unit); a function as the replacement keeps `$` literal
    return input.replace(this.replacing, () => replacement);
  }

  /** `Matcher.replaceAll` with Java replacement syntax: `$n`, `${name}`, `\` escapes. */
  replaceAll(input: string, replacement: string): string {
    let out = '';
    let last = 0;
    for (const m of this.findAll(input)) {
      out += input.slice(last, m.start) + this.expand(m, replacement);
      last = m.end;
    }
    return out + input.slice(last);
  }

  private expand(m: JavaMatch, replacement: string): string {
    let out = '';
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement[i] as string;
      if (c === '\\') {
        i++;
        if (i >= replacement.length) throw new Error('character to be escaped is missing');
        out += replacement[i];
      } else if (c === '$') {
        i++;
        if (replacement[i] === '{') {
          const close = replacement.indexOf('}', i);
          if (close < 0) throw new Error("named capturing group is missing trailing '}'");
          throw new Error(`named group references in replacements are not supported: ${replacement.slice(i - 1, close + 1)}`);
        }
        const d = replacement[i];
        if (d === undefined || !/[0-9]/.test(d)) throw new Error('illegal group reference');
        let n = Number(d);
        while (i + 1 < replacement.length && /[0-9]/.test(replacement[i + 1] as string)) {
          const next = n * 10 + Number(replacement[i + 1]);
          if (next > m.groupCount) break;
          n = next;
          i++;
        }
        if (n > m.groupCount) throw new Error(`no group ${n}`);
        out += m.group(n) ?? '';
      } else {
        out += c;
      }
    }
    return out;
  }

  /** Java `String.split(regex)` (limit 0): trailing empty strings removed. */
  split(input: string): string[] {
    const parts: string[] = [];
    let index = 0;
    let matched = false;
    for (const m of this.findAll(input)) {
      if (m.end === 0 && m.start === 0) continue; // no leading empty string for a zero-width match at 0
      matched = true;
      parts.push(input.slice(index, m.start));
      index = m.end;
    }
    if (!matched) return [input];
    parts.push(input.slice(index));
    let n = parts.length;
    while (n > 0 && parts[n - 1] === '') n--;
    return parts.slice(0, n);
  }
}

const cache = new Map<string, JavaPattern>();

/** Compiles (and memoizes) a Java pattern. */
export function javaPattern(pattern: string, flags: JavaRegexFlags = {}): JavaPattern {
  const key = `${flags.caseInsensitive ? 'i' : ''}${flags.multiline ? 'm' : ''}${flags.dotAll ? 's' : ''}${flags.comments ? 'x' : ''}${flags.unixLines ? 'd' : ''}/${pattern}`;
  let p = cache.get(key);
  if (!p) {
    p = new JavaPattern(pattern, flags);
    if (cache.size > 5000) cache.clear();
    cache.set(key, p);
  }
  return p;
}
