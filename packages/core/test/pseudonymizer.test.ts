import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonDouble, parseJson } from '../src/json/index.js';
import {
  InvalidTokenError,
  Pseudonymizer,
  canonicalizeIp,
  isValidAddressList,
  parseAddressList,
  parseEmail,
} from '../src/pseudonym/index.js';
import { createHash } from 'node:crypto';
import { LOCAL_DOTS, LOCAL_PLAIN, NOT_CANONICAL, NOT_STAGED, SaltedSha256 } from '../src/pseudonym/crypto.js';
import { parseEmailByGrammar } from '../src/pseudonym/email.js';
import { identityJson } from '../src/sanitize/index.js';

// Spec §3.8: salt `salt`, encryption password `secret`.
const p = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });
const token = (v: unknown, opts = {}) => p.pseudonymToken(v, opts);
const rev = { includeReversible: true };

describe('Psoxy test vectors (spec 3.8)', () => {
  it.each([
    [1, 'test', {}, 't~Tt8H7clbL9y8ryN4_RLYrCEsKqbjJsWcPmKb4wOdZDI'],
    [2, 'test', rev, 'p~Tt8H7clbL9y8ryN4_RLYrCEsKqbjJsWcPmKb4wOdZDKAHyevsJLhRTypmrf-DpBZ'],
    [3, 'alice@acme.com', rev, 'p~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMnKYUk8FJevl3wvFyZY0eF-@acme.com'],
    [4, 'alice@acme.com', {}, 't~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com'],
    [6, 'blah', {}, 't~nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jo'],
    [7, 'blah', rev, 'p~nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jq9JIOXfBWhts_zA5Ns0r4m'],
    [8, 'juan@worklytics.co', rev, 'p~FLIM5xLgQ5m5vrONCMIiijaoUeFSBBLdaKBXGHqa5OQcZWU39HniZ3phdmegLotuacdckYPaf9zpKnrv9Ez-SQ@worklytics.co'],
    [
      9,
      'juan@internal.worklytics.co',
      rev,
      'p~b3L-lcamqefZ4pvw0gqJ2KJRVQ2H8XlW4y2QMm5ATWeQDc1khHNTXbikRg2I86-lLYcFuLJdUNdgWYGxjaf3Jw@internal.worklytics.co',
    ],
    [22, 1, {}, 't~0zPKqEd-CtbCLB1ZSwX6Zo7uAWUvkpfHGzv9-cuYwZc'],
    [22, '2', {}, 't~-hN_i1M1DeMAicDVp6LhFgW9lH7r3_LbOpTlXYWpXVI'],
    [22, 3, {}, 't~4W7Sl-LI6iMzNNngivs5dLMiVw-7ob3Cyr3jn8NureY'],
    [22, 4, {}, 't~BOg00PLoiEEKyGzije3FJlKBzM6_Vjk87VJI9lTIA2o'],
    [23, '5', {}, 't~cMWVVout6L1o-OKqU9a0Z1Sfqqg_i5J_zzU0M2EfDJg'],
    [28, 'allen.boyce@imagine.com', {}, 't~aT3usZghgyWmDoXRncq5qhmQJQMjY49xDJylpM4TyYI@imagine.com'],
    [29, '12345', rev, 'p~r4ONZUfEyn9MUkcyDQkQ5MBNpdIerM24MasxFpuQBaGzFatT5PGvb7S57rNnHGwT'],
  ])('#%i %j', (_n, value, opts, expected) => {
    expect(token(value, opts)).toBe(expected);
  });

  it('#5 URL_SAFE_HASH_ONLY is the bare hash', () => {
    expect(p.pseudonymize('alice@acme.com')?.hash).toBe('UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk');
  });

  it('#10 decrypts a CBC token (hash prefix not checked)', () => {
    expect(p.reverse('p~NHXWS5CZDysDs3ETExXiMZxM2DfffirkjgmA64R9hCenHbNbPsOt4W-Hx8SDUaQY')).toBe('blah');
  });

  it('#12 #13 domain tokenized / encrypted with domain salt and key', () => {
    const t = new Pseudonymizer({ salt: 'salt', emailDomainHandling: 'TOKENIZE', emailDomainSalt: 'salt-domains' });
    expect(t.pseudonymize('alice@acme.com')?.domain).toBe('h~XeVeXr3msNs83nxpGuEjUO0Cv7JfkmYhnprXIY-BEgs');
    const e = new Pseudonymizer({
      salt: 'salt',
      emailDomainHandling: 'ENCRYPT',
      emailDomainSalt: 'salt-domains',
      emailDomainEncryptionKey: 'asdfasdf',
    });
    expect(e.pseudonymize('alice@acme.com')?.domain).toBe('e~XeVeXr3msNs83nxpGuEjUO0Cv7JfkmYhnprXIY-BEgtyvcXqtDujwfr0b5vLmXHQ');
  });

  it.each([
    [14, '123.234.252.12', 't~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CI'],
    [15, '10.0.0.1', 't~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk'],
    [16, '2001:0db8::1', 't~njBikXo6n6-7z6JEg8zs_E89aJQ0lje1vW3O9EkS__8'],
    [17, '2001:db8:0:0:0:0:2:1', 't~I8-OlnbGQkV5ClnMrM_O79TR_r8JroRmUbd056Hs2x4'],
    [18, '::ffff:192.0.2.128', 't~SUZ6xYqAE2gCw90EnrhS7ait6lh2xPKj2-SSQVm8o9A'],
    [18, '0:0:0:0:0:ffff:c000:0280', 't~SUZ6xYqAE2gCw90EnrhS7ait6lh2xPKj2-SSQVm8o9A'],
  ])('#%i hashIp %s', (_n, ip, expected) => {
    expect(p.hashIp(ip)).toBe(expected);
  });

  it('#19 hashIp of a non-IP is null', () => {
    expect(p.hashIp('not an ip')).toBeNull();
    expect(p.hashIp('notanip')).toBeNull();
  });

  it('#20 #21 encryptIp', () => {
    expect(p.encryptIp('123.234.252.12')).toBe('p~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CJStJlrfaIPHLZUvx-dHHQp');
    expect(p.encryptIp('10.0.0.1')).toBe('p~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTmrZBJVaY3CjxNEDJYfGEk_');
  });

  it('#24 #25 #26 #27 JSON identities', () => {
    expect(identityJson(p.pseudonymize('alice@worklytics.co'))).toBe('{"domain":"worklytics.co","hash":"Qf4dLJ4jfqZLn9ef4VirvYjvOnRaVI5tf5oLnM65YOA"}');
    expect(p.pseudonymize('bob@workltyics.co')?.hash).toBe('al4JK5KlOIsneC2DM__P_HRYe28LWYTBSf3yWKGm5yQ');
    expect(p.pseudonymize('001')?.hash).toBe('ni_o9pmj5bcNxQ_2cGsYSoOP-CtAUw8GyvT0xa8xSMA');
    expect(p.pseudonymize('1')?.hash).not.toBe(p.pseudonymize('001')?.hash);
    expect(identityJson(p.pseudonymize('employee@acme.COM'))).toBe('{"domain":"acme.COM","hash":"PM3Oh15cS2rBp-kjSrOCpQvYFe8Wo3qLj1o5F3fuefI"}');
  });

  it('#30 salt fingerprint', () => {
    expect(p.saltFingerprint).toBe('pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y');
  });
});

describe('canonicalization', () => {
  it('hashes email variants alike (case, +tag, display name)', () => {
    const h = p.pseudonymize('alice@worklytics.co')?.hash;
    for (const v of ['Alice@worklytics.co', 'AlIcE@WORKLYTICS.CO', 'alice+test@worklytics.co', '"Alice Example" <alice@worklytics.co>', '"Alicé Exämple" <alice@worklytics.co>']) {
      expect(p.pseudonymize(v)?.hash).toBe(h);
    }
    expect(p.pseudonymize('al.ice@worklytics.co')?.hash).not.toBe(h);
    const dots = new Pseudonymizer({ salt: 'salt', emailCanonicalization: 'IGNORE_DOTS' });
    expect(dots.pseudonymize('al.ice@worklytics.co')?.hash).toBe(dots.pseudonymize('alice@worklytics.co')?.hash);
  });

  it('keeps the domain as written, and can redact it', () => {
    expect(token('Bob@Acme.COM')).toMatch(/@Acme\.COM$/);
    expect(new Pseudonymizer({ salt: 'salt', emailDomainHandling: 'REDACT' }).pseudonymToken('bob@acme.com')).toMatch(/^t~[A-Za-z0-9_-]{43}$/);
  });

  it('does not trim non-emails, and hashes numbers by their Java text', () => {
    expect(token(' x')).not.toBe(token('x'));
    expect(token(new JsonDouble(1.5))).toBe(token('1.5'));
    expect(token(new JsonDouble(1))).toBe(token('1.0'));
    expect(token(12345678901234567890n)).toBe(token('12345678901234567890'));
  });

  it('gives null for null and blank, and refuses containers', () => {
    expect(p.pseudonymize(null)).toBeNull();
    expect(p.pseudonymize('  ')).toBeNull();
    expect(() => p.pseudonymize(parseJson('{"a":1}'))).toThrow(/only strings and numbers/);
    expect(() => p.pseudonymize(true)).toThrow(/only strings and numbers/);
  });
});

describe('email parsing (RFC 2822, as Psoxy)', () => {
  it.each([
    ['alice@acme.com', 'alice', 'acme.com'],
    ['  alice@acme.com ', 'alice', 'acme.com'],
    ['Alice <alice@acme.com>', 'alice', 'acme.com'],
    ['(comment) alice@acme.com', 'alice', 'acme.com'],
    ['ALICE@ACME.COM', 'ALICE', 'ACME.COM'],
    ['"Worklytics.co" <no-reply@worklytics.co>', 'no-reply', 'worklytics.co'],
    ['"john"@x.com', 'john', 'x.com'],
    // RFC 6532, as Psoxy's parser: a display name may hold any character but ASCII controls, \ and "
    ['"José Pérez" <jose@acme.com>', 'jose', 'acme.com'],
    ['"José López Ñaça"<jose@example.com>', 'jose', 'example.com'],
    ['"张伟" <zhangwei@example.com>', 'zhangwei', 'example.com'],
  ])('parses %j', (s, local, domain) => {
    expect(parseEmail(s)).toMatchObject({ localPart: local, domain });
  });

  it.each(['josé@acme.com', 'alice@acme', 'alice@[1.2.3.4]', 'alice@acme.com, bob@acme.com', '"a\u0001b" <x@acme.com>', 'plain'])(
    'does not take %j as one mailbox',
    (s) => {
      expect(parseEmail(s)).toBeUndefined();
    },
  );

  it('parses address lists, groups included', () => {
    const v = 'alice@acme.com, Bob <bob@acme.com>, team: x@y.com, z@y.com;, last@q.org';
    expect(isValidAddressList('alice@acme.com, Bob <bob@acme.com>')).toBe(true);
    expect(parseAddressList(v).map((a) => `${a.localPart}@${a.domain}`)).toEqual(['alice@acme.com', 'bob@acme.com', 'x@y.com', 'z@y.com', 'last@q.org']);
    expect(isValidAddressList('not an address')).toBe(false);
    // a display name in any script (Psoxy's EmailAddressParserTest)
    const names = '"Mónica Geller" <monica@example.com>, chandler.bing@example.com';
    expect(isValidAddressList(names)).toBe(true);
    expect(parseAddressList(names).map((a) => [a.personalName, `${a.localPart}@${a.domain}`])).toEqual([
      ['Mónica Geller', 'monica@example.com'],
      [undefined, 'chandler.bing@example.com'],
    ]);
  });
});

describe('text Java would encode differently', () => {
  it('hashes a lone surrogate as Java does: getBytes(UTF_8) writes ? for it (Node would write U+FFFD)', () => {
    // sha256('?x' + 'salt'), checked against a JDK
    expect(p.pseudonymToken('\ud800x')).toBe('t~zMShOvEQ_ggEE-T6ATei0QkpWe5cLSZDn1N0L6pVCRs');
    expect(p.pseudonymToken('x\udc00')).toBe(p.pseudonymToken('x?'));
    // a pair is a character, encoded as such
    const c = createHash('sha256').update('\ud83d\ude00xsalt').digest('base64url');
    expect(p.pseudonymToken('\ud83d\ude00x')).toBe(`t~${c}`);
  });
});

describe('IP canonicalization never resolves names', () => {
  it.each([
    ['010.001.002.003', '10.1.2.3'],
    ['2001:0db8::1', '2001:db8:0:0:0:0:0:1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::1.2.3.4', '0:0:0:0:0:0:102:304'],
    ['1.2.3.256', undefined],
    ['example.com', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    // Java's short IPv4 forms (InetAddress.getByName, checked on a JDK): the last part fills the rest
    ['1', '0.0.0.1'],
    ['12345', '0.0.48.57'],
    ['4294967295', '255.255.255.255'],
    ['4294967296', undefined],
    ['1.2.3', '1.2.0.3'],
    ['1.2', '1.0.0.2'],
    ['1.2.3.0004', '1.2.3.4'],
    ['1.2.3.4.5', undefined],
    ['1..2', undefined],
    ['1.', undefined],
    ['1234567890123456', undefined],
    // hex letters without a colon are a name Java would look up: no IP
    ['deadbeef', undefined],
    // IPv6 groups are bounded by value, not digits; an embedded IPv4 address is written in full
    ['00000::1', '0:0:0:0:0:0:0:1'],
    ['1::00001', '1:0:0:0:0:0:0:1'],
    ['1::10000', undefined],
    ['::ffff:1.2.3', undefined],
  ])('%s -> %s', (ip, expected) => {
    expect(canonicalizeIp(ip)).toBe(expected);
  });

  it('hashes a short IPv4 form as its canonical address', () => {
    // sha256('0.0.0.1' + 'salt'), base64url
    expect(p.hashIp('1')).toBe('t~6VEpdQ1xMy21wVrM3D3fjI-LZdU5Mkd7dbVfXG-lV0M');
  });
});

describe('reversible tokens', () => {
  it('round-trip, inside text too, and ignore t~ tokens', () => {
    const t = token('U123', rev) as string;
    const e = token('Alice@Acme.com', rev) as string;
    expect(p.reverse(t)).toBe('U123');
    expect(p.reverseAll(`/users/${t}/x?u=${e}&t=t~abc`)).toBe('/users/U123/x?u=Alice@Acme.com&t=t~abc');
  });

  it('reject tampered tokens and a missing key with clear errors', () => {
    const t = token('U123', rev) as string;
    const tampered = `${t.slice(0, -3)}${t.endsWith('A') ? 'B' : 'A'}AA`;
    expect(() => p.reverse(tampered)).toThrow(InvalidTokenError);
    expect(() => p.reverse('p~abc')).toThrow(InvalidTokenError);
    const other = new Pseudonymizer({ salt: 'salt', encryptionKey: 'other' });
    expect(() => other.reverse(t)).toThrow(InvalidTokenError);
    const noKey = new Pseudonymizer({ salt: 'salt' });
    expect(() => noKey.pseudonymize('x', rev)).toThrow(/PSOXY_ENCRYPTION_KEY/);
  });

  it('requires a salt', () => {
    expect(() => new Pseudonymizer({ salt: '' })).toThrow(/salt is required/);
  });
});

describe('fast paths agree with the RFC 2822 grammar (property)', () => {
  const chars = 'abcXYZ019._+-@"<> ()!#~'.split('');
  const emailish = fc
    .tuple(
      fc.array(fc.constantFrom(...chars), { maxLength: 12 }),
      fc.constantFrom('@'),
      fc.array(fc.constantFrom(...'abcZ09-.'.split('')), { maxLength: 12 }),
      fc.constantFrom('.com', '.co', '.C', '', '.x1', '.org '),
    )
    .map(([a, at, b, tld]) => `${a.join('')}${at}${b.join('')}${tld}`);
  const realistic = fc
    .tuple(fc.stringMatching(/^[a-zA-Z0-9._+-]{1,10}$/), fc.stringMatching(/^[a-zA-Z0-9-]{1,8}(\.[a-zA-Z0-9-]{1,8}){0,2}$/), fc.stringMatching(/^[a-zA-Z]{1,4}$/))
    .map(([l, d, t]) => `${l}@${d}.${t}`);

  it('parseEmail (fast path) equals the grammar', () => {
    fc.assert(
      fc.property(fc.oneof(emailish, realistic), (s) => {
        const g = parseEmailByGrammar(s);
        const f = parseEmail(s);
        expect(f?.localPart).toBe(g?.localPart);
        expect(f?.domain).toBe(g?.domain);
      }),
      { numRuns: 2000 },
    );
  });

  it('pseudonymToken (fast path) equals pseudonymize + token', () => {
    const dots = new Pseudonymizer({ salt: 'salt', emailCanonicalization: 'IGNORE_DOTS', emailDomainHandling: 'TOKENIZE' });
    fc.assert(
      fc.property(fc.oneof(emailish, realistic, fc.string()), (s) => {
        for (const q of [p, dots]) {
          const id = q.pseudonymize(s);
          expect(q.pseudonymToken(s)).toBe(id ? Pseudonymizer.token(id) : null);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('salted SHA-256', () => {
  it('hashes exactly the UTF-8 of value + salt, for any value and salt, with hashers interleaved', () => {
    // ASCII, Latin-1 and beyond, surrogate pairs, and lengths around the scratch space's 512 bytes
    const chars = fc.constantFrom('a', 'Z', '0', '@', '\u007f', '\u0080', 'é', 'ÿ', '€', '😀');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: chars, maxLength: 20 }), fc.string({ minLength: 490, maxLength: 530 }));
    fc.assert(
      fc.property(text, text, fc.array(fc.tuple(fc.boolean(), text), { maxLength: 6 }), (saltA, saltB, values) => {
        const a = new SaltedSha256(saltA);
        const b = new SaltedSha256(saltB);
        for (const [useA, v] of values) {
          const [h, salt] = useA ? [a, saltA] : [b, saltB];
          const expected = createHash('sha256').update(v + salt, 'utf8').digest();
          expect(h.bytes(v).equals(expected)).toBe(true);
          expect(h.base64url(v)).toBe(expected.toString('base64url'));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('staged hashing', () => {
  it("finds an ASCII value's first '@' while staging it, and hashes what it staged", () => {
    const chars = fc.constantFrom('a', '@', '.', '0', '\u007f', 'é', '€');
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ unit: chars, maxLength: 30 }), fc.string({ minLength: 495, maxLength: 515 })), (salt, value) => {
        const h = new SaltedSha256(salt);
        const staged = h.stage(value);
        const ascii = [...value].every((c) => c.charCodeAt(0) <= 0x7f);
        const fits = value.length + Buffer.byteLength(salt) <= 512;
        expect(staged).toBe(ascii && fits ? value.indexOf('@') : NOT_STAGED);
        if (staged !== NOT_STAGED) expect(h.stagedBase64url(value.length)).toBe(createHash('sha256').update(value + salt, 'utf8').digest('base64url'));
      }),
      { numRuns: 500 },
    );
  });

  it('hashers keep their own scratch space: one hashing between another stage and its hash changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (saltA, saltB, value, other) => {
        const [a, b] = [new SaltedSha256(saltA), new SaltedSha256(saltB)];
        if (a.stage(value) === NOT_STAGED) return;
        b.bytes(other);
        b.stage(other);
        expect(a.stagedBase64url(value.length)).toBe(createHash('sha256').update(value + saltA, 'utf8').digest('base64url'));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to hash a staged value of another length, or after a stage that failed', () => {
    const h = new SaltedSha256('salt');
    h.stage('abc');
    expect(() => h.stagedBase64url(4)).toThrow(/no value of length 4/);
    expect(h.stage('ab\u00e9')).toBe(NOT_STAGED);
    expect(() => h.stagedBase64url(3)).toThrow(/no value of length 3/);
  });
});

describe('the remembered domain', () => {
  // domains of equal length that differ in one place, in case, or only in the general parser's view
  const address = fc.tuple(
    fc.constantFrom('ann', 'Bob.Smith', 'c+tag', 'd_e'),
    fc.constantFrom('example.com', 'exbmple.com', 'EXAMPLE.com', 'example.co', 'ex.org', 'a-b.io'),
    fc.constantFrom('', ' ', '"Ann" <', 'x'),
  );
  const value = address.map(([l, d, wrap]) => (wrap === '"Ann" <' ? `${wrap}${l}@${d}>` : wrap === 'x' ? `${l}@${d}` : `${l}@${d}${wrap}`));

  it('gives every value what a fresh pseudonymizer gives it, in any order, for every domain handling', () => {
    for (const emailDomainHandling of ['PRESERVE', 'TOKENIZE', 'ENCRYPT', 'REDACT'] as const) {
      const opts = { salt: 'salt', encryptionKey: 'secret', emailDomainHandling };
      const longLived = new Pseudonymizer(opts);
      // a fresh ENCRYPT pseudonymizer derives its key (PBKDF2) on first use: fewer runs
      const encrypting = emailDomainHandling === 'ENCRYPT';
      fc.assert(
        fc.property(fc.array(value, { minLength: 2, maxLength: encrypting ? 5 : 12 }), (values) => {
          for (const v of values) {
            const fresh = new Pseudonymizer(opts);
            expect(longLived.pseudonymToken(v)).toBe(fresh.pseudonymToken(v));
            expect(longLived.pseudonymize(v)).toEqual(fresh.pseudonymize(v));
          }
        }),
        { numRuns: encrypting ? 12 : 200 },
      );
    }
  });

  it('stays right after more domains than it keeps', () => {
    const opts = { salt: 'salt', emailDomainHandling: 'TOKENIZE' as const };
    const longLived = new Pseudonymizer(opts);
    for (let i = 0; i < 700; i++) {
      const v = `ann@d${i % 350}.example.com`;
      expect(longLived.pseudonymToken(v)).toBe(new Pseudonymizer(opts).pseudonymToken(v));
    }
  });

  it('does not keep a domain whose handling failed', () => {
    const noKey = new Pseudonymizer({ salt: 'salt', emailDomainHandling: 'ENCRYPT' });
    expect(() => noKey.pseudonymToken('ann@example.com')).toThrow(/no encryption key/);
    expect(() => noKey.pseudonymToken('ann@example.com')).toThrow(/no encryption key/);
  });
});

describe('the remembered canonical domain', () => {
  // local parts on both sides of the canonical dot-atom rule, in canonical domains and near misses
  const local = fc.constantFrom('ann', 'a.b', 'a..b', '.a', 'a.', '.', 'a_b-c.d9', 'Ann', 'a+b', 'a@b', 'a b', 'ä', '"a"', '');
  const domain = fc.constantFrom('example.com', 'exbmple.com', 'EXAMPLE.com', 'example.co', 'a-b.io', 'example.c0m', '-ab.io');
  const value = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);

  it('gives every address what a fresh pseudonymizer gives it, in any order, under both canonicalizations', () => {
    for (const emailCanonicalization of ['STRICT', 'IGNORE_DOTS'] as const) {
      for (const emailDomainHandling of ['PRESERVE', 'TOKENIZE'] as const) {
        const opts = { salt: 'salt', emailCanonicalization, emailDomainHandling };
        const longLived = new Pseudonymizer(opts);
        fc.assert(
          fc.property(fc.array(value, { minLength: 2, maxLength: 16 }), (values) => {
            for (const v of values) expect(longLived.pseudonymToken(v), v).toBe(new Pseudonymizer(opts).pseudonymToken(v));
          }),
          { numRuns: 300 },
        );
      }
    }
  });

  it('checks the staged local part as the canonical pattern does', () => {
    const h = new SaltedSha256('salt');
    const check = (v: string) => {
      const at = h.stage(v);
      return h.stagedLocalPart(v.length, at);
    };
    expect(check('ann@x.io')).toBe(LOCAL_PLAIN);
    expect(check('a.b_c-9@x.io')).toBe(LOCAL_DOTS);
    for (const bad of ['.a@x.io', 'a.@x.io', 'a..b@x.io', 'A@x.io', 'a+b@x.io', '@x.io', 'a b@x.io', 'noat']) expect(check(bad), bad).toBe(NOT_CANONICAL);
  });

  it('classifies any staged local part as the canonical pattern does', () => {
    const h = new SaltedSha256('salt');
    const canonical = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
    const chars = fc.constantFrom(...'ab9_-.@A+ é'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (cs) => {
        const v = cs.join('');
        const at = h.stage(v);
        const local = h.stagedLocalPart(v.length, at);
        if (at === NOT_STAGED || at < 0) return local === NOT_CANONICAL;
        const part = v.slice(0, at);
        if (!canonical.test(part)) return local === NOT_CANONICAL;
        return local === (part.includes('.') ? LOCAL_DOTS : LOCAL_PLAIN);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('properties', () => {
  it('is deterministic per salt, and separates salts', () => {
    const other = new Pseudonymizer({ salt: 'pepper' });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), (s) => {
        const a = p.pseudonymToken(s);
        expect(a).toBe(p.pseudonymToken(s));
        expect(a).not.toBe(other.pseudonymToken(s));
        expect(a).toMatch(/^t~[A-Za-z0-9_-]{43}(@.+)?$/);
        if (!a?.includes('@')) expect(a).not.toContain(s.length > 3 ? s : '\u0000never');
      }),
      { numRuns: 200 },
    );
  });

  it('reversible tokens always decrypt to the original', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''), (s) => {
        const t = p.pseudonymToken(s, rev) as string;
        expect(p.reverse(t)).toBe(s);
      }),
      { numRuns: 100 },
    );
  });
});
