import type { Connector } from '@psoxy/core';
import { runPsoxyCases } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { loadConformance } from '../../core/test/conformance.js';
import { github } from '../src/index.js';

const conformance = loadConformance();
const SUITES: [string, Connector][] = [['GitHubTests', github]];

// Psoxy's visible cases for these sources, sanitized with each connector's own rules (not the YAML).
describe.skipIf(!conformance)('Psoxy cases with the connectors own default rules', () => {
  it.each(SUITES)('%s', (suite, connector) => {
    const c = conformance as NonNullable<typeof conformance>;
    const cases = c.cases.filter((x) => x.suite === suite);
    expect(cases.length).toBeGreaterThan(0);
    expect(runPsoxyCases({ connector, dir: c.dir, cases, salt: c.salt, encryptionKey: c.encryptionKey })).toBe(cases.length);
  });
});
