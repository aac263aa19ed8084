import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type OutputMeta, type ProcessingContext, type QueuedRequest, requestFromQueue } from '@psoxy/core';
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
    if (url.pathname === '/files/export.gz') {
      // the download (a pre-signed URL on another host, in reality): no token needed
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(gzipSync(MEMBERS.map((r) => JSON.stringify(r)).join('\n')));
      return;
    }
    if (url.pathname === '/api/admin.analytics.getFile' && url.searchParams.get('date') === 'redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/export.gz?sig=abc` });
      res.end();
      return;
    }
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
    const proxy = await startConnectorProxy({ connector: slackAnalytics, target: source, secrets: { ACCESS_TOKEN: 'test-slack-analytics-token' } });
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
      expect(seen.at(-1)?.authorization).toBe('Bearer test-slack-analytics-token');
    } finally {
      await proxy.close();
    }
  });

  it('as Psoxy deploys it (async mode, FOLLOW_REDIRECTS=false): getFile queued, its download fetched without the token, each line sanitized into the output', async () => {
    const objects = new Map<string, { body: Uint8Array; meta: OutputMeta }>();
    const queued: { request: QueuedRequest; context: ProcessingContext }[] = [];
    const proxy = await startConnectorProxy({
      connector: slackAnalytics,
      target: source,
      secrets: { ACCESS_TOKEN: 'test-slack-analytics-token' },
      followRedirects: false,
      outputs: {
        async: {
          output: { uri: 's3://analytics-out/', write: async (key, body, meta) => void objects.set(key, { body, meta }) },
          dispatcher: { dispatch: async (request, context) => void queued.push(JSON.parse(JSON.stringify({ request, context }))) },
        },
      },
    });
    try {
      const accepted = await fetch(`${proxy.url}/api/admin.analytics.getFile?type=member&date=redirect`, { headers: { prefer: 'respond-async' } });
      expect(accepted.status).toBe(202);
      const location = accepted.headers.get('location') ?? '';
      const { request, context } = queued[0] as { request: QueuedRequest; context: ProcessingContext };
      const before = seen.length;
      const done = await proxy.handler.exchange(requestFromQueue(request, context));
      expect(done.status).toBe(200);
      // the API call with the token, then the download without it
      expect(seen.slice(before).map((s) => [s.url, s.authorization])).toEqual([
        ['/api/admin.analytics.getFile?type=member&date=redirect', 'Bearer test-slack-analytics-token'],
        ['/files/export.gz?sig=abc', undefined],
      ]);
      const written = objects.get(location.replace('s3://analytics-out/', ''));
      const lines = gunzipSync(written?.body ?? new Uint8Array()).toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]?.email_address).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(JSON.stringify(lines)).not.toMatch(/W0123ABC|ada@/);
    } finally {
      await proxy.close();
    }
  });

  it('messages.metadata: user ids pseudonymized, Slackbot kept', async () => {
    const proxy = await startConnectorProxy({ connector: slackAnalytics, target: source, secrets: { ACCESS_TOKEN: 'test-slack-analytics-token' } });
    try {
      const body = (await (await fetch(`${proxy.url}/api/admin.analytics.messages.metadata?channel=C1&limit=100`)).json()) as typeof METADATA;
      expect(body.messages[0]?.user_id).toMatch(/^t~[\w-]{43}$/);
      expect(body.messages[1]?.user_id).toBe('USLACKBOT');
    } finally {
      await proxy.close();
    }
  });
});
