// Pseudonyms per second against raw node:crypto SHA-256 of the same strings.
import * as crypto from 'node:crypto';
import { Pseudonymizer } from '@psoxy/core';
import { medianRatio, timeInterleaved } from './lib.mjs';

export function benchPseudonymize({ n = 200_000, runs = 21 } = {}) {
  const salt = 'bench-salt';
  const p = new Pseudonymizer({ salt, encryptionKey: 'bench-key' });
  // The strings as the pseudonymizer gets them: made by a parser (`JSON.parse` in API mode), flat.
  // Strings joined in JS (template literals) are ropes, which V8 reads a character at a time
  // several times more slowly, while `crypto.hash` flattens each once: such inputs measure V8's
  // ropes rather than either side's work.
  const parsed = (values) => JSON.parse(JSON.stringify(values));
  const sets = {
    'ids (U0123456789)': parsed(Array.from({ length: n }, (_, i) => `U${String(i * 7919).padStart(10, '0')}`)),
    'emails (first.last123@example.com)': parsed(Array.from({ length: n }, (_, i) => `user.name${i}@example.com`)),
  };
  const rows = [];
  for (const [name, values] of Object.entries(sets)) {
    let sink = 0;
    const t = timeInterleaved(
      {
        // the classic call: createHash().update().digest()
        classic: () => {
          for (const v of values) sink += crypto.createHash('sha256').update(v).digest().length;
        },
        // the fastest raw SHA-256 node:crypto offers for a string (one-shot, base64url output)
        raw: crypto.hash
          ? () => {
              for (const v of values) sink += crypto.hash('sha256', v, 'base64url').length;
            }
          : () => {
              for (const v of values) sink += crypto.createHash('sha256').update(v).digest('base64url').length;
            },
        // the floor of any pseudonym Psoxy's readers can match: the salted value hashed, nothing else
        // (no `t~`, no address recognized, no domain kept)
        salted: crypto.hash
          ? () => {
              for (const v of values) sink += crypto.hash('sha256', v + salt, 'base64url').length;
            }
          : () => {
              for (const v of values) sink += crypto.createHash('sha256').update(v + salt).digest('base64url').length;
            },
        psoxy: () => {
          for (const v of values) sink += p.pseudonymToken(v).length;
        },
      },
      { runs, warmup: 2, samples: true },
    );
    if (sink === 0) throw new Error('unreachable');
    rows.push({
      name,
      rawPerSec: (n / t.raw) * 1000,
      classicPerSec: (n / t.classic) * 1000,
      psoxyPerSec: (n / t.psoxy) * 1000,
      ratio: medianRatio(t.samples.raw, t.samples.psoxy),
      classicRatio: medianRatio(t.samples.classic, t.samples.psoxy),
      saltedRatio: medianRatio(t.samples.raw, t.samples.salted),
    });
  }
  return rows;
}
