import { Pseudonymizer } from '../../src/pseudonym/index.js';
import { type BulkRules, loadBulkRules, sanitizeBulk } from '../../src/bulk/index.js';

export const pseudonymizer = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });

export async function* bytes(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

/** Sanitizes text (or byte chunks) with YAML rules; CSV rows keep their order unless asked. */
export async function sanitizeText(
  rules: string | BulkRules,
  input: string | (string | Uint8Array)[],
  opts: { objectPath?: string; shuffle?: boolean; outputFormat?: 'NDJSON' | 'CSV' | 'JSON_ARRAY'; contentType?: string; p?: Pseudonymizer; warn?: (message: string) => void } = {},
): Promise<string> {
  const parsed = typeof rules === 'string' ? loadBulkRules(rules, { source: 'rules.yaml' }) : rules;
  let out = '';
  const parts = typeof input === 'string' ? [input] : input;
  for await (const s of sanitizeBulk(bytes(...parts), {
    rules: parsed,
    objectPath: opts.objectPath ?? 'file.csv',
    pseudonymizer: opts.p ?? pseudonymizer,
    shuffle: opts.shuffle ?? false,
    outputFormat: opts.outputFormat,
    contentType: opts.contentType,
    warn: opts.warn,
  })) {
    out += s;
  }
  return out;
}
