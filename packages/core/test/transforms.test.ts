import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PseudonymizeOptions, Pseudonymizer } from '../src/pseudonym/index.js';
import { TokenMemo } from '../src/sanitize/index.js';
import { sanitizeWith } from './helpers.js';

const one = (method: string, opts: Record<string, unknown>, body: string, path = '$.v') =>
  sanitizeWith([{ method, jsonPaths: [path], ...opts } as never], body);

describe('redact', () => {
  it('deletes keys and array elements, never leaving null', () => {
    expect(sanitizeWith([{ method: 'redact', jsonPaths: ['$.a', '$.l[0]', '$..s'] }], '{"a":1,"l":[1,2],"b":{"s":1},"s":2}')).toBe(
      '{"l":[2],"b":{}}',
    );
  });
});

describe('pseudonymize', () => {
  it('encodes as URL_SAFE_TOKEN, JSON (a string) or URL_SAFE_HASH_ONLY', () => {
    expect(one('pseudonymize', {}, '{"v":"alice@acme.com"}')).toBe('{"v":"t~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com"}');
    expect(one('pseudonymize', { encoding: 'JSON' }, '{"v":"alice@acme.com"}')).toBe(
      '{"v":"{\\"domain\\":\\"acme.com\\",\\"hash\\":\\"UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk\\"}"}',
    );
    expect(one('pseudonymize', { encoding: 'URL_SAFE_HASH_ONLY' }, '{"v":"alice@acme.com"}')).toBe('{"v":"UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk"}');
    expect(one('pseudonymize', { encoding: 'JSON', includeOriginal: true }, '{"v":"x"}')).toMatch(/\\"original\\":\\"x\\"/);
    // refused as Psoxy's validator refuses it: a URL-safe token cannot carry the original
    expect(() => one('pseudonymize', { includeOriginal: true }, '{"v":"x"}')).toThrow(/includeOriginal needs encoding JSON/);
  });

  it('turns null and blank into null, "null" in JSON, and an error for URL_SAFE_HASH_ONLY', () => {
    expect(one('pseudonymize', {}, '{"v":"  "}')).toBe('{"v":null}');
    expect(one('pseudonymize', {}, '{"v":null}')).toBe('{"v":null}');
    expect(one('pseudonymize', { encoding: 'JSON' }, '{"v":""}')).toBe('{"v":"null"}');
    expect(() => one('pseudonymize', { encoding: 'URL_SAFE_HASH_ONLY' }, '{"v":null}')).toThrow(/null or blank/);
  });

  it('refuses to pseudonymize containers or booleans (fail closed)', () => {
    expect(() => one('pseudonymize', {}, '{"v":{"email":"a@b.co"}}')).toThrow(/only strings and numbers/);
    expect(() => one('pseudonymize', {}, '{"v":true}')).toThrow(/only strings and numbers/);
  });

  it('pseudonymizes numbers by their Java text', () => {
    expect(one('pseudonymize', {}, '{"v":1}')).toBe('{"v":"t~0zPKqEd-CtbCLB1ZSwX6Zo7uAWUvkpfHGzv9-cuYwZc"}');
  });
});

describe('pseudonymizeRegexMatches (spec vectors)', () => {
  it.each([
    ['something', '.*', 't~EN_O0yRLJp7bRnw6HrbdPMLul_uqairwpevQ08HtEn0'],
    ['blah:something', 'blah:(.*)', 'blah:t~EN_O0yRLJp7bRnw6HrbdPMLul_uqairwpevQ08HtEn0'],
    ['assigned to @alice', '@([\\w.-]+)', 'assigned to @t~3YAoyBkqpKrO4rk5ISA0dZSABykOBC7pEMmkL1L0HK4'],
    ['no match here', 'x(\\d+)', null],
  ])('%j with /%s/', (value, regex, expected) => {
    expect(JSON.parse(one('pseudonymizeRegexMatches', { regex }, JSON.stringify({ v: value }))).v).toBe(expected);
  });

  it('keeps the rest of the value and pseudonymizes every match', () => {
    const out = JSON.parse(one('pseudonymizeRegexMatches', { regex: '(?i)^smtp:(.*)$' }, '{"v":"SMTP:Bob@Acme.com"}')).v;
    expect(out).toMatch(/^SMTP:t~[\w-]{43}@Acme\.com$/);
    const two = JSON.parse(one('pseudonymizeRegexMatches', { regex: '@(\\w+)' }, '{"v":"@a and @b"}')).v;
    expect(two).toMatch(/^@t~[\w-]{43} and @t~[\w-]{43}$/);
  });

  it('errors on a number (not a string)', () => {
    expect(() => one('pseudonymizeRegexMatches', { regex: '.*' }, '{"v":5}')).toThrow(/not a string/);
  });
});

describe('pseudonymizeEmailHeader', () => {
  it('pseudonymizes every address of a list, joined by commas', () => {
    const out = JSON.parse(one('pseudonymizeEmailHeader', {}, '{"v":"Karen Love <karen@worklytics.co>, john@worklytics.co"}')).v as string;
    expect(out.split(',')).toHaveLength(2);
    expect(out).toMatch(/^t~[\w-]{43}@worklytics\.co,t~[\w-]{43}@worklytics\.co$/);
    expect(out).not.toContain('karen');
  });

  it('JSON encoding gives an array text; blank stays empty; invalid becomes null', () => {
    expect(JSON.parse(JSON.parse(one('pseudonymizeEmailHeader', { encoding: 'JSON' }, '{"v":"a@b.co"}')).v)).toEqual([
      { domain: 'b.co', hash: expect.any(String) },
    ]);
    expect(one('pseudonymizeEmailHeader', {}, '{"v":"  "}')).toBe('{"v":""}');
    expect(one('pseudonymizeEmailHeader', {}, '{"v":"not an email"}')).toBe('{"v":null}');
  });
});

describe('redaction transforms on strings', () => {
  it('redactRegexMatches removes every match of each regex in turn', () => {
    expect(one('redactRegexMatches', { redactions: ['(?i)pwd=[^&]*', '\\d+'] }, '{"v":"https://z.us/j/123?PWD=abc&x=1"}')).toBe(
      '{"v":"https://z.us/j/?&x="}',
    );
  });

  it('redactExceptPhrases keeps the phrases found, in order, joined by commas', () => {
    expect(one('redactExceptPhrases', { allowedPhrases: ['Weekly sync', '1:1'] }, '{"v":"Our weekly SYNC: 1:1 with Bob"}')).toBe(
      '{"v":"weekly SYNC,1:1"}',
    );
    expect(one('redactExceptPhrases', { allowedPhrases: ['standup'] }, '{"v":"Lunch with Bob"}')).toBe('{"v":""}');
  });

  it('redactExceptPhrases finds a phrase on any line of a multi-line value (Java find(), no DOTALL needed)', () => {
    expect(one('redactExceptPhrases', { allowedPhrases: ['Focus'] }, '{"v":"Focus block\\nno meetings"}')).toBe('{"v":"Focus"}');
    expect(one('redactExceptPhrases', { allowedPhrases: ['Focus'] }, '{"v":"x\\nfocus time"}')).toBe('{"v":"focus"}');
  });

  it('redactExceptSubstringsMatchingRegexes keeps the longest match', () => {
    expect(one('redactExceptSubstringsMatchingRegexes', { exceptions: ['sync', 'weekly sync'] }, '{"v":"Our weekly sync with Bob"}')).toBe(
      '{"v":"weekly sync"}',
    );
    expect(one('redactExceptSubstringsMatchingRegexes', { exceptions: ['x'] }, '{"v":"abc"}')).toBe('{"v":""}');
  });

  it('filterTokenByRegex keeps tokens fully matching a filter', () => {
    expect(one('filterTokenByRegex', { filters: ['(?i)sync|standup'] }, '{"v":"Bob  Sync standup x"}')).toBe('{"v":"Sync standup"}');
    expect(one('filterTokenByRegex', { filters: ['zzz'] }, '{"v":"a b"}')).toBe('{"v":null}');
    expect(one('filterTokenByRegex', { filters: ['a b'], delimiter: null }, '{"v":"a b"}')).toBe('{"v":"a b"}');
    expect(one('filterTokenByRegex', { filters: ['[a-z]+'], delimiter: ',' }, '{"v":"ab,CD,ef"}')).toBe('{"v":"ab ef"}');
  });

  it('string transforms give null for non-strings and leave blanks alone', () => {
    for (const method of ['redactRegexMatches', 'redactExceptPhrases', 'filterTokenByRegex', 'tokenize', 'hashIp']) {
      expect(one(method, {}, '{"v":5}')).toBe('{"v":null}');
      expect(one(method, {}, '{"v":" "}')).toBe('{"v":" "}');
    }
  });
});

describe('tokenize', () => {
  it('makes a reversible token of the whole value, or of the regex group in place', () => {
    expect(one('tokenize', {}, '{"v":"blah"}')).toBe('{"v":"p~nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jq9JIOXfBWhts_zA5Ns0r4m"}');
    const link = JSON.parse(
      one('tokenize', { regex: '^https://graph.microsoft.com/v1.0/users/([^/]*)/.*$' }, '{"v":"https://graph.microsoft.com/v1.0/users/bob@acme.com/events?$skip=10"}'),
    ).v;
    expect(link).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\/p~[\w-]{43,}\/events\?\$skip=10$/);
    expect(one('tokenize', { regex: '^x(.*)$' }, '{"v":"nomatch"}')).toBe('{"v":"nomatch"}');
  });

  it('fails, rather than pass the value on, when the regex matches but has no group 1 to tokenize (Java throws)', () => {
    expect(() => one('tokenize', { regex: '^x.*$' }, '{"v":"xyz"}')).toThrow(/no group 1/);
    expect(() => one('tokenize', { regex: '^x(y)?.*$' }, '{"v":"xz"}')).toThrow(/no group 1/);
  });
});

describe('IP transforms', () => {
  it('hash or encrypt canonical IPs, null for anything else', () => {
    expect(one('hashIp', {}, '{"v":"10.0.0.1"}')).toBe('{"v":"t~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk"}');
    expect(one('encryptIp', {}, '{"v":"10.0.0.1"}')).toBe('{"v":"p~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTmrZBJVaY3CjxNEDJYfGEk_"}');
    expect(one('hashIp', {}, '{"v":"host.example.com"}')).toBe('{"v":null}');
  });
});

describe('textDigest', () => {
  it('replaces text with a JSON string of its digest', () => {
    expect(one('textDigest', {}, '{"v":"hello world"}')).toBe('{"v":"{\\"length\\":11,\\"word_count\\":2}"}');
    expect(one('textDigest', {}, '{"v":""}')).toBe('{"v":"{\\"length\\":0,\\"word_count\\":0}"}');
    expect(one('textDigest', {}, '{"v":"   "}')).toBe('{"v":"{\\"length\\":3,\\"word_count\\":1}"}');
    expect(one('textDigest', { keywords: ['Zoom', 'meet'] }, '{"v":"zoom, meet; ZOOM again"}')).toBe(
      '{"v":"{\\"keywords\\":{\\"meet\\":1,\\"zoom\\":2},\\"length\\":22,\\"word_count\\":4}"}',
    );
    expect(one('textDigest', {}, '{"v":3}')).toBe('{"v":null}');
  });

  it('digests inside embedded JSON', () => {
    const out = one('textDigest', { isJsonEscaped: true, jsonPathToProcessWhenEscaped: '$.text' }, '{"v":"{\\"text\\":\\"a b c\\",\\"n\\":1}"}');
    expect(JSON.parse(JSON.parse(out).v)).toEqual({ text: '{"length":5,"word_count":3}', n: 1 });
  });
});

describe('applyOnlyWhen', () => {
  it('applies a transform only when its filter matches something', () => {
    const t = [{ method: 'redact' as const, jsonPaths: ['$.secret'], applyOnlyWhen: "$[?(@.kind == 'private')]" }];
    expect(sanitizeWith(t, '{"kind":"private","secret":1}')).toBe('{"kind":"private"}');
    expect(sanitizeWith(t, '{"kind":"public","secret":1}')).toBe('{"kind":"public","secret":1}');
  });

  it('treats a blank applyOnlyWhen as none, as Psoxy does', () => {
    expect(sanitizeWith([{ method: 'redact', jsonPaths: ['$.a'], applyOnlyWhen: '  ' }], '{"a":1,"b":2}')).toBe('{"b":2}');
  });

  it('refuses a definite path (it would never work in Psoxy)', () => {
    expect(() => sanitizeWith([{ method: 'redact', jsonPaths: ['$.a'], applyOnlyWhen: '$.kind' }], '{}')).toThrow(/must be a filter/);
  });
});

describe('order and documents', () => {
  it('applies transforms in order', () => {
    const t = [
      { method: 'pseudonymize' as const, jsonPaths: ['$.v'] },
      { method: 'redactRegexMatches' as const, jsonPaths: ['$.v'], redactions: ['^t~'] },
    ];
    expect(sanitizeWith(t, '{"v":"test"}')).toBe('{"v":"Tt8H7clbL9y8ryN4_RLYrCEsKqbjJsWcPmKb4wOdZDI"}');
  });

  it('sanitizes each NDJSON document and joins them with newlines', () => {
    expect(sanitizeWith([{ method: 'redact', jsonPaths: ['$.a'] }], '{"a":1,"b":1}\n{"a":2,"b":2}\n')).toBe('{"b":1}\n{"b":2}');
  });

  it('leaves what no rule touches exactly as it came (big ints, unicode, escapes, order)', () => {
    const body = '{"z":1,"10":9007199254740993,"s":"é\\u0001\\"","d":1.0,"a":[true,null]}';
    expect(sanitizeWith([{ method: 'redact', jsonPaths: ['$.nothing'] }], body)).toBe(
      '{"z":1,"10":9007199254740993,"s":"é\\u0001\\"","d":1.0,"a":[true,null]}',
    );
  });

  it('refuses a body that is not JSON', () => {
    expect(() => sanitizeWith([], '<html>oops</html>')).toThrow(/not valid JSON/);
    expect(() => sanitizeWith([], '{"a":1')).toThrow(/not valid JSON/);
  });

  it('returns an empty body unchanged and a whitespace body as empty', () => {
    expect(sanitizeWith([], '')).toBe('');
    expect(sanitizeWith([], '  \n')).toBe('');
  });
});

describe('the per-response token memo', () => {
  /** A pseudonymizer that counts the tokens it makes (a real one: the memo is what is tested). */
  class Counting extends Pseudonymizer {
    made = 0;
    override pseudonymToken(value: unknown, opts?: PseudonymizeOptions): string | null {
      this.made++;
      return super.pseudonymToken(value, opts);
    }
  }
  const plain = { includeReversible: false };
  const reversible = { includeReversible: true };

  it('gives every value its own token', () => {
    const p = new Pseudonymizer({ salt: 'salt', encryptionKey: 'key' });
    const value = fc.oneof(fc.constantFrom('', ' ', 'a', 'ann@x.com', 'bob@x.com'), fc.string({ maxLength: 80 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, fc.boolean()), { maxLength: 300 }), (values) => {
        const memo = new TokenMemo();
        for (const [v, rev] of values) {
          const opts = rev ? reversible : plain;
          expect(memo.token(p, v, opts)).toBe(p.pseudonymToken(v, opts));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('makes a repeated value once', () => {
    const p = new Counting({ salt: 'salt' });
    const memo = new TokenMemo();
    const people = Array.from({ length: 300 }, (_, i) => `person${i}@acme.com`);
    for (let round = 0; round < 20; round++) for (const v of people) memo.token(p, v, plain);
    expect(p.made).toBe(300);
  });

  it('stops looking when values do not repeat, and keeps reversible tokens all the same', () => {
    const p = new Counting({ salt: 'salt', encryptionKey: 'key' });
    const memo = new TokenMemo();
    for (let i = 0; i < 2000; i++) memo.token(p, `unique${i}`, plain);
    p.made = 0;
    memo.token(p, 'again', plain);
    memo.token(p, 'again', plain);
    expect(p.made).toBe(2);
    memo.token(p, 'secret', reversible);
    memo.token(p, 'secret', reversible);
    expect(p.made).toBe(3);
  });
});
