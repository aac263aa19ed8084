import { compileRestRules, connectorRules, jsonDiff, parseJsonDocuments, Pseudonymizer, sanitizeResponse, type Connector } from '@psoxy/core';
import { describe, expect, it } from 'vitest';
import { loadConformance, read } from '../../core/test/conformance.js';
import { asana } from '../src/index.js';

const conformance = loadConformance();

// Psoxy's visible cases for these sources, sanitized with each connector's own rules (not the YAML).
const SUITES: [string, Connector][] = [
  ['AsanaTests', asana],
];

describe.skipIf(!conformance)('Psoxy cases with the connectors own default rules', () => {
  for (const [suite, connector] of SUITES) {
    const cases = conformance?.cases.filter((c) => c.suite === suite) ?? [];
    it(`${suite}: ${cases.length} cases with ${connector.id}`, () => {
      expect(cases.length).toBeGreaterThan(0);
      const c0 = conformance as NonNullable<typeof conformance>;
      const rules = compileRestRules(connectorRules(connector, { settings: {}, pseudonymizeAppIds: false }));
      const pseudonymizer = new Pseudonymizer({ salt: c0.salt, encryptionKey: c0.encryptionKey });
      for (const c of cases) {
        const out = sanitizeResponse({ rules, pseudonymizer, method: c.method, url: c.url, body: read(c0, c.original) });
        expect(out.blocked, `${c.url} blocked`).toBe(false);
        if (out.blocked) continue;
        const [actual] = parseJsonDocuments(out.body);
        const [expected] = parseJsonDocuments(read(c0, c.expected));
        expect(jsonDiff(expected as never, actual as never), `${c.original}`).toBeUndefined();
      }
    });
  }
});
