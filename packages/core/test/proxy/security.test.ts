import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../src/runtime/index.js';
import { json, pseudonymizer, rawHttp, startProxy, startUpstream } from './harness.js';

const RULES = `
allowedRequestHeaders: [X-Request-Id, X-HTTP-Method-Override, Authorization, X-Forwarded-Host]
endpoints:
  - pathTemplate: /api/users
    allowedMethods: [GET]
    allowedQueryParams: [limit, cursor]
    queryParamSchemas:
      limit: { type: integer }
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.users[*].email"]
      - !<redact>
        jsonPaths: ["$.users[*].name"]
  - pathTemplate: /api/users/{id}
    allowedMethods: [GET]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.email"]
  - pathTemplate: /api/files/{fileId}
    allowedMethods: [GET]
  - pathTemplate: /api/people/{personId}
    allowedMethods: [GET]
    pathParameterSchemas:
      personId: { format: reversible-pseudonym }
  - pathTemplate: /api/redirect/{kind}
    allowedMethods: [GET]
  - pathTemplate: /api/bad/{kind}
    allowedMethods: [GET]
`;

const USERS = { users: [{ email: 'alice@acme.com', name: 'Alice' }], next: 'c2' };
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let evil: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let smallProxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  evil = await startUpstream((_req, res) => json(res, 200, { stolen: true }));
  upstream = await startUpstream((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === '/api/users') return json(res, 200, USERS, { 'x-ratelimit-remaining': '42', etag: '"v1"' });
    if (path === '/api/users/gz') {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      return res.end(gzipSync(JSON.stringify({ email: 'bob@acme.com', note: 'gz' })));
    }
    if (path === '/api/users/gz-bomb') {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      return res.end(gzipSync(JSON.stringify({ email: 'bob@acme.com', pad: ' '.repeat(5_000_000) })));
    }
    if (path === '/api/users/latin1') {
      res.writeHead(200, { 'content-type': 'application/json; charset=ISO-8859-1' });
      return res.end(Buffer.from(JSON.stringify({ email: 'bob@acme.com', note: 'café' }), 'latin1'));
    }
    if (path === '/api/users/odd-charset') {
      res.writeHead(200, { 'content-type': 'application/json; charset=x-no-such-charset' });
      return res.end(JSON.stringify({ email: 'bob@acme.com' }));
    }
    if (path.startsWith('/api/users/')) return json(res, 200, { email: 'bob@acme.com' });
    if (path.startsWith('/api/files/') || path.startsWith('/api/people/')) return json(res, 200, { ok: true, path });
    if (path === '/api/redirect/other-host') {
      res.writeHead(302, { location: `${evil.url}/api/users` });
      return res.end();
    }
    if (path === '/api/redirect/same-allowed') {
      res.writeHead(301, { location: '/api/users?limit=1' });
      return res.end();
    }
    if (path === '/api/redirect/same-blocked') {
      res.writeHead(302, { location: '/api/admin' });
      return res.end();
    }
    if (path === '/api/bad/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html>alice@acme.com secret</html>');
    }
    if (path === '/api/bad/truncated') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"users":[{"email":"alice@acme.com"');
      setTimeout(() => res.destroy(), 20);
      return;
    }
    if (path === '/api/bad/slow') {
      setTimeout(() => json(res, 200, { late: 'alice@acme.com' }), 3000);
      return;
    }
    if (path === '/api/bad/huge') return json(res, 200, { blob: 'x'.repeat(200_000), email: 'alice@acme.com' });
    if (path === '/api/bad/error') return json(res, 429, { error: 'rate limited for alice@acme.com' }, { 'retry-after': '30', 'x-ratelimit-reset': '99' });
    json(res, 404, { error: 'not found' });
  });
  proxy = await startProxy(upstream.url, RULES, { secrets: new MemorySecretStore({ PSOXY_SALT: 'salt' }) });
  smallProxy = await startProxy(upstream.url, RULES, { timeoutMs: 300, maxResponseBytes: 50_000 });
});
afterAll(async () => {
  await proxy.close();
  await smallProxy.close();
  await upstream.close();
  await evil.close();
});

const hitsTo = (prefix: string) => upstream.hits.filter((h) => h.url.startsWith(prefix));

describe('what reaches the source is what the rules allowed', () => {
  it('sanitizes an allowed call', async () => {
    const res = await fetch(`${proxy.url}/api/users?limit=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { users: Array<Record<string, unknown>> };
    expect(body.users[0]?.email).toMatch(/^t~[\w-]{43}@acme\.com$/);
    expect(body.users[0]?.name).toBeUndefined();
    expect(res.headers.get('x-ratelimit-remaining')).toBe('42');
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(res.headers.get('x-psoxy-pii-salt-sha256')).toBe(pseudonymizer.saltFingerprint);
    // Psoxy's metadata headers, by Psoxy's names
    expect(res.headers.get('x-psoxy-rules-sha')).toMatch(/^[0-9a-f]{40}$/);
    expect(res.headers.get('x-psoxy-psoxy-version')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['/api/users/../admin', 'dot segments'],
    ['/api/users/./1', 'a single-dot segment'],
    ['/api/files/..%2F..%2Fadmin', 'encoded slashes with dots'],
    ['/api/files/%2e%2e', 'encoded dots'],
    ['/api/files/%252e%252e%252fadmin', 'double encoding'],
    ['/api/files/%25252e%25252e', 'triple encoding'],
    ['/api/files/a\\..\\admin', 'backslashes'],
  ])('refuses %s (%s) without calling the source', async (target) => {
    const before = upstream.hits.length;
    const r = await rawHttp(proxy.url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(r.head).toMatch(/x-psoxy-error: INVALID_REQUEST/i);
    expect(upstream.hits.length).toBe(before);
  });

  it('passes an encoded slash without dots through raw, as one segment', async () => {
    const r = await rawHttp(proxy.url, 'GET /api/files/group%2Fproject HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
    expect(hitsTo('/api/files/').at(-1)?.url).toBe('/api/files/group%2Fproject');
  });

  it('refuses absolute-form request targets and never contacts their host', async () => {
    const before = evil.hits.length;
    const r = await rawHttp(proxy.url, `GET ${evil.url}/api/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(evil.hits.length).toBe(before);
  });

  it('ignores Host and X-Forwarded-Host: the target comes from configuration only', async () => {
    const evilHost = new URL(evil.url).host;
    const r = await rawHttp(proxy.url, `GET /api/users HTTP/1.1\r\nHost: ${evilHost}\r\nX-Forwarded-Host: ${evilHost}\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(200);
    expect(evil.hits.length).toBe(0);
    const seen = hitsTo('/api/users').at(-1);
    expect(seen?.headers.host).toBe(new URL(upstream.url).host);
    expect(seen?.headers['x-forwarded-host']).toBeUndefined();
  });

  it('never forwards method-override headers or the caller Authorization, even when the rules list them', async () => {
    const res = await fetch(`${proxy.url}/api/users`, {
      headers: { 'X-HTTP-Method-Override': 'DELETE', Authorization: 'Bearer caller-token', 'X-Request-Id': 'r-1' },
    });
    expect(res.status).toBe(200);
    const seen = hitsTo('/api/users').at(-1);
    expect(seen?.method).toBe('GET');
    expect(seen?.headers['x-http-method-override']).toBeUndefined();
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['x-request-id']).toBe('r-1');
  });

  it('forwards only allowed headers', async () => {
    await fetch(`${proxy.url}/api/users`, { headers: { 'X-Secret': 'no', Cookie: 'session=1', 'X-Psoxy-Whatever': '1' } });
    const seen = hitsTo('/api/users').at(-1);
    expect(seen?.headers['x-secret']).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-psoxy-whatever']).toBeUndefined();
    expect(seen?.headers.accept).toBe('application/json');
  });

  it('blocks query parameters not allowed (403, no body) and unknown endpoints', async () => {
    const before = upstream.hits.length;
    const q = await fetch(`${proxy.url}/api/users?limit=1&email=alice@acme.com`);
    expect(q.status).toBe(403);
    expect(q.headers.get('x-psoxy-error')).toBe('BLOCKED_BY_RULES');
    expect(await q.text()).toBe('');
    expect((await fetch(`${proxy.url}/api/admin`)).status).toBe(403);
    expect(upstream.hits.length).toBe(before);
  });

  it('checks every value of a duplicated parameter, and forwards them as sent', async () => {
    expect((await fetch(`${proxy.url}/api/users?limit=1&limit=abc`)).status).toBe(403);
    expect((await fetch(`${proxy.url}/api/users?limit=1&limit=2`)).status).toBe(200);
    expect(hitsTo('/api/users').at(-1)?.url).toBe('/api/users?limit=1&limit=2');
  });

  it('answers 405 for a method the endpoint does not allow', async () => {
    const res = await fetch(`${proxy.url}/api/users`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-psoxy-error')).toBe('BLOCKED_BY_RULES');
  });

  it('refuses CR/LF, spaces and tabs in override headers and targets', async () => {
    const a = await rawHttp(proxy.url, 'GET /api/users HTTP/1.1\r\nHost: x\r\nX-Psoxy-TargetPath: /api/users\tx\r\nConnection: close\r\n\r\n');
    expect(a.status).toBe(400);
    const b = await rawHttp(proxy.url, 'GET /api/users HTTP/1.1\r\nHost: x\r\nX-Psoxy-TargetQuery: limit=1 and more\r\nConnection: close\r\n\r\n');
    expect(b.status).toBe(400);
    const c = await rawHttp(proxy.url, 'GET /api/users HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rb\r\nConnection: close\r\n\r\n');
    expect(c.status).toBe(400); // Node's parser refuses a bare CR in a header
    const d = await fetch(`${proxy.url}/api/users?limit=1%0d%0aX-Injected:%201`);
    expect(d.status).toBe(403); // encoded CRLF is a value, and not an integer
    // event hosts hand headers over unparsed: each override rule names itself
    const override = async (headers: Record<string, string>) => {
      const r = await proxy.handler.exchange({ method: 'GET', target: '/api/users', headers, body: null, origin: 'https://psoxy.example' });
      expect(r.status).toBe(400);
      return Buffer.from(r.body ?? []).toString();
    };
    expect(await override({ 'x-psoxy-targetpath': '/api/users\r\nx' })).toMatch(/X-Psoxy-TargetPath must not hold CR\/LF/);
    expect(await override({ 'x-psoxy-targetquery': 'q=caf\u00e9' })).toMatch(/X-Psoxy-TargetQuery must be printable ASCII/);
    expect(await override({ 'x-psoxy-targetpath': `/${'a'.repeat(4096)}` })).toMatch(/max length of 4096/);
  });

  it('refuses a line break, NUL or other character HTTP forbids in a forwarded header when no HTTP parser stood in front (event hosts), sending nothing', async () => {
    const before = upstream.hits.length;
    for (const bad of ['a\r\nX-Injected: 1', 'a\nb', 'a\u0000b', 'a\u007fb', 'caf\u00e9\u2028']) {
      const r = await proxy.handler.exchange({ method: 'GET', target: '/api/users?limit=1', headers: { 'x-request-id': bad }, body: null, origin: 'https://psoxy.example' });
      expect(r.status).toBe(400);
      expect(r.headers['x-psoxy-error']).toBe('INVALID_REQUEST');
    }
    expect(upstream.hits.length).toBe(before);
    const ok = await proxy.handler.exchange({ method: 'GET', target: '/api/users?limit=1', headers: { 'x-request-id': 'r-2' }, body: null, origin: 'https://psoxy.example' });
    expect(ok.status).toBe(200);
    expect(upstream.hits.at(-1)?.headers['x-request-id']).toBe('r-2');
  });

  it('refuses a body on GET', async () => {
    const r = await rawHttp(proxy.url, 'GET /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(r.status).toBe(400);
  });
});

describe('what comes back from the source', () => {
  it('does not follow a redirect to another host', async () => {
    const res = await fetch(`${proxy.url}/api/redirect/other-host`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-psoxy-error')).toBe('REDIRECT_NOT_FOLLOWED');
    expect(evil.hits.length).toBe(0);
  });

  it('follows a same-origin redirect only to an allowed endpoint, and sanitizes the result', async () => {
    const ok = await fetch(`${proxy.url}/api/redirect/same-allowed`);
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).not.toContain('alice@acme.com');
    const blocked = await fetch(`${proxy.url}/api/redirect/same-blocked`);
    expect(blocked.status).toBe(502);
  });

  it('X-Psoxy-Pseudonym-Implementation: v0.3 gets reversible pseudonyms in the JSON form (Psoxy\'s legacy callers); another value is refused', async () => {
    const reversible = await startProxy(
      upstream.url,
      'endpoints:\n  - pathTemplate: /api/users/{id}\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.email"]\n        includeReversible: true\n',
    );
    try {
      const current = (await (await fetch(`${reversible.url}/api/users/1`)).json()) as { email: string };
      expect(current.email).toMatch(/^p~[\w-]+@acme\.com$/);
      const legacy = await fetch(`${reversible.url}/api/users/1`, { headers: { 'x-psoxy-pseudonym-implementation': 'v0.3' } });
      const id = JSON.parse(((await legacy.json()) as { email: string }).email) as Record<string, string>;
      expect(id).toMatchObject({ domain: 'acme.com', reversible: current.email });
      expect(id.hash).toMatch(/^[\w-]{43}$/);
      const before = upstream.hits.length;
      const bad = await fetch(`${reversible.url}/api/users/1`, { headers: { 'x-psoxy-pseudonym-implementation': 'v9' } });
      expect(bad.status).toBe(400);
      expect(upstream.hits.length).toBe(before);
    } finally {
      await reversible.close();
    }
  });

  it('with FOLLOW_REDIRECTS=false answers a redirect as the source\'s status, without its Location or body', async () => {
    const noFollow = await startProxy(upstream.url, RULES, { followRedirects: false });
    try {
      const before = hitsTo('/api/users').length;
      const res = await fetch(`${noFollow.url}/api/redirect/other-host`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('x-psoxy-error')).toBe('API_ERROR');
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toBe('');
      const same = await fetch(`${noFollow.url}/api/redirect/same-allowed`, { redirect: 'manual' });
      expect(same.status).toBe(301);
      expect(hitsTo('/api/users').length).toBe(before);
      expect(evil.hits.length).toBe(0);
    } finally {
      await noFollow.close();
    }
  });

  it.each([
    ['html', 500, 'SANITIZATION_FAILED'],
    ['truncated', 502, 'CONNECTION_TO_SOURCE'],
  ])('fails closed on a %s body', async (kind, status, cause) => {
    const res = await fetch(`${proxy.url}/api/bad/${kind}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-psoxy-error')).toBe(cause);
    expect(await res.text()).not.toMatch(/alice|secret|users/);
  });

  it('times out a slow source (504) without its data', async () => {
    const res = await fetch(`${smallProxy.url}/api/bad/slow`);
    expect(res.status).toBe(504);
    expect(res.headers.get('x-psoxy-error')).toBe('SOURCE_API_READ_TIMEOUT');
  });

  it('refuses a response over the size limit', async () => {
    const res = await fetch(`${smallProxy.url}/api/bad/huge`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-psoxy-error')).toBe('RESPONSE_TOO_LARGE');
    expect(await res.text()).not.toContain('alice');
  });

  it('reads a body sent as application/gzip, within the size limit, and answers the sanitized JSON', async () => {
    const res = await fetch(`${proxy.url}/api/users/gz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { email: string; note: string };
    expect(body.email).toMatch(/^t~[\w-]{43}@acme\.com$/);
    expect(body.note).toBe('gz');
    const bomb = await fetch(`${smallProxy.url}/api/users/gz-bomb`);
    expect(bomb.status).toBe(500);
    expect(await bomb.text()).not.toContain('bob');
  });

  it('reads the charset the source names, and answers in UTF-8; an unknown charset is withheld', async () => {
    const res = await fetch(`${proxy.url}/api/users/latin1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { email: string; note: string };
    expect(body.email).toMatch(/^t~[\w-]{43}@acme\.com$/);
    expect(body.note).toBe('café');
    const odd = await fetch(`${proxy.url}/api/users/odd-charset`);
    expect(odd.status).toBe(500);
    expect(await odd.text()).not.toContain('bob');
  });

  it('passes an error status and rate-limit headers through, not the error body', async () => {
    const res = await fetch(`${proxy.url}/api/bad/error`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('x-ratelimit-reset')).toBe('99');
    expect(res.headers.get('x-psoxy-error')).toBe('API_ERROR');
    expect(await res.text()).toBe('');
  });

  it('gzips for a caller that accepts it', async () => {
    const r = await rawHttp(proxy.url, 'GET /api/bad/huge HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
    expect(r.head).toMatch(/content-encoding: gzip/i);
  });
});

describe('reversible pseudonyms in requests', () => {
  it('decrypts a p~ token for the source; the rules saw the token', async () => {
    const token = pseudonymizer.pseudonymToken('U123', { includeReversible: true });
    const res = await fetch(`${proxy.url}/api/people/${token}`);
    expect(res.status).toBe(200);
    expect(hitsTo('/api/people/').at(-1)?.url).toBe('/api/people/U123');
  });

  it('refuses a tampered token (409) without calling the source', async () => {
    const token = pseudonymizer.pseudonymToken('U123', { includeReversible: true }) as string;
    const tampered = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const before = upstream.hits.length;
    const res = await fetch(`${proxy.url}/api/people/${tampered}`);
    expect(res.status).toBe(409);
    expect(res.headers.get('x-psoxy-error')).toBe('TOKENIZED_REQUEST_PARAMETER_INVALID');
    expect(upstream.hits.length).toBe(before);
  });

  it('refuses a token whose plaintext would step out of the path', async () => {
    const token = pseudonymizer.pseudonymToken('../admin', { includeReversible: true });
    const before = upstream.hits.length;
    const res = await fetch(`${proxy.url}/api/people/${token}`);
    expect(res.status).toBe(400);
    expect(upstream.hits.length).toBe(before);
  });
});

describe('health check', () => {
  it('answers 200 with Psoxy fields in alphabetical order, then CRLF', async () => {
    const res = await fetch(`${proxy.url}/anything`, { headers: { 'X-Psoxy-Health-Check': '1' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
    // Psoxy's fields, all of them (clientIpAuthorized only with an allowlist, unknownProperties only when there are some)
    expect(keys).toEqual([
      'bundleFilename', 'callerIp', 'configPropertiesLastModified', 'configuredHost', 'configuredSource', 'javaSourceCodeVersion', 'missingConfigProperties',
      'nonDefaultSalt', 'pseudonymImplementation', 'pseudonymizeAppIds', 'rules', 'saltSha256Hash', 'sourceAuthGrantType', 'sourceAuthStrategy', 'userAgent', 'version', 'warningMessages',
    ]);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const health = JSON.parse(text);
    expect(health.saltSha256Hash).toBe(pseudonymizer.saltFingerprint);
    expect(health.rules).toMatch(/pathTemplate: \/api\/users\n/);
    expect(health.nonDefaultSalt).toBe(true);
    expect(health.userAgent).toMatch(/^psoxy-ts\//);
  });
});

describe('logs', () => {
  it('logs one line per request, without query values, bodies or secrets', async () => {
    const before = proxy.lines.length;
    await fetch(`${proxy.url}/api/users?limit=1&cursor=alice@acme.com`);
    const line = proxy.lines.slice(before).join('\n');
    expect(proxy.lines.length - before).toBe(1);
    expect(line).toMatch(/^GET \/api\/users 200 ms=\d+/);
    expect(line).not.toMatch(/alice|limit|salt/);
  });

  void gunzipSync;
});
