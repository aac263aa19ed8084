import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Connector,
  type ConnectorConfig,
  Pseudonymizer,
  compileRestRules,
  connectorRules,
  jsonDiff,
  parseJsonDocuments,
  sanitizeResponse,
  writeJsonPretty,
} from '@psoxy/core';

/** One golden file: what the source returns at `url`, and what the connector must make of it. */
export interface GoldenCase {
  url: string;
  method?: string;
  /** File name under `<dir>/original/` (and, by default, `<dir>/sanitized/`). */
  file: string;
  sanitized?: string;
}

export interface GoldenOptions {
  connector: Connector;
  config?: Partial<ConnectorConfig>;
  /** Folder holding `original/` and `sanitized/`. */
  dir: string;
  cases: GoldenCase[];
  /** Psoxy's test secrets by default: salt `salt`, encryption key `secret`. */
  salt?: string;
  encryptionKey?: string;
  /** Write the sanitized files instead of comparing (default: env PSOXY_UPDATE_GOLDENS=1). */
  update?: boolean;
}

export interface GoldenResult {
  case: GoldenCase;
  /** `written` in update mode. */
  outcome: 'match' | 'written';
}

/** The connector's configuration for tests: no settings, app ids as they come. */
export function testConfig(config: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return { settings: {}, pseudonymizeAppIds: false, ...config };
}

/**
 * Sanitizes each original with the connector's own rules and compares it, as JSON, with the golden
 * sanitized file (written in update mode). Throws one error listing every blocked URL, missing
 * file and difference.
 */
export function runGoldenFiles(o: GoldenOptions): GoldenResult[] {
  const rules = compileRestRules(connectorRules(o.connector, testConfig(o.config)), { source: `connector ${o.connector.id}` });
  const pseudonymizer = new Pseudonymizer({ salt: o.salt ?? 'salt', encryptionKey: o.encryptionKey ?? 'secret' });
  const update = o.update ?? process.env.PSOXY_UPDATE_GOLDENS === '1';
  const problems: string[] = [];
  const results: GoldenResult[] = [];
  for (const c of o.cases) {
    const original = join(o.dir, 'original', c.file);
    const golden = join(o.dir, 'sanitized', c.sanitized ?? c.file);
    const out = sanitizeResponse({ rules, pseudonymizer, method: c.method ?? 'GET', url: c.url, body: readFileSync(original, 'utf8') });
    if (out.blocked) {
      problems.push(`${c.method ?? 'GET'} ${c.url}: blocked by the rules (${out.reason})`);
      continue;
    }
    const docs = parseJsonDocuments(out.body);
    if (update) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, `${docs.map((d) => writeJsonPretty(d)).join('\n')}\n`);
      results.push({ case: c, outcome: 'written' });
      continue;
    }
    if (!existsSync(golden)) {
      problems.push(`${c.file}: no golden file ${golden} (run with PSOXY_UPDATE_GOLDENS=1 to write it, then review it)`);
      continue;
    }
    const expected = parseJsonDocuments(readFileSync(golden, 'utf8'));
    const diff = docs.length === expected.length ? docs.map((d, i) => jsonDiff(expected[i] as never, d)).find((x) => x !== undefined) : `${docs.length} documents, expected ${expected.length}`;
    if (diff !== undefined) problems.push(`${c.file} at ${c.url}: ${diff}`);
    else results.push({ case: c, outcome: 'match' });
  }
  if (problems.length > 0) throw new Error(`golden files of ${o.connector.id}:\n  ${problems.join('\n  ')}`);
  return results;
}
