import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { expect } from 'vitest';
import { psoxy } from './helpers.js';

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

/**
 * A zip's file names, with the content-hashed chunk names folded into `chunk-*.mjs`; licence files
 * (`<module>.LEGAL.txt`, there when the module holds code with a licence comment) are left out.
 */
export const zipLayout = (files: Record<string, Uint8Array>): string[] =>
  [...new Set(Object.keys(files).map((n) => n.replace(/^chunk-[A-Z0-9]+\./, 'chunk-*.')))].filter((n) => !n.endsWith('.LEGAL.txt')).sort();

/** Runs `psoxy bundle <args>` in `cwd`; a failure fails the suite with psoxy's message. */
export function bundleOrFail(args: string[], cwd: string): void {
  const r = psoxy(['bundle', ...args], { cwd });
  if (r.code !== 0) throw new Error(`psoxy bundle failed: ${r.stderr}`);
}

/** The files of `f`'s zip in `out`, after checking the zip is the size and SHA-256 the manifest gives. */
export function manifestZip(out: string, f: Manifest['functions'][number]): Record<string, Uint8Array> {
  const zip = readFileSync(join(out, f.zip));
  expect(f.bytes).toBe(zip.length);
  expect(f.sha256).toBe(createHash('sha256').update(zip).digest('base64'));
  return unzipSync(zip);
}
