import { gzipSync } from 'node:zlib';
import { Pseudonymizer, sanitizeBulk } from '@psoxy/core';
import { describe, expect, it } from 'vitest';
import { slackDiscoveryApi } from '../src/index.js';

const p = new Pseudonymizer({ salt: 'salt' });
async function run(objectPath: string, text: string, gzip = false): Promise<string> {
  const bytes = gzip ? gzipSync(text) : Buffer.from(text);
  let out = '';
  for await (const s of sanitizeBulk((async function* () { yield bytes; })(), { rules: slackDiscoveryApi.bulkRules as never, objectPath, pseudonymizer: p })) out += s;
  return out;
}

describe('slack discovery bulk export files', () => {
  it('users: email pseudonymized, names nulled (gzip, as Slack delivers them)', async () => {
    const out = await run('export-2024-W10/users.ndjson.gz', '{"id":"U01","name":"ada","real_name":"Ada Lovelace","profile":{"email":"ada@acme.example","title":"CTO"}}\n', true);
    expect(JSON.parse(out)).toEqual({ id: 'U01', name: null, real_name: null, profile: { email: p.pseudonymToken('ada@acme.example'), title: 'CTO' } });
  });
  it('messages of a channel: text and channel name nulled', async () => {
    const out = await run('export-2024-W10/messages-C01FALCON.ndjson', '{"ts":"1.1","user":"U01","text":"Offer 1.2B","channel_name":"project-falcon"}\n');
    expect(JSON.parse(out)).toEqual({ ts: '1.1', user: 'U01', text: null, channel_name: null });
  });
  it('refuses a file no rule names', async () => {
    await expect(run('export-2024-W10/files.ndjson', '{}\n')).rejects.toThrow(/no applicable rules/);
  });
});
