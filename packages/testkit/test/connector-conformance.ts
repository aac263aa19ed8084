import type { Connector } from '@psoxy/core';
import { runPsoxyCases } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { loadConformance } from '../../core/test/conformance.js';

/**
 * Psoxy's visible cases for the given suites, sanitized with each connector's own rules (not the
 * YAML); skipped with a message (failing under CI) when the cases are not there.
 */
export function describePsoxyCases(suites: [string, Connector][]): void {
  const conformance = loadConformance();
  describe.skipIf(!conformance)('Psoxy cases with the connectors own default rules', () => {
    it.each(suites)('%s', (suite, connector) => {
      const c = conformance as NonNullable<typeof conformance>;
      const cases = c.cases.filter((x) => x.suite === suite);
      expect(cases.length).toBeGreaterThan(0);
      expect(runPsoxyCases({ connector, dir: c.dir, cases, salt: c.salt, encryptionKey: c.encryptionKey })).toBe(cases.length);
    });
  });
}
