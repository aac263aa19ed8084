import { Pseudonymizer } from '@psoxy/core';
import { type FakeUpstream, type TokenEndpoint, redirectingFetch, rsaKeyPair, startConnectorProxy, startFakeUpstream, startTokenEndpoint, verifyJwt } from '@psoxy/testkit';
import { JWT } from 'google-auth-library';
import { google } from 'googleapis';
import { afterEach, describe, expect, it } from 'vitest';
import { googleAssertion } from '../src/auth.js';
import { GOOGLE_TOKEN_URL, gcal, gdirectory, parseServiceAccountKey } from '../src/index.js';

const keys = rsaKeyPair();
const CLIENT_EMAIL = 'psoxy-gcal@acme-project.iam.gserviceaccount.com';
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function serviceAccountKey(tokenUri?: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'acme-project',
    private_key_id: 'a1b2c3d4e5',
    private_key: keys.privateKey,
    client_email: CLIENT_EMAIL,
    client_id: '104567890123456789012',
    ...(tokenUri ? { token_uri: tokenUri } : {}),
  });
}

interface Issued {
  sub: unknown;
  scope: unknown;
  token: string;
}

/** A Google token endpoint: checks the JWT grant like Google does, issues tokens per subject. */
async function googleTokenEndpoint(opts: { expiresIn?: number; refuse?: string; clock?: () => number } = {}): Promise<TokenEndpoint & { issued: Issued[] }> {
  const issued: Issued[] = [];
  const endpoint = await startTokenEndpoint((req) => {
    if (opts.refuse) return { status: 400, body: { error: opts.refuse, error_description: 'Not a valid email or user ID.' } };
    if (req.form.get('grant_type') !== GRANT) throw new Error(`grant_type ${req.form.get('grant_type')}`);
    const { header, claims } = verifyJwt(req.form.get('assertion') ?? '', keys.publicKey, opts.clock?.());
    if (claims.iss !== CLIENT_EMAIL) throw new Error(`iss ${String(claims.iss)}`);
    if (claims.aud !== GOOGLE_TOKEN_URL) throw new Error(`aud ${String(claims.aud)}`);
    if (header.kid !== undefined && header.kid !== 'a1b2c3d4e5') throw new Error(`kid ${String(header.kid)}`);
    const token = `ya29.token-${issued.length + 1}`;
    issued.push({ sub: claims.sub, scope: claims.scope, token });
    return { body: { access_token: token, expires_in: opts.expiresIn ?? 3599, token_type: 'Bearer' } };
  });
  return Object.assign(endpoint, { issued });
}

const EVENTS = { kind: 'calendar#events', summary: 'ada@acme.example', items: [{ id: 'e1', summary: 'Secret board meeting', organizer: { email: 'ada@acme.example', displayName: 'Ada' } }] };
const eventsRoute = (extra: Partial<Parameters<typeof startFakeUpstream>[0][number]> = {}) => ({ path: '/calendar/v3/calendars/primary/events', body: EVENTS, ...extra });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
async function setup(
  o: { routes?: Parameters<typeof startFakeUpstream>[0]; token?: Parameters<typeof googleTokenEndpoint>[0]; key?: (tokenUrl: string) => string; connector?: typeof gcal; settings?: Record<string, string>; clock?: () => number } = {},
) {
  const tokens = await googleTokenEndpoint({ ...o.token, ...(o.clock ? { clock: o.clock } : {}) });
  const upstream: FakeUpstream = await startFakeUpstream(o.routes ?? [eventsRoute()]);
  const proxy = await startConnectorProxy({
    connector: o.connector ?? gcal,
    target: upstream.url,
    secrets: { SERVICE_ACCOUNT_KEY: o.key ? o.key(tokens.tokenUrl) : serviceAccountKey(tokens.tokenUrl) },
    config: { settings: o.settings ?? {} },
    ...(o.clock ? { clock: o.clock } : {}),
  });
  cleanup.push(
    () => tokens.close(),
    () => upstream.close(),
    () => proxy.close(),
  );
  return { tokens, upstream, proxy };
}
const as = (user: string) => ({ headers: { 'x-psoxy-user-to-impersonate': user } });

describe('Google service account with domain-wide delegation', () => {
  it("makes the same assertion as Google's own client library (google-auth-library)", async () => {
    const forms: URLSearchParams[] = [];
    const capture: typeof fetch = async (_url, init) => {
      forms.push(new URLSearchParams(String(init?.body)));
      return new Response(JSON.stringify({ access_token: 'ya29.x', expires_in: 3599, token_type: 'Bearer' }), { headers: { 'content-type': 'application/json' } });
    };
    const key = parseServiceAccountKey(serviceAccountKey());
    const scopes = ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.group.readonly'];
    for (const subject of ['ada@acme.example', undefined]) {
      const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes, subject, transporterOptions: { fetchImplementation: capture } });
      await client.getAccessToken();
      const theirs = forms.pop() as URLSearchParams;
      const decode = (jwt: string) => verifyJwt(jwt, keys.publicKey);
      const a = decode(theirs.get('assertion') as string);
      const b = decode(googleAssertion(key, scopes, subject, Date.now()));
      expect(theirs.get('grant_type')).toBe(GRANT);
      expect(a.header.alg).toBe('RS256');
      // the key id too, as Google's Java library (Psoxy's) puts it in the header; Google accepts both
      expect(b.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'a1b2c3d4e5' });
      const { iat: ai, exp: ae, ...aRest } = a.claims;
      const { iat: bi, exp: be, ...bRest } = b.claims;
      expect(bRest).toEqual(aRest);
      expect(Number(be) - Number(bi)).toBe(Number(ae) - Number(ai));
      expect(Math.abs(Number(bi) - Number(ai))).toBeLessThanOrEqual(2);
    }
  });

  it('signs a JWT grant for the impersonated user with the connector scopes, and calls the source with the token', async () => {
    const { tokens, upstream, proxy } = await setup();
    const res = await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { summary?: string; organizer: { email: string; displayName?: string } }[] };
    expect(body.items[0]?.organizer.email).toMatch(/^t~[\w-]{43}@acme\.example$/);
    expect(JSON.stringify(body)).not.toMatch(/Secret board|ada@/);
    expect(tokens.issued).toEqual([{ sub: 'ada@acme.example', scope: 'https://www.googleapis.com/auth/calendar.readonly', token: 'ya29.token-1' }]);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer ya29.token-1');
    expect(upstream.requests[0]?.headers['x-psoxy-user-to-impersonate']).toBeUndefined();
  });

  it('caches a token per user, and impersonates a user named by a reversible pseudonym', async () => {
    const { tokens, upstream, proxy } = await setup();
    const p = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });
    const grace = p.pseudonymToken('grace@acme.example', { includeReversible: true }) as string;
    for (const user of ['ada@acme.example', 'ada@acme.example', grace, 'ada@acme.example']) {
      expect((await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as(user))).status).toBe(200);
    }
    expect(tokens.issued.map((i) => i.sub)).toEqual(['ada@acme.example', 'grace@acme.example']);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer ya29.token-1', 'Bearer ya29.token-1', 'Bearer ya29.token-2', 'Bearer ya29.token-1']);
  });

  it('gets a new token shortly before the old one expires', async () => {
    const clock = { now: Date.now() };
    const { tokens, proxy } = await setup({ clock: () => clock.now });
    const call = () => fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect((await call()).status).toBe(200);
    // the token lives 3599 s; 699 s before expiry it is still used
    clock.now += 2900_000;
    expect((await call()).status).toBe(200);
    expect(tokens.issued).toHaveLength(1);
    // 9 s before expiry: inside the window (1 to 10 minutes before) where it is renewed
    clock.now += 690_000;
    expect((await call()).status).toBe(200);
    expect(tokens.issued.map((i) => i.token)).toEqual(['ya29.token-1', 'ya29.token-2']);
  });

  it('retries once with a fresh token when the source answers 401', async () => {
    const { tokens, upstream, proxy } = await setup({ routes: [eventsRoute({ status: 401, body: { error: { code: 401 } }, times: 1 }), eventsRoute()] });
    const res = await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect(res.status).toBe(200);
    expect(tokens.issued).toHaveLength(2);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer ya29.token-1', 'Bearer ya29.token-2']);
  });

  it('impersonates the configured admin for admin APIs when the caller names no one', async () => {
    const { tokens, proxy } = await setup({
      connector: gdirectory,
      settings: { USER_TO_IMPERSONATE: 'svc-worklytics@acme.example' },
      routes: [{ path: '/admin/directory/v1/users', query: { customer: 'my_customer' }, body: { users: [{ primaryEmail: 'ada@acme.example', name: { fullName: 'Ada' } }] } }],
    });
    const res = await fetch(`${proxy.url}/admin/directory/v1/users?customer=my_customer`);
    expect(res.status).toBe(200);
    expect(tokens.issued[0]?.sub).toBe('svc-worklytics@acme.example');
    expect(String(tokens.issued[0]?.scope).split(' ')).toEqual([
      'https://www.googleapis.com/auth/admin.directory.user.readonly',
      'https://www.googleapis.com/auth/admin.directory.domain.readonly',
      'https://www.googleapis.com/auth/admin.directory.group.readonly',
      'https://www.googleapis.com/auth/admin.directory.orgunit.readonly',
    ]);
  });

  it('sends the grant to Google token URL through the proxy fetch (redirected here to a local endpoint)', async () => {
    const tokens = await googleTokenEndpoint();
    const upstream = await startFakeUpstream([eventsRoute()]);
    const proxy = await startConnectorProxy({
      connector: gcal,
      target: upstream.url,
      secrets: { SERVICE_ACCOUNT_KEY: Buffer.from(serviceAccountKey()).toString('base64') },
      fetch: redirectingFetch({ [GOOGLE_TOKEN_URL]: tokens.tokenUrl }),
    });
    cleanup.push(
      () => tokens.close(),
      () => upstream.close(),
      () => proxy.close(),
    );
    expect((await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'))).status).toBe(200);
    expect(tokens.issued).toHaveLength(1);
  });

  it('says "reconnect" with what to fix when Google refuses the grant', async () => {
    const { tokens, upstream, proxy } = await setup({ token: { refuse: 'invalid_grant' }, routes: [] });
    const res = await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('nobody@acme.example'));
    expect(res.status).toBe(502);
    expect(res.headers.get('x-psoxy-error')).toBe('SOURCE_AUTH_RECONNECT_REQUIRED');
    expect(await res.text()).toMatch(/refused the service account .*impersonating nobody@acme\.example \(invalid_grant: Not a valid email or user ID\.\).*domain-wide delegation to client id 104567890123456789012/);
    expect(upstream.requests).toHaveLength(0);
    // remembered for a while: more calls for that user do not hammer Google's token endpoint
    for (let i = 0; i < 3; i++) expect((await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('nobody@acme.example'))).status).toBe(502);
    expect(tokens.requests).toHaveLength(1);
  });

  it('explains a bad key, and a missing one', async () => {
    const bad = await setup({ key: () => '{"type":"service_account"}', routes: [] });
    const res = await fetch(`${bad.proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/SERVICE_ACCOUNT_KEY lacks client_email or private_key/);
    const notJson = await setup({ key: () => 'bm90IGEga2V5', routes: [] });
    expect(await (await fetch(`${notJson.proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'))).text()).toMatch(/neither a service-account key JSON nor base64/);
    const upstream = await startFakeUpstream([]);
    const missing = await startConnectorProxy({ connector: gcal, target: upstream.url, secrets: {} });
    cleanup.push(
      () => upstream.close(),
      () => missing.close(),
    );
    const m = await fetch(`${missing.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect(m.status).toBe(500);
    expect(await m.text()).toMatch(/missing secret SERVICE_ACCOUNT_KEY/);
  });

  it('refuses a token_uri that is neither https nor this machine', async () => {
    const { proxy } = await setup({ key: () => serviceAccountKey('http://tokens.example.com/token'), routes: [] });
    const res = await fetch(`${proxy.url}/calendar/v3/calendars/primary/events`, as('ada@acme.example'));
    expect(await res.text()).toMatch(/token_uri http:\/\/tokens\.example\.com\/token must be https/);
  });
});

describe('googleapis clients through the proxy', () => {
  it('calendar events and admin directory users, sanitized, with auth done by the proxy', async () => {
    const cal = await setup({
      routes: [
        { path: '/calendar/v3/calendars/primary/events', query: { maxResults: '1' }, body: { ...EVENTS, nextPageToken: 'page-2' } },
        { path: '/calendar/v3/calendars/primary/events', query: { pageToken: 'page-2' }, body: { kind: 'calendar#events', items: [{ id: 'e2', organizer: { email: 'grace@acme.example' } }] } },
      ],
    });
    const calendar = google.calendar({ version: 'v3', rootUrl: `${cal.proxy.url}/` });
    const headers = { 'X-Psoxy-User-To-Impersonate': 'ada@acme.example' };
    const first = await calendar.events.list({ calendarId: 'primary', maxResults: 1 }, { headers });
    // titles keep only conventional phrases (none here)
    expect(first.data.items?.[0]?.summary).toBe('');
    expect(first.data.items?.[0]?.organizer?.email).toMatch(/^t~/);
    const second = await calendar.events.list({ calendarId: 'primary', pageToken: first.data.nextPageToken ?? '' }, { headers });
    expect(second.data.items?.[0]?.organizer?.email).toMatch(/^t~[\w-]{43}@acme\.example$/);
    expect(cal.tokens.issued).toHaveLength(1);

    const dir = await setup({
      connector: gdirectory,
      settings: { USER_TO_IMPERSONATE: 'svc@acme.example' },
      routes: [{ path: '/admin/directory/v1/users', query: { customer: 'my_customer' }, body: { kind: 'admin#directory#users', users: [{ id: '1', primaryEmail: 'ada@acme.example', name: { fullName: 'Ada Lovelace' }, recoveryPhone: '+447700900123' }] } }],
    });
    const admin = google.admin({ version: 'directory_v1', rootUrl: `${dir.proxy.url}/` });
    const users = await admin.users.list({ customer: 'my_customer' });
    expect(users.data.users?.[0]?.primaryEmail).toMatch(/^t~[\w-]{43}@acme\.example$/);
    expect(users.data.users?.[0]?.name).toBeUndefined();
    expect(JSON.stringify(users.data)).not.toMatch(/Lovelace|\+4477/);
  });
});

describe('every Google Workspace connector serves with working auth', () => {
  it.each([
    ['gcal', '/calendar/v3/calendars/primary/events', 'https://www.googleapis.com/auth/calendar.readonly'],
    ['gdirectory', '/admin/directory/v1/users', 'https://www.googleapis.com/auth/admin.directory.user.readonly'],
    ['gdrive', '/drive/v3/files', 'https://www.googleapis.com/auth/drive.metadata.readonly'],
    ['gmail', '/gmail/v1/users/me/messages', 'https://www.googleapis.com/auth/gmail.metadata'],
    ['google-chat', '/admin/reports/v1/activity/users/all/applications/chat', 'https://www.googleapis.com/auth/admin.reports.audit.readonly'],
    ['google-meet', '/admin/reports/v1/activity/users/all/applications/meet', 'https://www.googleapis.com/auth/admin.reports.audit.readonly'],
  ])('%s', async (id, path, scope) => {
    const { connectors } = await import('../src/index.js');
    const connector = connectors.find((c) => c.id === id) as typeof gcal;
    const { tokens, upstream, proxy } = await setup({ connector, routes: [{ path, body: { items: [], kind: 'x' } }] });
    const res = await fetch(`${proxy.url}${path}`, as('ada@acme.example'));
    expect(res.status).toBe(200);
    expect(String(tokens.issued[0]?.scope).split(' ')).toContain(scope);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer ya29.token-1');
  });
});
