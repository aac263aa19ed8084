import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Psoxy's conformance cases (rules + original + expected), kept outside the repository. */
export interface ConformanceCase {
  suite: string;
  rules: string;
  method: string;
  url: string;
  original: string;
  expected: string;
}
export interface Conformance {
  dir: string;
  salt: string;
  encryptionKey: string;
  cases: ConformanceCase[];
}

export const CONFORMANCE_DIR =
  process.env.PSOXY_CONFORMANCE_DIR ?? fileURLToPath(new URL('../../../../shared/conformance/psoxy/', import.meta.url));

/**
 * Loads the cases, or explains why not. Under CI a missing folder is a failure; for a user without
 * it the suite is skipped with a message.
 */
export function loadConformance(): Conformance | undefined {
  const file = `${CONFORMANCE_DIR.replace(/\/?$/, '/')}cases.json`;
  if (!existsSync(file)) {
    if (process.env.CI === 'true') throw new Error(`conformance cases not found at ${file} (required under CI=true)`);
    console.warn(`[psoxy] skipping the Psoxy conformance suite: ${file} not found (set PSOXY_CONFORMANCE_DIR to run it)`);
    return undefined;
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as Omit<Conformance, 'dir'>;
  return { dir: CONFORMANCE_DIR.replace(/\/?$/, '/'), ...data };
}

export const read = (c: Conformance, rel: string) => readFileSync(`${c.dir}${rel}`, 'utf8');
