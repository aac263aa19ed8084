import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  type AuthStrategy,
  ReconnectSourceError,
  TokenManager,
  bearerToken,
  basicAuth,
  jwtBearer,
  oauth2ClientCredentials,
  oauth2RefreshToken,
} from '../src/auth/index.js';
import { nodeHttpClient } from '../src/http/index.js';
import { FileSecretStore, InProcessLease, MemorySecretStore, MissingSecretError, ReadCache, type SecretStore, silentLogger } from '../src/runtime/index.js';
import { json, startProxy, startUpstream } from './proxy/harness.js';

type Server = Awaited<ReturnType<typeof startUpstream>>;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handle: Parameters<typeof startUpstream>[0]): Promise<Server> {
  const s = await startUpstream(handle);
  servers.push(s);
  return s;
}

function ctx(secrets: SecretStore, clock = { now: 1_700_000_000_000 }, lease = new InProcessLease(() => clock.now)): AuthContext & { clock: () => number } {
  return { secrets, lease, http: nodeHttpClient(), clock: () => clock.now, log: silentLogger };
}
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
const bearerOf = async (strategy: Pick<AuthStrategy, 'authorize'>, c: AuthContext) =>
  (await strategy.authorize({ method: 'GET', url: 'https://source.example/x', headers: {}, body: null }, c)).headers.authorization;

describe('static strategies', () => {
  it('read the secret at use time and name what is missing', async () => {
    const secrets = new MemorySecretStore({ ACCESS_TOKEN: 'tok-1', BASIC_AUTH_USER_ID: 'u', BASIC_AUTH_PASSWORD: 'p' }, 'test secrets');
    const c = ctx(secrets);
    expect(await bearerOf(bearerToken(), c)).toBe('Bearer tok-1');
    await secrets.set('ACCESS_TOKEN', 'tok-2');
    expect(await bearerOf(bearerToken(), c)).toBe('Bearer tok-2');
    expect(await bearerOf(basicAuth(), c)).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    await expect(bearerOf(bearerToken({ secret: 'NOPE' }), c)).rejects.toThrow(new MissingSecretError('NOPE', 'test secrets'));
  });
});

describe('OAuth 2.0 client credentials (Zoom account_credentials)', () => {
  it('sends the grant as the source expects, caches the token and refreshes it before expiry', async () => {
    let n = 0;
    const tokens = await server((_req, res) => json(res, 200, { access_token: `at-${++n}`, token_type: 'bearer', expires_in: 3600 }));
    const clock = { now: 1_700_000_000_000 };
    const c = ctx(new MemorySecretStore({ CLIENT_ID: 'client', CLIENT_SECRET: 'secret', ACCOUNT_ID: 'acct-9' }), clock);
    const zoom = oauth2ClientCredentials({
      name: 'zoom',
      tokenUrl: `${tokens.url}/oauth/token`,
      grantType: 'account_credentials',
      clientAuth: 'basic',
      secretParams: { account_id: 'ACCOUNT_ID' },
      random: () => 0.5,
    });
    expect(await bearerOf(zoom, c)).toBe('Bearer at-1');
    expect(await bearerOf(zoom, c)).toBe('Bearer at-1');
    expect(tokens.hits).toHaveLength(1);
    expect(tokens.hits[0]?.headers.authorization).toBe('Basic Y2xpZW50OnNlY3JldA==');
    expect(form(tokens.hits[0]?.body ?? '')).toEqual({ grant_type: 'account_credentials', account_id: 'acct-9' });
    clock.now += 3600_000 - 60_000; // within the refresh window
    expect(await bearerOf(zoom, c)).toBe('Bearer at-2');
    expect(tokens.hits).toHaveLength(2);
  });

  it('refreshes once for many concurrent requests', async () => {
    const tokens = await server((_req, res) => setTimeout(() => json(res, 200, { access_token: 'at', expires_in: 3600 }), 50));
    const c = ctx(new MemorySecretStore({ CLIENT_ID: 'c', CLIENT_SECRET: 's' }));
    const s = oauth2ClientCredentials({ name: 'x', tokenUrl: `${tokens.url}/t` });
    const all = await Promise.all(Array.from({ length: 50 }, () => bearerOf(s, c)));
    expect(new Set(all)).toEqual(new Set(['Bearer at']));
    expect(tokens.hits).toHaveLength(1);
  });

  it('turns a refused grant into "reconnect the source", without a retry storm', async () => {
    const tokens = await server((_req, res) => json(res, 400, { error: 'invalid_grant', error_description: 'token revoked' }));
    const clock = { now: 1_700_000_000_000 };
    const c = ctx(new MemorySecretStore({ CLIENT_ID: 'c', CLIENT_SECRET: 's' }), clock);
    const s = oauth2ClientCredentials({ name: 'zoom', tokenUrl: `${tokens.url}/t` });
    await expect(bearerOf(s, c)).rejects.toThrow(ReconnectSourceError);
    await expect(bearerOf(s, c)).rejects.toThrow(/reconnect the source/);
    for (let i = 0; i < 20; i++) await expect(bearerOf(s, c)).rejects.toThrow(ReconnectSourceError);
    expect(tokens.hits).toHaveLength(1);
    clock.now += 600_000; // later, it asks again
    await expect(bearerOf(s, c)).rejects.toThrow(ReconnectSourceError);
    expect(tokens.hits).toHaveLength(2);
  });

  it('remembers a refusal the grant explained itself (what the source admin must fix), without a retry storm', async () => {
    const clock = { now: 1_700_000_000_000 };
    const c = ctx(new MemorySecretStore({}), clock);
    let grants = 0;
    const m = new TokenManager({
      name: 'google',
      async grant() {
        grants++;
        throw new ReconnectSourceError('Google refused the service account: grant domain-wide delegation');
      },
    });
    for (let i = 0; i < 5; i++) await expect(m.getToken(c)).rejects.toThrow(/grant domain-wide delegation/);
    expect(grants).toBe(1);
    clock.now += 600_000;
    await expect(m.getToken(c)).rejects.toThrow(ReconnectSourceError);
    expect(grants).toBe(2);
  });

  it('reports a token endpoint failure clearly', async () => {
    const tokens = await server((_req, res) => json(res, 503, { error: 'temporarily_unavailable' }));
    const s = oauth2ClientCredentials({ name: 'x', tokenUrl: `${tokens.url}/t` });
    await expect(bearerOf(s, ctx(new MemorySecretStore({ CLIENT_ID: 'c', CLIENT_SECRET: 's' })))).rejects.toThrow(
      /token endpoint 127\.0\.0\.1:\d+ answered 503 \(temporarily_unavailable\)/,
    );
  });
});

describe('OAuth 2.0 refresh tokens that rotate', () => {
  function rotatingEndpoint() {
    let generation = 1;
    return server((_req, res, body) => {
      const f = form(body);
      if (f.refresh_token !== `rt-${generation}`) return json(res, 400, { error: 'invalid_grant', error_description: `stale refresh token ${f.refresh_token}` });
      generation++;
      setTimeout(() => json(res, 200, { access_token: `at-${generation}`, refresh_token: `rt-${generation}`, expires_in: 3600 }), 30);
    });
  }
  const secretsFile = (content: object) => {
    const file = join(mkdtempSync(join(tmpdir(), 'psoxy-secrets-')), 'secrets.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  };

  it('persists the rotated refresh token before the new access token is used', async () => {
    const tokens = await rotatingEndpoint();
    const file = secretsFile({ CLIENT_ID: 'c', CLIENT_SECRET: 's', REFRESH_TOKEN: 'rt-1' });
    const storedWhenUsed: string[] = [];
    const source = await server((req, res) => {
      storedWhenUsed.push(`${req.headers.authorization} ${JSON.parse(readFileSync(file, 'utf8')).REFRESH_TOKEN.value}`);
      json(res, 200, { ok: 1 });
    });
    const auth = oauth2RefreshToken({ name: 'jira', tokenUrl: `${tokens.url}/oauth/token` });
    const proxy = await startProxy(source.url, 'endpoints: [{pathTemplate: /x}]', { auth, secrets: new FileSecretStore(file) });
    try {
      expect((await fetch(`${proxy.url}/x`)).status).toBe(200);
    } finally {
      await proxy.close();
    }
    expect(storedWhenUsed).toEqual(['Bearer at-2 rt-2']);
    expect(form(tokens.hits[0]?.body ?? '')).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'c', client_secret: 's' });
    // a restarted instance starts from the rotated token
    const again = oauth2RefreshToken({ name: 'jira', tokenUrl: `${tokens.url}/oauth/token` });
    expect(await bearerOf(again, ctx(new FileSecretStore(file)))).toBe('Bearer at-3');
  });

  it('two instances sharing a store and a lease refresh exactly once for 50 concurrent requests', async () => {
    const tokens = await rotatingEndpoint();
    const file = secretsFile({ CLIENT_ID: 'c', CLIENT_SECRET: 's', REFRESH_TOKEN: 'rt-1' });
    const lease = new InProcessLease();
    const make = () => oauth2RefreshToken({ name: 'jira', tokenUrl: `${tokens.url}/t`, sharedTokenSecret: 'ACCESS_TOKEN' });
    const a = make();
    const b = make();
    const ca = { ...ctx(new FileSecretStore(file)), lease };
    const cb = { ...ctx(new FileSecretStore(file)), lease };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? bearerOf(a, ca) : bearerOf(b, cb))));
    expect(new Set(results)).toEqual(new Set(['Bearer at-2']));
    expect(tokens.hits).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).REFRESH_TOKEN.value).toBe('rt-2');
  });

  it('reads the refresh token past a caching store: another instance may just have rotated it', async () => {
    const tokens = await rotatingEndpoint();
    const file = secretsFile({ CLIENT_ID: 'c', CLIENT_SECRET: 's', REFRESH_TOKEN: 'rt-1' });
    // a cloud store's read cache (an hour here), in front of the shared store
    const cached = (): SecretStore => {
      const inner = new FileSecretStore(file);
      const cache = new ReadCache(3_600_000, Date.now);
      return {
        description: 'cached',
        get: (n, o) => cache.get(n, () => inner.get(n), o?.fresh),
        async set(n, v) {
          await inner.set(n, v);
          cache.wrote(n, v);
        },
      };
    };
    const storeB = cached();
    expect((await storeB.get('REFRESH_TOKEN'))?.value).toBe('rt-1');
    const a = oauth2RefreshToken({ name: 'jira', tokenUrl: `${tokens.url}/t` });
    expect(await bearerOf(a, ctx(cached()))).toBe('Bearer at-2');
    const b = oauth2RefreshToken({ name: 'jira', tokenUrl: `${tokens.url}/t` });
    expect(await bearerOf(b, ctx(storeB))).toBe('Bearer at-3');
    expect(JSON.parse(readFileSync(file, 'utf8')).REFRESH_TOKEN.value).toBe('rt-3');
  });

  it('a revoked refresh token gives the reconnect error through the proxy', async () => {
    const tokens = await server((_req, res) => json(res, 400, { error: 'invalid_grant' }));
    const source = await server((_req, res) => json(res, 200, {}));
    const auth = oauth2RefreshToken({ name: 'jira-cloud', tokenUrl: `${tokens.url}/t` });
    const proxy = await startProxy(source.url, 'endpoints: [{pathTemplate: /x}]', {
      auth,
      secrets: new MemorySecretStore({ PSOXY_SALT: 's', CLIENT_ID: 'c', CLIENT_SECRET: 's', REFRESH_TOKEN: 'revoked' }),
    });
    try {
      const res = await fetch(`${proxy.url}/x`);
      expect(res.status).toBe(502);
      expect(res.headers.get('x-psoxy-error')).toBe('SOURCE_AUTH_RECONNECT_REQUIRED');
      expect(await res.text()).toMatch(/reconnect the source and update REFRESH_TOKEN/);
      await fetch(`${proxy.url}/x`);
      expect(tokens.hits).toHaveLength(1);
      expect(source.hits).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('through the proxy', () => {
  it('retries once with a fresh token when the source answers 401', async () => {
    let n = 0;
    const tokens = await server((_req, res) => json(res, 200, { access_token: `at-${++n}`, expires_in: 3600 }));
    const source = await server((req, res) => (req.headers.authorization === 'Bearer at-1' ? json(res, 401, {}) : json(res, 200, { ok: true })));
    const auth = oauth2ClientCredentials({ name: 'x', tokenUrl: `${tokens.url}/t` });
    const proxy = await startProxy(source.url, 'endpoints: [{pathTemplate: /x}]', {
      auth,
      secrets: new MemorySecretStore({ PSOXY_SALT: 's', CLIENT_ID: 'c', CLIENT_SECRET: 's' }),
    });
    try {
      expect((await fetch(`${proxy.url}/x`)).status).toBe(200);
      expect(source.hits.map((h) => h.headers.authorization)).toEqual(['Bearer at-1', 'Bearer at-2']);
    } finally {
      await proxy.close();
    }
  });

  it('says which secret is missing, and the health check names it (412)', async () => {
    const source = await server((_req, res) => json(res, 200, {}));
    const proxy = await startProxy(source.url, 'endpoints: [{pathTemplate: /x}]', { auth: bearerToken(), secrets: new MemorySecretStore({ PSOXY_SALT: 's' }, 'test secrets') });
    try {
      const res = await fetch(`${proxy.url}/x`);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-psoxy-error')).toBe('CONNECTION_SETUP');
      expect(await res.text()).toMatch(/missing secret ACCESS_TOKEN: set it in test secrets/);
      const health = await fetch(`${proxy.url}/`, { headers: { 'x-psoxy-health-check': '1' } });
      expect(health.status).toBe(412);
      expect(((await health.json()) as { missingConfigProperties: string[] }).missingConfigProperties).toEqual(['ACCESS_TOKEN']);
    } finally {
      await proxy.close();
    }
  });
});

describe('JWT bearer assertion (service accounts)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  it.each([
    ['PEM', pem],
    ['PKCS#1 PEM', pkcs1],
    ['PEM with its line breaks written as \\n', pem.replace(/\n/g, '\\n')],
    ['base64 of the PEM', Buffer.from(pem).toString('base64')],
    ['base64 of the PEM, with surrounding blanks', `  ${Buffer.from(pkcs1).toString('base64')}\n`],
  ])('signs an RS256 assertion the token endpoint can verify, with the claims asked for (key as %s)', async (_form, storedKey) => {
    let claims: Record<string, unknown> = {};
    const tokens = await server((_req, res, body) => {
      const f = form(body);
      const [h, p, sig] = (f.assertion ?? '').split('.');
      const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKey, Buffer.from(sig ?? '', 'base64url'));
      if (f.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !ok) return json(res, 400, { error: 'invalid_grant' });
      claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
      json(res, 200, { access_token: 'ya29.x', expires_in: 3599 });
    });
    const clock = { now: 1_700_000_000_000 };
    const c = { ...ctx(new MemorySecretStore({ PRIVATE_KEY: storedKey }), clock), impersonate: 'admin@acme.com' };
    const s = jwtBearer({
      name: 'gcal',
      tokenUrl: `${tokens.url}/token`,
      claims: async (x) => ({ iss: 'sa@project.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/calendar.readonly', sub: x.impersonate }),
    });
    expect(await bearerOf(s, c)).toBe('Bearer ya29.x');
    expect(claims).toMatchObject({
      iss: 'sa@project.iam.gserviceaccount.com',
      sub: 'admin@acme.com',
      aud: `${tokens.url}/token`,
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
  });

  it('explains a key that is neither PEM nor base64 of one, and one that is not RSA', async () => {
    const s = jwtBearer({ name: 'gcal', tokenUrl: 'https://127.0.0.1:9/token', claims: async () => ({}) });
    await expect(bearerOf(s, ctx(new MemorySecretStore({ PRIVATE_KEY: 'not a key' })))).rejects.toThrow(
      'PRIVATE_KEY must be a private key: PEM (-----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY), or base64 of it',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const fresh = jwtBearer({ name: 'gcal', tokenUrl: 'https://127.0.0.1:9/token', claims: async () => ({}) });
    await expect(bearerOf(fresh, ctx(new MemorySecretStore({ PRIVATE_KEY: ec })))).rejects.toThrow(/expected an RSA key in PEM/);
  });
});

describe('token manager details', () => {
  it('never refreshes more than half a short token lifetime early', async () => {
    let n = 0;
    const clock = { now: 0 };
    const m = new TokenManager({ name: 't', grant: async () => ({ accessToken: `t${++n}`, expiresAt: clock.now + 60_000 }) });
    const c = ctx(new MemorySecretStore({}), clock);
    expect(await m.getToken(c)).toBe('t1');
    clock.now += 29_000;
    expect(await m.getToken(c)).toBe('t1');
    clock.now += 2_000;
    expect(await m.getToken(c)).toBe('t2');
  });
});
