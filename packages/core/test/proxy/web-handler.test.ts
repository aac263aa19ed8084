// The proxy as a Web-standard handler (`createProxy(...)` called with a `Request`), as an
// application embedding it calls it: the same pipeline as the hosts' plain-value `exchange`.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandler } from '../../src/proxy/index.js';
import { json, startUpstream, testProxy } from './harness.js';

const RULES = `
endpoints:
  - pathTemplate: /api/users
    allowedMethods: [GET]
    allowedQueryParams: [limit]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.users[*].email"]
  - pathTemplate: /api/search
    allowedMethods: [POST]
`;

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let handler: ProxyHandler;
beforeAll(async () => {
  upstream = await startUpstream((req, res, body) => {
    if ((req.url ?? '').startsWith('/api/users')) {
      const users = Array.from({ length: 50 }, (_, i) => ({ email: `user${i}@acme.com` }));
      return json(res, 200, { users }, { link: `<${upstream.url}/api/users?limit=2&page=2>; rel="next"` });
    }
    json(res, 200, { echo: body });
  });
  handler = testProxy(upstream.url, RULES, { maxRequestBytes: 64 });
});
afterAll(() => upstream.close());

describe('createProxy as a Web handler', () => {
  it('answers a Request with the sanitized Response, gzipped when asked, links pointing at the caller', async () => {
    const res = await handler(new Request('https://psoxy.example/api/users?limit=2', { headers: { 'accept-encoding': 'gzip' } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('link')).toBe('<https://psoxy.example/api/users?limit=2&page=2>; rel="next"');
    const body = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()) as { users: { email: string }[] };
    expect(body.users[0]?.email).toMatch(/^t~[\w-]{43}@acme\.com$/);
    expect(res.headers.get('x-psoxy-warning')).toBeNull();
    // not asked for gzip: told it could have been (Psoxy's warning on AWS)
    const plain = await handler(new Request('https://psoxy.example/api/users?limit=2'));
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('x-psoxy-warning')).toBe('compression-not-requested');
    // whatever its size: a short error answer too
    const blocked = await handler(new Request('https://psoxy.example/api/elsewhere'));
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-psoxy-warning')).toBe('compression-not-requested');
  });

  it('takes an empty query as none, as Psoxy builds the target (`/api/users?` matches `^/api/users$`)', async () => {
    const regexRules = testProxy(upstream.url, 'endpoints:\n  - pathRegex: "^/api/users$"\n');
    const res = await regexRules(new Request('https://psoxy.example/api/users?'));
    expect(res.status).toBe(200);
    expect(upstream.hits.at(-1)?.url).toBe('/api/users');
  });

  it('matches the raw target it is told of, not the URL the Request normalized', async () => {
    const res = await handler(new Request('https://psoxy.example/api/users?limit=1'), { rawTarget: '/api/%2e%2e/admin' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-psoxy-error')).toBe('INVALID_REQUEST');
  });

  it('passes a body within the limit on, and refuses one over it (413) without calling the source', async () => {
    const ok = await handler(new Request('https://psoxy.example/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":"ada"}' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ echo: '{"q":"ada"}' });
    const before = upstream.hits.length;
    const big = await handler(new Request('https://psoxy.example/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'x'.repeat(100) }) }));
    expect(big.status).toBe(413);
    expect(upstream.hits.length).toBe(before);
  });

  it('blocks with an empty body, and answers the health check', async () => {
    const blocked = await handler(new Request('https://psoxy.example/api/admin'));
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-psoxy-error')).toBe('BLOCKED_BY_RULES');
    expect(await blocked.text()).toBe('');
    const health = await handler(new Request('https://psoxy.example/', { headers: { 'x-psoxy-health-check': 'true' } }), { clientIp: '203.0.113.7' });
    expect(health.status).toBe(200);
    expect((await health.json()) as { callerIp: string }).toMatchObject({ callerIp: '203.0.113.7', configuredSource: 'test' });
  });
});
