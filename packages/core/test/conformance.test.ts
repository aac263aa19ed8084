import { describe, expect, it } from 'vitest';
import { jsonDiff, jsonEquals, parseJson, parseJsonDocuments } from '../src/json/index.js';
import { Pseudonymizer } from '../src/pseudonym/index.js';
import { loadRestRules } from '../src/rules/index.js';
import { type CompiledRestRules, compileRestRules } from '../src/sanitize/index.js';
import { sanitizeResponse } from '../src/sanitize-response.js';
import { loadConformance, read } from './conformance.js';

const conformance = loadConformance();

describe.skipIf(!conformance)('Psoxy conformance cases', () => {
  const c = conformance as NonNullable<typeof conformance>;
  const pseudonymizer = conformance ? new Pseudonymizer({ salt: c.salt, encryptionKey: c.encryptionKey }) : undefined;
  const compiled = new Map<string, CompiledRestRules>();
  const rulesFor = (file: string) => {
    let r = compiled.get(file);
    if (!r) {
      r = compileRestRules(loadRestRules(read(c, file), { source: file }));
      compiled.set(file, r);
    }
    return r;
  };

  it('has cases', () => {
    expect(c.cases.length).toBeGreaterThan(0);
  });

  it.each(conformance?.cases.map((x) => [`${x.suite} ${x.method} ${x.url} (${x.original})`, x] as const) ?? [])('%s', (_name, x) => {
    const out = sanitizeResponse({
      rules: rulesFor(x.rules),
      pseudonymizer: pseudonymizer as Pseudonymizer,
      method: x.method,
      url: x.url,
      body: read(c, x.original),
    });
    if (out.blocked) throw new Error(`blocked: ${out.reason}`);
    // An NDJSON original is compared on its first document.
    const got = parseJsonDocuments(out.body)[0] ?? null;
    const expected = parseJson(read(c, x.expected));
    const diff = jsonDiff(got, expected);
    expect(diff, diff).toBeUndefined();
    // Key order is kept as Psoxy keeps it.
    expect(jsonEquals(got, expected, { keyOrder: true })).toBe(true);
  });
});
