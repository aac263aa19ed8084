import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { checkAllowlist, startConnectorProxy } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackAnalytics } from '../src/index.js';

// Data written for this test, shaped as Slack's admin.analytics answers.
const MEMBERS = [
  { enterprise_id: 'E01', date: '2024-04-07', user_id: 'W0123ABC', email_address: 'ada@acme.example', is_guest: false, messages_posted: 12 },
  { enterprise_id: 'E01', date: '2024-04-07', user_id: 'W0456DEF', email_address: 'bob@acme.example', is_guest: true, messages_posted: 0 },
];
const CHANNELS = [{ enterprise_id: 'E01', date: '2024-04-07', channel_id: 'C01', name: 'secret-project', topic: 'launch plans', description: 'who knows' }];
const METADATA = { ok: true, messages: [{ ts: '1712448000.000100', user_id: 'W0123ABC' }, { ts: '1712448001.000100', user_id: 'USLACKBOT' }], response_metadata: { next_cursor: '' } };

let server: Server;
let source: string;
const seen: { url: string; authorization: string | undefined }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/admin.analytics.getFile') {
      const rows = url.searchParams.get('type') === 'public_channel' ? CHANNELS : MEMBERS;
      // as Slack sends it: a gzipped NDJSON file
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(gzipSync(rows.map((r) => JSON.stringify(r)).join('\n')));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(url.pathname.endsWith('metadata') ? METADATA : { ok: true, messages: [{ date: '2024-04-07', messages_posted: 3 }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  source = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('slack-analytics', () => {
  it('allowlist: the three analytics endpoints, their parameters, GET only', () =>
    checkAllowlist(slackAnalytics, {
      allowed: ['/api/admin.analytics.getFile?type=member&date=2024-04-07', '/api/admin.analytics.messages.metadata?channel=C1&limit=100&cursor=x', '/api/admin.analytics.messages.activity?channel=C1&oldest_ts=1'],
      blocked: ['/api/admin.analytics.getFile?type=member&date=2024-04-07&user=W1', '/api/admin.users.list', '/api/discovery.users.list', '/api/admin.analytics.messages.metadata?channel=C1&include_text=1'],
    }));

  it('reads getFile\'s gzipped NDJSON, pseudonymizes each member and redacts channel names and topics', async () => {
    const proxy = await startConnectorProxy({ connector: slackAnalytics, target: source, secrets: { ACCESS_TOKEN: 'xoxp-analytics' } });
    try {
      const res = await fetch(`${proxy.url}/api/admin.analytics.getFile?type=member&date=2024-04-07`);
      expect(res.status).toBe(200);
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]?.user_id).toMatch(/^t~[\w-]{43}$/);
      expect(lines[0]?.email_address).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(lines[1]?.messages_posted).toBe(0);
      const channels = await (await fetch(`${proxy.url}/api/admin.analytics.getFile?type=public_channel&date=2024-04-07`)).text();
      expect(channels).not.toMatch(/secret-project|launch plans|who knows/);
      expect(JSON.parse(channels.trim())).toEqual({ enterprise_id: 'E01', date: '2024-04-07', channel_id: 'C01' });
      expect(seen.at(-1)?.authorization).toBe('Bearer xoxp-analytics');
    } finally {
      await proxy.close();
    }
  });

  it('messages.metadata: user ids pseudonymized, Slackbot kept', async () => {
    const proxy = await startConnectorProxy({ connector: slackAnalytics, target: source, secrets: { ACCESS_TOKEN: 'xoxp-analytics' } });
    try {
      const body = (await (await fetch(`${proxy.url}/api/admin.analytics.messages.metadata?channel=C1&limit=100`)).json()) as typeof METADATA;
      expect(body.messages[0]?.user_id).toMatch(/^t~[\w-]{43}$/);
      expect(body.messages[1]?.user_id).toBe('USLACKBOT');
    } finally {
      await proxy.close();
    }
  });
});
