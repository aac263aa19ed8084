import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../src/index.js';
import { pseudonymizer, sanitizeText } from './helpers.js';

// Sensitive values carry a marker no pseudonym can hold ('#' is not base64url), and the marker
// appears nowhere else: if it survives anywhere in the output, a value leaked.
const MARK = '#s#';
const sensitive = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 12 }).map((s) => `${MARK}${s.replaceAll('#', '')}`);
const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/), fc.constantFrom('acme.com', 'example.org')).map(([l, d]) => `${MARK.replaceAll('#', 'x')}${l}@${d}`);
const plain = fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replaceAll('#', ''));
// What Commons CSV reads back for a value we wrote: Java whitespace around an unquoted value is
// skipped, then String.trim (characters up to U+0020) applies to every value.
const JAVA_WS = /^[\t\n\u000b\f\r\u001c-\u001f \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+|[\t\n\u000b\f\r\u001c-\u001f \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+$/g;
function commonsReadBack(v: string): string {
  const quoted = csvField(v, false, ',').startsWith('"');
  return (quoted ? v : v.replace(JAVA_WS, '')).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}
const row = fc.tuple(sensitive, sensitive, plain, email);

describe('no value of a pseudonymized or redacted column survives (property)', () => {
  it('CSV: pseudonymized and redacted columns, any content, any format', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), fc.constantFrom('URL_SAFE_TOKEN', 'JSON', 'URL_SAFE_HASH_ONLY'), fc.boolean(), async (rows, format, crlf) => {
        const sep = crlf ? '\r\n' : '\n';
        const input = csvRecord(['id', 'secret', 'note', 'email'], ',', sep) + rows.map((r) => csvRecord(r, ',', sep)).join('');
        const out = await sanitizeText(`pseudonymFormat: ${format}\ncolumnsToPseudonymize: [id, email]\ncolumnsToRedact: [secret]`, input, { shuffle: true });
        expect(out).not.toContain(MARK);
        const emails = rows.map((r) => r[3].split('@')[0] as string);
        for (const local of emails) expect(out).not.toContain(local);
        const parsed: string[][] = parse(out, { relax_column_count: false });
        expect(parsed[0]).toEqual(['id', 'note', 'email']);
        expect(parsed.length).toBe(rows.length + 1);
        // the untouched column comes through as Commons CSV reads it back (Java-trimmed)
        const notes = parsed.slice(1).map((r) => r[1]).sort();
        const expected = rows.map((r) => commonsReadBack(r[2])).sort();
        expect(notes).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('NDJSON: pseudonymized and redacted fields never survive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
        const input = rows.map(([id, secret, note, mail]) => JSON.stringify({ id, profile: { secret, note, emails: [mail] } })).join('\n');
        const out = await sanitizeText('format: NDJSON\ntransforms:\n  - pseudonymize: [$.id, "$.profile.emails[*]"]\n  - redact: $..secret\n', input, { objectPath: 'x.ndjson' });
        expect(out).not.toContain(MARK);
        const docs = out.trim().split('\n').map((l) => JSON.parse(l));
        expect(docs.map((d) => d.id)).toEqual(rows.map(([id]) => pseudonymizer.pseudonymToken(id)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('streaming does not depend on where chunks break (property)', () => {
  it('CSV split anywhere reads as CSV in one piece', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 10 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 6 }), async (rows, sep, cuts) => {
        const input = csvRecord(['id', 'secret', 'note', 'email'], ',', sep) + rows.map((r) => csvRecord(r, ',', sep)).join('');
        const bytes = Buffer.from(input, 'utf8');
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let prev = 0;
        for (const c of [...at, bytes.length]) {
          parts.push(bytes.subarray(prev, c));
          prev = c;
        }
        const rules = 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [id]\ncolumnsToRedact: [secret]';
        expect(await sanitizeText(rules, parts)).toBe(await sanitizeText(rules, input));
      }),
      { numRuns: 200 },
    );
  });
});
