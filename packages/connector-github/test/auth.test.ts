import { InProcessLease, MemorySecretStore, Pseudonymizer, nodeHttpClient, silentLogger } from '@psoxy/core';
import { type RecordedRequest, rsaKeyPair, startConnectorProxy, startFakeUpstream, startLoopback, verifyJwt } from '@psoxy/testkit';
import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { githubInstallationGrant } from '../src/auth.js';
import { github } from '../src/index.js';

const keys = rsaKeyPair();
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** GitHub's installation-token endpoint: checks the App JWT, answers 201 {token, expires_at}. */
async function githubApi(opts: { refuse?: number } = {}) {
  const seen: RecordedRequest[] = [];
  let issued = 0;
  const server = await startLoopback(async (req, res) => {
    seen.push(req);
    if (req.method !== 'POST' || req.path !== '/app/installations/4242/access_tokens') {
      res.writeHead(404).end('{}');
      return;
    }
    if (opts.refuse) {
      res.writeHead(opts.refuse, { 'content-type': 'application/json' }).end('{"message":"A JSON web token could not be decoded"}');
      return;
    }
    const jwt = (req.headers.authorization ?? '').replace(/^bearer /i, '');
    const { claims } = verifyJwt(jwt, keys.publicKey);
    expect(claims.iss).toBe('Iv1.app-client-id');
    await new Promise((r) => setTimeout(r, 50));
    issued++;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `ghs_installation${issued}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { members: 'read' } }));
  });
  cleanup.push(() => server.close());
  return { ...server, seen, issued: () => issued };
}

const secrets = () => new MemorySecretStore({ CLIENT_ID: 'Iv1.app-client-id', PRIVATE_KEY: Buffer.from(keys.privateKey).toString('base64') }, 'shared store');

describe('GitHub App installation tokens', () => {
  it('signs the App JWT, gets one installation token for two instances under load, and calls GitHub with it', async () => {
    const api = await githubApi();
    const upstream = await startFakeUpstream([{ path: '/orgs/acme/members', body: [{ login: 'ada', id: 1, avatar_url: 'https://a' }] }]);
    const store = secrets();
    const lease = new InProcessLease();
    const config = { settings: { REFRESH_ENDPOINT: `${api.url}/app/installations/4242/access_tokens` } };
    const a = await startConnectorProxy({ connector: github, target: upstream.url, secrets: store, lease, config });
    const b = await startConnectorProxy({ connector: github, target: upstream.url, secrets: store, lease, config });
    cleanup.push(
      () => upstream.close(),
      () => a.close(),
      () => b.close(),
    );
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => fetch(`${(i % 2 ? a : b).url}/orgs/acme/members`).then((r) => r.status)));
    expect(statuses).toEqual(Array(30).fill(200));
    expect(api.issued()).toBe(1);
    expect(new Set(upstream.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer ghs_installation1']));
  });

  it('a refused App says "reconnect", naming what to check', async () => {
    const api = await githubApi({ refuse: 401 });
    const upstream = await startFakeUpstream([]);
    const proxy = await startConnectorProxy({ connector: github, target: upstream.url, secrets: secrets(), config: { settings: { REFRESH_ENDPOINT: `${api.url}/app/installations/4242/access_tokens` } } });
    cleanup.push(
      () => upstream.close(),
      () => proxy.close(),
    );
    const res = await fetch(`${proxy.url}/orgs/acme/members`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-psoxy-error')).toBe('SOURCE_AUTH_RECONNECT_REQUIRED');
    expect(await res.text()).toMatch(/CLIENT_ID .*not the installation id/);
  });

  it("asks for the token as GitHub's own client (Octokit) does: the same request and App JWT", async () => {
    const api = await githubApi();
    const appAuth = createAppAuth({ appId: 'Iv1.app-client-id', privateKey: keys.privateKey, installationId: '4242', request: request.defaults({ baseUrl: api.url }) });
    await appAuth({ type: 'installation', refresh: true });
    const grant = githubInstallationGrant({ apiBaseUrl: api.url, installationId: '4242' });
    const ctx = { secrets: secrets(), lease: new InProcessLease(), http: nodeHttpClient(), clock: Date.now, log: silentLogger };
    const token = await grant(ctx, {});
    expect(token.accessToken).toBe('ghs_installation2');
    const [theirs, ours] = api.seen.map((r) => ({ ...r, jwt: verifyJwt((r.headers.authorization ?? '').replace(/^bearer /i, ''), keys.publicKey) }));
    expect([ours?.method, ours?.path]).toEqual([theirs?.method, theirs?.path]);
    // what each HTTP stack adds on its own (Octokit's runs on undici's fetch, ours on node:http) is not the request
    const transport = ['authorization', 'user-agent', 'host', 'connection', 'content-length', 'accept-encoding', 'accept-language', 'sec-fetch-mode'];
    const sent = (h: Record<string, string | undefined> = {}) => Object.fromEntries(Object.entries(h).filter(([k]) => !transport.includes(k)));
    expect(sent(ours?.headers)).toEqual(sent(theirs?.headers));
    expect(ours?.body).toBe(theirs?.body);
    expect(ours?.jwt.header).toEqual(theirs?.jwt.header);
    const { iat: ti, exp: te, ...tRest } = theirs?.jwt.claims ?? {};
    const { iat: oi, exp: oe, ...oRest } = ours?.jwt.claims ?? {};
    expect(oRest).toEqual(tRest);
    expect(Number(oe) - Number(oi)).toBe(Number(te) - Number(ti));
    expect(Math.abs(Number(oi) - Number(ti))).toBeLessThanOrEqual(2);
  });

  it("signs again once with GitHub's clock when GitHub says the JWT's times are off", async () => {
    const ahead = 3600_000; // GitHub's clock is an hour ahead of this machine's
    const iats: number[] = [];
    const server = await startLoopback(async (req, res) => {
      const jwt = (req.headers.authorization ?? '').replace(/^bearer /i, '');
      // the signature checked at the JWT's own time: one of the two is in this machine's future
      const issued = Number(JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()).iat);
      const { claims } = verifyJwt(jwt, keys.publicKey, issued * 1000);
      iats.push(Number(claims.iat));
      const githubNow = Date.now() + ahead;
      const date = new Date(githubNow).toUTCString();
      if (Number(claims.exp) * 1000 <= githubNow) {
        res.writeHead(401, { 'content-type': 'application/json', date });
        res.end(JSON.stringify({ message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', date });
      res.end(JSON.stringify({ token: 'ghs_skewed', expires_at: new Date(Date.now() + 3600_000).toISOString() }));
    });
    cleanup.push(() => server.close());
    const grant = githubInstallationGrant({ apiBaseUrl: server.url, installationId: '4242' });
    const ctx = { secrets: secrets(), lease: new InProcessLease(), http: nodeHttpClient(), clock: Date.now, log: silentLogger };
    expect((await grant(ctx, {})).accessToken).toBe('ghs_skewed');
    expect(iats).toHaveLength(2);
    // the second JWT was issued by GitHub's clock (30 s early, as the first by ours)
    expect(Math.abs((iats[1] as number) - (iats[0] as number) - ahead / 1000)).toBeLessThanOrEqual(2);
  });

  it('needs the installation: a clear configuration error', () => {
    expect(() => github.auth({ settings: {}, pseudonymizeAppIds: false })).toThrow(/GITHUB_INSTALLATION_ID is required/);
    expect(() => github.auth({ settings: { REFRESH_ENDPOINT: 'https://evil.example/x' }, pseudonymizeAppIds: false })).toThrow(/REFRESH_ENDPOINT must look like/);
  });
});

describe('@octokit/rest through the proxy', () => {
  it('paginates pulls by Link headers, and looks a member up by the reversible pseudonym of the login', async () => {
    const api = await githubApi();
    const pull = (n: number) => ({ number: n, title: `Secret project ${n}`, user: { login: 'ada', id: 7, avatar_url: 'https://a', type: 'User' }, assignees: [], requested_reviewers: [] });
    const upstream = await startFakeUpstream([
      { path: '/repos/acme/platform/pulls', query: { page: '2' }, body: [pull(3)] },
      { path: '/repos/acme/platform/pulls', body: [pull(1), pull(2)], headers: { link: '</repos/acme/platform/pulls?per_page=2&page=2>; rel="next"' } },
      { path: '/users/ada', body: { login: 'ada', id: 7, name: 'Ada Lovelace', company: 'Acme' } },
    ]);
    const proxy = await startConnectorProxy({ connector: github, target: upstream.url, secrets: secrets(), config: { settings: { REFRESH_ENDPOINT: `${api.url}/app/installations/4242/access_tokens` } } });
    cleanup.push(
      () => upstream.close(),
      () => proxy.close(),
    );
    const octokit = new Octokit({ baseUrl: proxy.url });
    const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: 'acme', repo: 'platform', per_page: 2 });
    expect(pulls.map((p) => p.number)).toEqual([1, 2, 3]);
    for (const p of pulls) {
      expect(p.title).toBeUndefined();
      expect(p.user?.login).toMatch(/^p~/);
      expect(String(p.user?.id)).toMatch(/^t~/);
    }
    const login = pulls[0]?.user?.login as string;
    expect(new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' }).reverse(login)).toBe('ada');
    const user = await octokit.rest.users.getByUsername({ username: login });
    expect(user.data.login).toBe(login);
    expect(user.data.name).toBeUndefined();
    await expect(octokit.rest.users.getByUsername({ username: 'ada' })).rejects.toMatchObject({ status: 403 });
    expect(upstream.requests.map((r) => r.target)).toContain('/users/ada');
  });
});

describe('GitHub Enterprise Server App user tokens', () => {
  it('refreshes with the rotating refresh token (stored before use) and calls the server under /api/v3', async () => {
    const { startTokenEndpoint } = await import('@psoxy/testkit');
    const { githubEnterpriseServer } = await import('../src/index.js');
    const tokens = await startTokenEndpoint((req) => {
      expect(req.headers.accept).toMatch(/application\/json/);
      expect(req.form.get('grant_type')).toBe('refresh_token');
      expect(req.form.get('refresh_token')).toBe('ghr_first');
      return { body: { access_token: 'ghu_fresh', expires_in: 28800, refresh_token: 'ghr_second', refresh_token_expires_in: 15724800, token_type: 'bearer', scope: '' } };
    });
    const upstream = await startFakeUpstream([{ path: '/api/v3/orgs/acme/members', body: [{ login: 'ada', id: 1 }] }]);
    const store = new MemorySecretStore({ CLIENT_ID: 'Iv1.ghes', CLIENT_SECRET: 'ghes-secret', REFRESH_TOKEN: 'ghr_first' });
    const proxy = await startConnectorProxy({
      connector: githubEnterpriseServer,
      target: upstream.url,
      secrets: store,
      config: { settings: { GITHUB_ENTERPRISE_SERVER_HOST: 'github.acme.example', REFRESH_ENDPOINT: tokens.tokenUrl } },
    });
    cleanup.push(
      () => tokens.close(),
      () => upstream.close(),
      () => proxy.close(),
    );
    const res = await fetch(`${proxy.url}/api/v3/orgs/acme/members`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { login: string }[])[0]?.login).toMatch(/^p~/);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer ghu_fresh');
    expect((await store.get('REFRESH_TOKEN'))?.value).toBe('ghr_second');
    expect(githubEnterpriseServer.target instanceof Function && githubEnterpriseServer.target({ settings: { GITHUB_ENTERPRISE_SERVER_HOST: 'github.acme.example' }, pseudonymizeAppIds: false })).toBe('https://github.acme.example');
  });
});
