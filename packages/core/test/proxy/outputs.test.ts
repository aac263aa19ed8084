import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthStrategy } from '../../src/auth/index.js';
import {
  type AsyncDispatcher,
  ConfigError,
  type OutputMeta,
  type ProcessingContext,
  type ProxyRequest,
  type QueuedRequest,
  type ResponseOutput,
  composeProxy,
  fitMetadata,
  parseProcessingContext,
  requestFromQueue,
} from '../../src/proxy/index.js';
import { nodeHttpClient } from '../../src/http/index.js';
import { InProcessLease, MemorySecretStore, silentLogger } from '../../src/runtime/index.js';
import { json, pseudonymizer, startProxy, startUpstream } from './harness.js';

const RULES = `
endpoints:
  - pathTemplate: /api/users
    allowedQueryParams: [limit, cursor]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.users[*].email"]
      - !<redact>
        jsonPaths: ["$.users[*].name"]
  - pathTemplate: /api/files
    allowedQueryParams: [date]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.user_id"]
`;
const USERS = { users: [{ email: 'alice@example.com', name: 'Alice' }] };

/** An object store in memory: what a host's S3 or GCS output would store. */
class MemoryOutput implements ResponseOutput {
  readonly objects = new Map<string, { body: Uint8Array; meta: OutputMeta }>();
  failWith: Error | undefined;
  constructor(readonly uri: string) {}
  async write(key: string, body: Uint8Array, meta: OutputMeta): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.objects.set(key, { body, meta });
  }
  text(key: string): string {
    const o = this.objects.get(key);
    if (!o) throw new Error(`no object at ${key}; have ${[...this.objects.keys()].join(', ')}`);
    return gunzipSync(o.body).toString('utf8');
  }
}

class MemoryQueue implements AsyncDispatcher {
  readonly queued: { request: QueuedRequest; context: ProcessingContext }[] = [];
  failWith: Error | undefined;
  async dispatch(request: QueuedRequest, context: ProcessingContext): Promise<void> {
    if (this.failWith) throw this.failWith;
    // as a queue carries it: JSON both ways
    this.queued.push(JSON.parse(JSON.stringify({ request, context })));
  }
}

const RECEIVED = Date.UTC(2026, 10, 5, 23, 59, 30);

const bearer: AuthStrategy = {
  kind: 'bearer',
  secretNames: [],
  authorize: async (req) => ({ ...req, headers: { ...req.headers, authorization: 'Bearer source-token' } }),
};

describe('side outputs', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url?.startsWith('/api/users')) json(res, 200, USERS, { 'x-ratelimit-remaining': '9' });
      else json(res, 404, { error: 'no such thing', email: 'bob@example.com' });
    });
  });
  afterAll(() => upstream.close());

  const request = (target: string, headers: Record<string, string> = {}): ProxyRequest => ({
    method: 'GET',
    target,
    headers: { host: 'proxy.example.com', 'x-custom': 'kept', authorization: 'AWS4-HMAC-SHA256 caller', 'x-psoxy-health': 'no', ...headers },
    body: null,
    origin: 'https://proxy.example.com',
    requestId: 'req-1',
    receivedAt: RECEIVED,
  });

  it('writes the source\'s bytes and the sanitized answer under <yyyyMMdd>/<requestId>, compressed, with Psoxy\'s metadata', async () => {
    const original = new MemoryOutput('s3://raw/in/');
    const sanitized = new MemoryOutput('s3://clean/');
    const proxy = await startProxy(upstream.url, RULES, { outputs: { original, sanitized }, auth: bearer });
    try {
      const res = await proxy.handler.exchange(request('/api/users?limit=5&cursor=a%20b'));
      expect(res.status).toBe(200);
      const answered = Buffer.from(res.body as Uint8Array).toString('utf8');
      expect(answered).not.toContain('alice@');
      expect(answered).not.toContain('Alice');

      const raw = original.objects.get('20261105/req-1');
      expect(raw?.meta.contentEncoding).toBe('gzip');
      expect(raw?.meta.contentType).toBe('application/json');
      expect(JSON.parse(original.text('20261105/req-1'))).toEqual(USERS);
      // as Psoxy records them: the host without its port, the path without its leading slash
      expect(raw?.meta.metadata).toEqual({ API_HOST: '127.0.0.1', HTTP_METHOD: 'GET', PATH: 'api/users', QUERY_STRING: 'cursor=a b&limit=5' });

      expect(sanitized.text('20261105/req-1')).toBe(answered);
      const meta = sanitized.objects.get('20261105/req-1')?.meta.metadata;
      expect(meta).toMatchObject({
        API_HOST: 'proxy.example.com',
        HTTP_METHOD: 'GET',
        PATH: 'api/users',
        QUERY_STRING: 'limit=5&cursor=a%20b',
        'x-custom': 'kept',
        'Rules-SHA': res.headers['x-psoxy-rules-sha'],
        'PII-Salt-Sha256': pseudonymizer.saltFingerprint,
      });
      // never the caller's credentials, nor the proxy's own headers
      expect(meta).not.toHaveProperty('authorization');
      expect(meta).not.toHaveProperty('x-psoxy-health');
      expect(Object.values(meta ?? {}).join(' ')).not.toContain('source-token');
    } finally {
      await proxy.close();
    }
  });

  it('writes no sanitized copy of a non-2xx answer, and the original of it', async () => {
    const original = new MemoryOutput('s3://raw/');
    const sanitized = new MemoryOutput('s3://clean/');
    const proxy = await startProxy(upstream.url, RULES, { outputs: { original, sanitized } });
    try {
      const res = await proxy.handler.exchange(request('/api/files?date=2024-01-01'));
      expect(res.status).toBe(404);
      expect(sanitized.objects.size).toBe(0);
      expect(original.text('20261105/req-1')).toContain('bob@example.com');
    } finally {
      await proxy.close();
    }
  });

  it('keeps the original of an answer that cannot be sanitized', async () => {
    const original = new MemoryOutput('s3://raw/');
    const sanitized = new MemoryOutput('s3://clean/');
    const bad = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"users": [ not json');
    });
    const proxy = await startProxy(bad.url, RULES, { outputs: { original, sanitized } });
    try {
      const res = await proxy.handler.exchange(request('/api/users'));
      expect(res.status).toBe(500);
      expect(res.headers['x-psoxy-error']).toBe('SANITIZATION_FAILED');
      expect(original.text('20261105/req-1')).toBe('{"users": [ not json');
      expect(sanitized.objects.size).toBe(0);
    } finally {
      await proxy.close();
      await bad.close();
    }
  });

  it('answers when a side output cannot be written, with a warning naming it', async () => {
    const original = new MemoryOutput('s3://raw/');
    const sanitized = new MemoryOutput('s3://clean/');
    sanitized.failWith = new Error('AccessDenied');
    const proxy = await startProxy(upstream.url, RULES, { outputs: { original, sanitized } });
    try {
      const res = await proxy.handler.exchange(request('/api/users'));
      expect(res.status).toBe(200);
      // beside the compression warning every answer gets when the caller does not accept gzip
      expect(res.headers['x-psoxy-warning']?.split(', ')).toEqual(['SIDE_OUTPUT_FAILURE_SANITIZED', 'compression-not-requested']);
      expect(Buffer.from(res.body as Uint8Array).toString('utf8')).toContain('t~');
      expect(original.objects.size).toBe(1);
      expect(proxy.lines.join('\n')).toMatch(/side output not written.*AccessDenied/);
    } finally {
      await proxy.close();
    }
  });

  it('keeps what identifies an output when the metadata is too large for the store', () => {
    const m = { API_HOST: 'h', HTTP_METHOD: 'POST', PATH: '/p', QUERY_STRING: 'q=1', REQUEST_BODY: 'x'.repeat(3000), 'x-a': 'y'.repeat(500), 'Rules-SHA': 'r', 'Psoxy-Version': 'v', 'PII-Salt-Sha256': 's' };
    const { metadata, dropped } = fitMetadata(m, 2048);
    expect(dropped).toEqual(['REQUEST_BODY']);
    expect(fitMetadata({ ...m, 'x-a': 'y'.repeat(3000) }, 2048).dropped).toEqual(['REQUEST_BODY', 'x-a']);
    expect(metadata).toMatchObject({ API_HOST: 'h', PATH: '/p', 'Rules-SHA': 'r' });
    // a path too long on its own is cut to fit
    const long = fitMetadata({ API_HOST: 'h', HTTP_METHOD: 'GET', PATH: 'p'.repeat(3000) }, 2048);
    expect(Object.entries(long.metadata).reduce((n, [k, v]) => n + k.length + v.length, 0)).toBe(2048);
    expect(long.dropped).toEqual(['PATH (cut)']);
  });
});

describe('asynchronous mode (Prefer: respond-async)', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let files: Awaited<ReturnType<typeof startUpstream>>;
  beforeAll(async () => {
    // a download host, as Slack's files are: answers without credentials
    files = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ user_id: 'U123', date: '2024-01-01', auth: req.headers.authorization ?? null }));
    });
    upstream = await startUpstream((req, res) => {
      if (req.url === '/api/users?limit=500') json(res, 500, { error: 'busy' });
      else if (req.url?.startsWith('/api/users')) json(res, 200, USERS);
      else if (req.url === '/api/files?date=elsewhere') {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
      } else if (req.url?.startsWith('/api/files')) {
        res.writeHead(302, { location: `${files.url}/download/abc?sig=1` });
        res.end();
      } else json(res, 404, {});
    });
  });
  afterAll(async () => {
    await upstream.close();
    await files.close();
  });

  const request = (target: string, headers: Record<string, string> = {}): ProxyRequest => ({
    method: 'GET',
    target,
    headers: { host: 'proxy.example.com', prefer: 'respond-async', authorization: 'AWS4-HMAC-SHA256 caller', 'x-amz-security-token': 'caller-session', 'x-amz-date': '20261105T235930Z', 'x-api-key': 'gateway-key', ...headers },
    body: null,
    origin: 'https://proxy.example.com',
    requestId: 'abc-123',
    receivedAt: RECEIVED,
  });

  async function asyncProxy(extra: { followRedirects?: boolean } = {}) {
    const output = new MemoryOutput('s3://async-out/');
    const queue = new MemoryQueue();
    const proxy = await startProxy(upstream.url, RULES, { outputs: { async: { output, dispatcher: queue } }, auth: bearer, ...extra });
    return { output, queue, proxy };
  }

  /** Sends `target` with Prefer: respond-async and takes what was queued for it. */
  async function queued(setup: Awaited<ReturnType<typeof asyncProxy>>, target: string) {
    await setup.proxy.handler.exchange(request(target));
    return setup.queue.queued.at(-1) as { request: QueuedRequest; context: ProcessingContext };
  }

  it('queues the checked request and answers 202 with its processing context; processing it writes the sanitized result there', async () => {
    const { output, queue, proxy } = await asyncProxy();
    try {
      const before = upstream.hits.length;
      const res = await proxy.handler.exchange(request('/api/users?limit=2'));
      expect(res.status).toBe(202);
      const context = JSON.parse(Buffer.from(res.body as Uint8Array).toString('utf8'));
      expect(context).toEqual({ requestId: 'abc-123', requestReceivedAt: '2026-11-05T23:59:30.000Z', async: true, asyncOutputLocation: 's3://async-out/20261105/abc-123' });
      expect(res.headers.location).toBe('s3://async-out/20261105/abc-123');
      expect(upstream.hits.length).toBe(before);
      expect(queue.queued).toHaveLength(1);
      const queued = queue.queued[0] as { request: QueuedRequest; context: ProcessingContext };
      // the caller's credentials are not kept in the queue
      expect(queued.request.headers.authorization).toBeUndefined();
      expect(Object.keys(queued.request.headers).sort()).toEqual(['host', 'prefer']);
      expect(queued.request.target).toBe('/api/users?limit=2');

      const done = await proxy.handler.exchange(requestFromQueue(queued.request, queued.context));
      expect(done.status).toBe(200);
      expect(upstream.hits.length).toBe(before + 1);
      expect(upstream.hits.at(-1)?.headers.authorization).toBe('Bearer source-token');
      const written = JSON.parse(output.text('20261105/abc-123'));
      expect(written.users[0].email).toMatch(/^t~.+@example\.com$/);
      expect(written.users[0].name).toBeUndefined();
      // processing again (a queue delivers at least once) queues nothing more
      expect(queue.queued).toHaveLength(1);
      // a queued request is never answered as a health check: its result is written
      output.objects.clear();
      const health = await proxy.handler.exchange(requestFromQueue({ ...queued.request, headers: { ...queued.request.headers, 'x-psoxy-health-check': 'true' } }, queued.context));
      expect(health.status).toBe(200);
      expect(output.objects.has('20261105/abc-123')).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('refuses to queue what the rules block, and says so when the queue fails', async () => {
    const { queue, proxy } = await asyncProxy();
    try {
      const blocked = await proxy.handler.exchange(request('/api/secrets'));
      expect(blocked.status).toBe(403);
      const badParam = await proxy.handler.exchange(request('/api/users?password=x'));
      expect(badParam.status).toBe(403);
      expect(queue.queued).toHaveLength(0);
      queue.failWith = new Error('AWS.SimpleQueueService.NonExistentQueue');
      const failed = await proxy.handler.exchange(request('/api/users'));
      expect(failed.status).toBe(500);
      expect(failed.headers['x-psoxy-error']).toBe('ASYNC_HANDLER_DISPATCH');
    } finally {
      await proxy.close();
    }
  });

  it('writes nowhere but the configured destination, whatever a queued message says', async () => {
    const setup = await asyncProxy();
    const { output, proxy } = setup;
    try {
      const { request: q, context } = await queued(setup, '/api/users');
      const before = upstream.hits.length;
      for (const tampered of [
        { ...context, asyncOutputLocation: 's3://attacker/20261105/abc-123' },
        { ...context, requestId: '../../x' },
        { ...context, requestReceivedAt: 'yesterday' },
      ]) {
        const res = await proxy.handler.exchange(requestFromQueue(q, tampered));
        expect(res.status).toBe(400);
      }
      expect(upstream.hits.length).toBe(before);
      expect(output.objects.size).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('fails the processing when the result cannot be written, or the source answers an error', async () => {
    const setup = await asyncProxy();
    const { output, proxy } = setup;
    try {
      const { request: q, context } = await queued(setup, '/api/users');
      output.failWith = new Error('SlowDown');
      expect((await proxy.handler.exchange(requestFromQueue(q, context))).status).toBe(500);
      output.failWith = undefined;
      const failing = await proxy.handler.exchange(requestFromQueue({ ...q, target: '/api/users?limit=500' }, context));
      expect(failing.status).toBe(500);
      expect(failing.headers['x-psoxy-error']).toBe('API_ERROR');
      expect(output.objects.size).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('with FOLLOW_REDIRECTS=false fetches the download a source points to, without its credentials, and sanitizes it', async () => {
    const setup = await asyncProxy({ followRedirects: false });
    const { output, proxy } = setup;
    try {
      const { request: q, context } = await queued(setup, '/api/files?date=2024-01-01');
      const done = await proxy.handler.exchange(requestFromQueue(q, context));
      expect(done.status).toBe(200);
      const written = JSON.parse(output.text('20261105/abc-123'));
      expect(written.user_id).toMatch(/^t~/);
      // the download host never saw the source's token
      expect(written.auth).toBeNull();
      expect(files.hits.at(-1)?.url).toBe('/download/abc?sig=1');

      // only http(s) locations (https in production)
      const elsewhere = await proxy.handler.exchange(requestFromQueue({ ...q, target: '/api/files?date=elsewhere' }, context));
      expect(elsewhere.status).toBe(502);
      expect(elsewhere.headers['x-psoxy-error']).toBe('API_ERROR');

      // a synchronous call still answers the redirect as the source's status
      const sync = await proxy.handler.exchange({ ...request('/api/files?date=2024-01-01'), headers: { host: 'proxy.example.com' } });
      expect(sync.status).toBe(302);
      expect(sync.headers.location).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('serves Prefer: respond-async synchronously when the deployment has no asynchronous mode', async () => {
    const proxy = await startProxy(upstream.url, RULES);
    try {
      const res = await proxy.handler.exchange(request('/api/users'));
      expect(res.status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});

describe('configuration of outputs', () => {
  const compose = (env: Record<string, string>, extra: Partial<Parameters<typeof composeProxy>[0]> = {}) =>
    composeProxy({
      env: { TARGET_HOST: 'api.example.com', RULES: RULES, ...env },
      secrets: new MemorySecretStore({ PSOXY_SALT: 'salt' }),
      lease: new InProcessLease(),
      http: nodeHttpClient(),
      log: silentLogger,
      ...extra,
    });

  it('refuses outputs a host cannot write, naming the setting', async () => {
    const e = await compose({ SIDE_OUTPUT_SANITIZED: 's3://b/' }).catch((x) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toMatch(/SIDE_OUTPUT_SANITIZED=s3:\/\/b\/ is set, but this host writes no outputs/);
    const bad = await compose({ SIDE_OUTPUT_ORIGINAL: 'gs://b/' }, { output: () => { throw new Error('not an s3:// URI'); } }).catch((x) => x);
    expect((bad as ConfigError).message).toMatch(/SIDE_OUTPUT_ORIGINAL=gs:\/\/b\/: not an s3:\/\/ URI/);
  });

  it('refuses an original side output that shares a place with sanitized outputs', async () => {
    const output = (uri: string) => new MemoryOutput(uri.endsWith('/') ? uri : `${uri}/`);
    for (const env of [
      { SIDE_OUTPUT_ORIGINAL: 's3://b/', SIDE_OUTPUT_SANITIZED: 's3://b/' } as Record<string, string>,
      { SIDE_OUTPUT_ORIGINAL: 's3://b/', SIDE_OUTPUT_SANITIZED: 's3://b/clean/' },
      { SIDE_OUTPUT_ORIGINAL: 's3://b/raw', ASYNC_OUTPUT_DESTINATION: 's3://b/' },
    ]) {
      const e = await compose(env, { output, asyncDispatcher: new MemoryQueue() }).catch((x) => x);
      expect((e as ConfigError).message, JSON.stringify(env)).toMatch(/SIDE_OUTPUT_ORIGINAL \(.*\) and (SIDE_OUTPUT_SANITIZED|ASYNC_OUTPUT_DESTINATION) \(.*\) overlap/);
    }
    const ok = await compose({ SIDE_OUTPUT_ORIGINAL: 's3://b/raw', SIDE_OUTPUT_SANITIZED: 's3://b/clean' }, { output });
    expect(ok.handler).toBeTypeOf('function');
  });

  it('reads a processing context whose time Java wrote as epoch seconds', () => {
    expect(parseProcessingContext('{"requestId":"r","requestReceivedAt":1762387170.5,"async":true}').requestReceivedAt).toBe('2025-11-05T23:59:30.500Z');
    expect(() => parseProcessingContext('{"requestId":"r","async":true}')).toThrow(/lacks/);
  });

  it('refuses the asynchronous mode without a queue', async () => {
    const e = await compose({ ASYNC_OUTPUT_DESTINATION: 's3://b/' }, { output: (uri) => new MemoryOutput(uri) }).catch((x) => x);
    expect((e as ConfigError).message).toMatch(/set ASYNC_API_REQUEST_QUEUE_URL/);
    const ok = await compose({ ASYNC_OUTPUT_DESTINATION: 's3://b/' }, { output: (uri) => new MemoryOutput(uri), asyncDispatcher: new MemoryQueue() });
    expect(ok.handler).toBeTypeOf('function');
  });
});

describe('local outputs (psoxy serve)', () => {
  it('writes each object whole under its folder, with its metadata beside it, and nothing outside it', async () => {
    const { mkdtempSync, readFileSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FolderOutput, localFolder } = await import('../../src/runtime/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'psoxy-folder-'));
    const out = new FolderOutput(dir);
    expect(out.uri).toBe(`file://${dir}/`);
    await out.write('20261105/req-1', new Uint8Array([1, 2, 3]), { contentType: 'application/json', contentEncoding: 'gzip', metadata: { PATH: 'a/b' } });
    expect([...readFileSync(join(dir, '20261105', 'req-1'))]).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(join(dir, '20261105', 'req-1.metadata.json'), 'utf8'))).toEqual({ contentType: 'application/json', contentEncoding: 'gzip', metadata: { PATH: 'a/b' } });
    // no temporary files left behind
    expect(readdirSync(join(dir, '20261105')).sort()).toEqual(['req-1', 'req-1.metadata.json']);
    await expect(out.write('../escape', new Uint8Array(), { contentType: 'x', contentEncoding: 'gzip', metadata: {} })).rejects.toThrow(/not a key under/);
    expect(localFolder(`file://${dir}`)).toBe(dir);
    expect(() => localFolder('gs://bucket/')).toThrow(/local folders/);
  });
});
