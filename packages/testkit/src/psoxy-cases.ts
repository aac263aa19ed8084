import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Connector, type ConnectorConfig, Pseudonymizer, compileRestRules, connectorRules, jsonDiff, parseJsonDocuments, sanitizeResponse } from '@psoxy/core';
import { testConfig } from './golden.js';

/** A case in Psoxy's conformance layout: an original response at a URL and the expected sanitized one. */
export interface PsoxyCase {
  method: string;
  url: string;
  /** Paths relative to `dir`. */
  original: string;
  expected: string;
}

/**
 * Sanitizes Psoxy's example responses with a connector's own rules and compares each with Psoxy's
 * sanitized file, as JSON (an NDJSON original on its first document). Throws one error listing
 * every blocked URL and difference; returns how many cases passed.
 */
export function runPsoxyCases(o: { connector: Connector; dir: string; cases: PsoxyCase[]; salt: string; encryptionKey: string; config?: Partial<ConnectorConfig> }): number {
  const rules = compileRestRules(connectorRules(o.connector, testConfig(o.config)), { source: `connector ${o.connector.id}` });
  const pseudonymizer = new Pseudonymizer({ salt: o.salt, encryptionKey: o.encryptionKey });
  const problems: string[] = [];
  for (const c of o.cases) {
    const out = sanitizeResponse({ rules, pseudonymizer, method: c.method, url: c.url, body: readFileSync(join(o.dir, c.original), 'utf8') });
    if (out.blocked) {
      problems.push(`${c.method} ${c.url}: blocked (${out.reason})`);
      continue;
    }
    const [actual] = parseJsonDocuments(out.body);
    const [expected] = parseJsonDocuments(readFileSync(join(o.dir, c.expected), 'utf8'));
    const diff = jsonDiff(expected as never, actual as never);
    if (diff !== undefined) problems.push(`${c.original}: ${diff}`);
  }
  if (problems.length > 0) throw new Error(`Psoxy cases with ${o.connector.id}:\n  ${problems.join('\n  ')}`);
  return o.cases.length;
}

/** Checks that a README documents each connector: its id heading, grants, setup steps and settings. */
export function checkReadme(readme: string, connectors: readonly Connector[]): void {
  const missing: string[] = [];
  for (const c of connectors) {
    const need = [`## \`${c.id}\``, ...c.docs.grants, ...c.docs.setup, ...c.settings.map((s) => `| \`${s.name}\` |`)];
    for (const n of need) if (!readme.includes(n)) missing.push(`${c.id}: ${n.slice(0, 80)}`);
  }
  if (missing.length > 0) throw new Error(`the README lacks (regenerate it: node scripts/connector-readme.mjs <package>):\n  ${missing.join('\n  ')}`);
}
