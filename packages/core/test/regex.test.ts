import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JavaPattern, JavaRegexError, javaReplaceLiteral, javaTrim, isBlank } from '../src/regex/index.js';

// Each vector: [flags, pattern, input, matches(), find() spans, split() joined by '|'], as printed by
// java.util.regex on JDK 17 (see the comment in the fixture's generator in the test below).
type Vector = [string, string, string, boolean, string, string];
const vectors = JSON.parse(readFileSync(new URL('./fixtures/java-regex-vectors.json', import.meta.url), 'utf8')) as Vector[];

const unescapeInput = (s: string) =>
  s.replace(/\\(n|r|t|u[0-9a-fA-F]{4}|\\)/g, (_m, e: string) =>
    e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === '\\' ? '\\' : String.fromCharCode(Number.parseInt(e.slice(1), 16)),
  );

describe('Java regex translation agrees with java.util.regex', () => {
  it.each(vectors)('/%s/ %s on %s', (flags, pattern, raw, full, finds, split) => {
    const input = unescapeInput(raw);
    const p = new JavaPattern(pattern, { caseInsensitive: flags.includes('i'), multiline: flags.includes('m'), dotAll: flags.includes('s') });
    expect(!!p.matches(input)).toBe(full);
    expect([...p.findAll(input)].map((m) => `${m.start}-${m.end},`).join('')).toBe(finds);
    expect(p.split(input).join('|').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')).toBe(split);
    // replaceAll with a literal replacement (`$` included) replaces exactly Java's find() spans
    let expected = '';
    let last = 0;
    for (const [start, end] of finds.split(',').filter(Boolean).map((span) => span.split('-').map(Number) as [number, number])) {
      expected += `${input.slice(last, start)}<$1>`;
      last = end;
    }
    expect(p.replaceAllLiteral(input, '<$1>')).toBe(expected + input.slice(last));
  });
});

describe('Java regex features', () => {
  it('keeps Java group numbers when atomic groups and possessive quantifiers add JS groups', () => {
    const p = new JavaPattern('(a)(?>(b)|c)+(d)');
    const m = p.matches('abbd');
    expect([m?.group(1), m?.group(2), m?.group(3)]).toEqual(['a', 'b', 'd']);
    const q = new JavaPattern('(x)(a*+)(y)');
    const n = q.matches('xaay');
    expect([n?.group(1), n?.group(2), n?.group(3)]).toEqual(['x', 'aa', 'y']);
  });

  it('exposes named groups', () => {
    const m = new JavaPattern('^/users/(?<id>[^/]+)$').matches('/users/42');
    expect(m?.named('id')).toBe('42');
  });

  it('is ASCII-only when case-insensitive, like Java without UNICODE_CASE', () => {
    expect(new JavaPattern('é', { caseInsensitive: true }).test('É')).toBe(false);
    expect(new JavaPattern('(?i)smtp:(.*)').matches('SMTP:a@b.co')?.group(1)).toBe('a@b.co');
  });

  it('reads Unicode properties (categories, scripts, binary properties, java.lang.Character classes), as Java does', () => {
    expect(new JavaPattern('\\p{L}+').matches('Zoë')).not.toBeNull();
    expect(new JavaPattern('\\p{Lu}\\p{Ll}+').matches('Émile')).not.toBeNull();
    expect(new JavaPattern('\\p{Lu}').test('é')).toBe(false);
    expect(new JavaPattern('[\\p{IsLatin}\\d]+').matches('Ab9')).not.toBeNull();
    expect(new JavaPattern('\\p{IsLatin}').test('α')).toBe(false);
    expect(new JavaPattern('\\p{script=Greek}').matches('α')).not.toBeNull();
    expect(new JavaPattern('\\p{IsAlphabetic}+').matches('añb')).not.toBeNull();
    expect(new JavaPattern('\\p{javaLowerCase}').matches('é')).not.toBeNull();
    expect(new JavaPattern('\\P{L}').matches('5')).not.toBeNull();
    expect(new JavaPattern('\\P{L}').test('x')).toBe(false);
    expect(new JavaPattern('\\pL').matches('x')).not.toBeNull();
    // POSIX classes stay ASCII, as in Java without UNICODE_CHARACTER_CLASS
    expect(new JavaPattern('\\p{Alpha}').test('é')).toBe(false);
    expect(new JavaPattern('\\p{IsAlpha}').matches('a')).not.toBeNull();
    // a property class matches every BMP member, not one more (checked against JS's own Unicode data)
    const re = new JavaPattern('\\p{Nd}');
    for (let c = 0; c < 0x10000; c += 7) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      expect(re.matches(ch) !== null).toBe(/\p{Nd}/u.test(ch));
    }
  });

  it("anchors as Java's: multiline ^ never at the end of input, $ never inside \\r\\n (JDK RegExTest)", () => {
    expect(new JavaPattern('(?m)^').find('')).toBeNull();
    expect([...new JavaPattern('(?m)^').findAll('a\nb\n')].map((m) => m.start)).toEqual([0, 2]);
    expect(new JavaPattern('\\r$').find('a\r\n')).toBeNull();
    expect([...new JavaPattern('$').findAll('a\r\n')].map((m) => m.start)).toEqual([1, 3]);
    expect(new JavaPattern('a$').find('a\r\n')?.group(0)).toBe('a');
  });

  it('reads \\p{IsXxx} POSIX names as Unicode and widens cased classes under (?i), as Java does', () => {
    // \p{Alpha} is ASCII, \p{IsAlpha} Unicode (CharPredicates.getPosixPredicate)
    expect(new JavaPattern('\\p{IsAlpha}+').find('café')?.group(0)).toBe('café');
    expect(new JavaPattern('\\p{Alpha}+').find('café')?.group(0)).toBe('caf');
    expect(new JavaPattern('\\p{IsDigit}').test('\u0663')).toBe(true);
    expect(new JavaPattern('\\p{Digit}').test('\u0663')).toBe(false);
    expect(new JavaPattern('\\p{IsPunct}').test('«')).toBe(true);
    expect(new JavaPattern('\\p{IsASCII}+').find('abé')?.group(0)).toBe('ab');
    // Character.isWhitespace: the ideographic space is one, the no-break space is not
    expect(new JavaPattern('\\p{javaWhitespace}').test('\u3000')).toBe(true);
    expect(new JavaPattern('\\p{javaWhitespace}').test('\u00a0')).toBe(false);
    for (const cls of ['\\p{Lower}', '\\p{Lu}', '\\p{javaLowerCase}', '\\p{IsUppercase}']) {
      expect(new JavaPattern(`(?i)${cls}+`).find('aB')?.group(0), cls).toBe('aB');
    }
    expect(new JavaPattern('\\p{Lu}+').find('aB')?.group(0)).toBe('B');
  });

  it('refuses counts and code points Java refuses', () => {
    expect(() => new JavaPattern('a{2147483648}')).toThrow(JavaRegexError);
    expect(() => new JavaPattern('\\x{110000}')).toThrow(JavaRegexError);
  });

  it('deletes the empty flag group (?) found in Psoxy rules', () => {
    expect(new JavaPattern('^/v1.0/users(?)/x$').test('/v1.0/users/x')).toBe(true);
  });

  it('refuses what it cannot translate faithfully, naming the construct', () => {
    expect(() => new JavaPattern('[a-z&&[^e]]')).toThrow(JavaRegexError);
    expect(() => new JavaPattern('\\Ga')).toThrow(/\\G/);
    expect(() => new JavaPattern('(?u)a')).toThrow(/UNICODE/);
    expect(() => new JavaPattern('\\p{InGreek}')).toThrow(/Unicode blocks are not supported/);
    expect(() => new JavaPattern('\\p{NoSuchProperty}')).toThrow(/not supported/);
    expect(() => new JavaPattern('a{')).toThrow(/illegal repetition/);
    expect(() => new JavaPattern('(a')).toThrow(/missing closing parenthesis/);
  });

  it('expands Java replacement syntax', () => {
    expect(new JavaPattern('(\\w+)@(\\w+)').replaceAll('alice@acme bob@corp', '$2:$1')).toBe('acme:alice corp:bob');
    expect(new JavaPattern('a').replaceAll('a', '\\$1')).toBe('$1');
  });

  it('has Java string helpers', () => {
    expect(javaTrim('\u0001 a \u0000')).toBe('a');
    expect(isBlank(' \t\n')).toBe(true);
    expect(isBlank('\u00a0')).toBe(false); // a non-breaking space is not Java whitespace
    expect(javaReplaceLiteral('abc', '', '-')).toBe('-a-b-c-');
    expect(javaReplaceLiteral('a.b.a', 'a', 'X')).toBe('X.b.X');
  });
});
