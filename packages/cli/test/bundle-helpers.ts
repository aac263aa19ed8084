import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

/** The parts of `psoxy bundle`'s manifest.json the tests read. */
export interface Manifest {
  host: string;
  functions: {
    name: string;
    kind: string;
    zip: string;
    bytes: number;
    sha256: string;
    handler: string;
    rulesSha?: string;
    connector?: { id: string; version: string };
    env: Record<string, string>;
    secrets: string[];
    packages: string[];
  }[];
}

/** The manifest written into `out`. */
export const readManifest = (out: string): Manifest => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));

/** One function of the manifest in `out`, or a failure naming it. */
export function bundledFunction(out: string, name: string): Manifest['functions'][number] {
  const f = readManifest(out).functions.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in the manifest`);
  return f;
}

/** Unzips `out/zip` into `dir` (created), as the cloud does before loading it. */
export function unzipInto(out: string, zip: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(join(out, zip))))) writeFileSync(join(dir, name), bytes);
  return dir;
}
