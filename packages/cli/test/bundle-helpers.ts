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

/** The files of a zip in `out`, by name. */
export const zipFiles = (out: string, zip: string): Record<string, Uint8Array> => unzipSync(readFileSync(join(out, zip)));

/** All the JavaScript a zip holds (the entry module and its chunks), as one text to search. */
export function zipCode(out: string, zip: string): string {
  return Object.entries(zipFiles(out, zip))
    .filter(([name]) => name.endsWith('.mjs'))
    .map(([, bytes]) => Buffer.from(bytes).toString('utf8'))
    .join('\n');
}

/** A zip's file names, with the content-hashed chunk names (and their licence files) folded into `chunk-*`. */
export const zipLayout = (files: Record<string, Uint8Array>): string[] => [...new Set(Object.keys(files).map((n) => n.replace(/^chunk-[A-Z0-9]+\./, 'chunk-*.')))].sort();
