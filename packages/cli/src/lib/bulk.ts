import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type BulkRules, type ColumnarRules, PSEUDONYM_ENCODINGS, RULES_PARSE, columnarRulesSchema, loadBulkRules } from '@psoxy/core';
import { UserError } from './errors.js';
import { readText } from './input.js';

export async function loadBulkRulesFile(file: string): Promise<BulkRules> {
  return loadBulkRules(await readText(file), { source: file });
}

const splitColumns = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');

/** Columnar rules from the command-line shortcuts (`--pseudonymize a,b --redact c --format ...`). */
export function shortcutRules(flags: { pseudonymize?: string | undefined; redact?: string | undefined; format?: string | undefined }): BulkRules {
  const format = (flags.format ?? 'JSON').toUpperCase();
  if (!(PSEUDONYM_ENCODINGS as readonly string[]).includes(format)) {
    throw new UserError(`unknown --format '${flags.format}': use one of ${PSEUDONYM_ENCODINGS.join(', ')}`);
  }
  const columnsToPseudonymize = splitColumns(flags.pseudonymize);
  const columnsToRedact = splitColumns(flags.redact);
  // a list that names nothing (`--pseudonymize ","`) would pass the file through as it is
  if (columnsToPseudonymize.length + columnsToRedact.length === 0) {
    throw new UserError('--pseudonymize / --redact name no column: give column names separated by commas (e.g. --pseudonymize email,employee_id)');
  }
  const rules: ColumnarRules = columnarRulesSchema.parse({ pseudonymFormat: format, columnsToPseudonymize, columnsToRedact }, RULES_PARSE);
  return { kind: 'columnar', rules };
}

/** Bytes of an input file, or of stdin for `-`. */
export function openInput(file: string): AsyncIterable<Uint8Array> {
  if (file === '-') {
    if (process.stdin.isTTY) throw new UserError("no input given: pass a file, or '-' to read it from stdin");
    return process.stdin;
  }
  return createReadStream(file);
}

/**
 * Writes sanitized text to a file (gzip if its name ends .gz) or to stdout, all or nothing: it
 * goes to a temporary file first, renamed (or copied to stdout) only once the whole input has
 * been sanitized.
 */
export async function writeAllOrNothing(text: AsyncIterable<string>, output: string | undefined): Promise<void> {
  const dir = output ? dirname(output) : tmpdir();
  const tmp = join(dir, `.${output ? basename(output) : 'stdout'}.psoxy-${randomBytes(6).toString('hex')}.tmp`);
  const bytes = Readable.from((async function* () {
    for await (const s of text) yield Buffer.from(s, 'utf8');
  })());
  try {
    if (output?.toLowerCase().endsWith('.gz')) await pipeline(bytes, createGzip(), createWriteStream(tmp, { mode: 0o600 }));
    else await pipeline(bytes, createWriteStream(tmp, { mode: 0o600 }));
    if (output) await rename(tmp, output);
    else await pipeline(createReadStream(tmp), process.stdout, { end: false });
  } finally {
    // gone already once renamed; otherwise what was written must not stay
    await unlink(tmp).catch(() => {});
  }
}

/** An installed connector's bulk rules (for the files its source exports). */
export async function connectorBulkRules(id: string): Promise<BulkRules> {
  const { findConnector } = await import('./connectors.js');
  const { connector } = await findConnector(id);
  if (!connector.bulkRules) throw new UserError(`connector '${id}' has no bulk rules: its source is read through its API (psoxy serve --connector ${id}); pass --rules <file> for files`);
  return connector.bulkRules as BulkRules;
}
