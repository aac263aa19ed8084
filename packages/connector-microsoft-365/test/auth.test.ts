import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@psoxy/core';
import { type TokenEndpoint, rsaKeyPair, startConnectorProxy, startFakeUpstream, startLoopback, startTokenEndpoint, verifyJwt } from '@psoxy/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { microsoftAuth, msftEntraId, outlookMail } from '../src/index.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const USERS = { value: [{ id: 'u1', displayName: 'Ada Lovelace', mail: 'ada@acme.example', userPrincipalName: 'ada@acme.example', jobTitle: 'CTO' }] };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function entraTokens(
  check: (form: URLSearchParams) => void = () => {},
  answer?: { status: number; body: Record<string, unknown> },
  expiresIn = 3599,
): Promise<TokenEndpoint & { issued: string[] }> {
  const issued: string[] = [];
  const t = await startTokenEndpoint((req) => {
    if (answer) return answer;
    if (req.form.get('grant_type') !== 'client_credentials') throw new Error(`grant_type ${req.form.get('grant_type')}`);
    if (req.form.get('client_id') !== CLIENT_ID) throw new Error(`client_id ${req.form.get('client_id')}`);
    if (req.form.get('scope') !== 'https://graph.microsoft.com/.default') throw new Error(`scope ${req.form.get('scope')}`);
    check(req.form);
    const token = `eyJ0.graph-token-${issued.length + 1}`;
    issued.push(token);
    return { body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
  });
  cleanup.push(() => t.close());
  return Object.assign(t, { issued });
}

async function serve(settings: Record<string, string>, secrets: Record<string, string>, routes = [{ path: '/v1.0/users', body: USERS }]) {
  const upstream = await startFakeUpstream(routes);
  const proxy = await startConnectorProxy({ connector: msftEntraId, target: upstream.url, config: { settings }, secrets });
  cleanup.push(
    () => upstream.close(),
    () => proxy.close(),
  );
  return { upstream, proxy };
}

describe('Entra ID client credentials (only the token request leaves the proxy)', () => {
  it('client secret: one token request, cached, sent as a bearer token; no discovery calls', async () => {
    const tokens = await entraTokens((f) => expect(f.get('client_secret')).toBe('s3cret'));
    const { upstream, proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' }, { CLIENT_SECRET: 's3cret' });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/v1.0/users`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toMatch(/Ada|ada@|CTO/);
    }
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests.map((r) => r.method)).toEqual(['POST']);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer eyJ0.graph-token-1'));
  });

  it('certificate: a client assertion signed with the key, x5t = the SHA-1 thumbprint, aud = the token endpoint', async () => {
    const { privateKey, publicKey } = rsaKeyPair();
    // any 40 hex digits name the certificate to Entra; ours is the SHA-1 of the public key
    const thumbprint = createHash('sha1').update(createPublicKey(publicKey).export({ type: 'spki', format: 'der' })).digest('hex');
    const seen: Record<string, unknown>[] = [];
    const tokens = await entraTokens((f) => {
      expect(f.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      const { header, claims } = verifyJwt(f.get('client_assertion') ?? '', publicKey);
      seen.push({ x5t: header.x5t, iss: claims.iss, sub: claims.sub, aud: claims.aud });
    });
    const { proxy } = await serve(
      { CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'jwt_assertion' },
      // as Azure prints it: colon-separated, upper case
      { PRIVATE_KEY: privateKey, PRIVATE_KEY_ID: thumbprint.replace(/(..)(?!$)/g, '$1:').toUpperCase() },
    );
    const res = await fetch(`${proxy.url}/v1.0/users`);
    expect(await res.text()).not.toMatch(/error/i);
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ x5t: Buffer.from(thumbprint, 'hex').toString('base64url'), iss: CLIENT_ID, sub: CLIENT_ID, aud: tokens.tokenUrl }]);
  });

  it('federated identity from a token file: the file content is the client assertion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psoxy-wif-'));
    writeFileSync(join(dir, 'token'), 'eyJhbGciOiJSUzI1NiJ9.federated.sig\n');
    const tokens = await entraTokens((f) => {
      expect(f.get('client_assertion')).toBe('eyJhbGciOiJSUzI1NiJ9.federated.sig');
      expect(f.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(f.get('client_secret')).toBeNull();
    });
    const { proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, FEDERATED_TOKEN_FILE: join(dir, 'token') }, {});
    expect((await fetch(`${proxy.url}/v1.0/users`)).status).toBe(200);
    expect(tokens.issued).toHaveLength(1);
  });

  it('federated identity from the GCP metadata server (Metadata-Flavor: Google, audience)', async () => {
    const seen: { flavor?: string; audience: string | null }[] = [];
    const metadata = await startLoopback((req, res) => {
      seen.push({ flavor: req.headers['metadata-flavor'], audience: req.query.get('audience') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('gcp-identity-token');
    });
    cleanup.push(() => metadata.close());
    const tokens = await entraTokens((f) => expect(f.get('client_assertion')).toBe('gcp-identity-token'));
    const { proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, GCE_METADATA_HOST: new URL(metadata.url).host }, {});
    expect((await fetch(`${proxy.url}/v1.0/users`)).status).toBe(200);
    expect(seen).toEqual([{ flavor: 'Google', audience: 'api://AzureADTokenExchange' }]);
  });

  it('federated identity from the host (aws-cognito): asked of the host, and explained when the host has none', async () => {
    const tokens = await entraTokens();
    const { proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, IDENTITY_POOL_ID: 'us-east-1:pool' }, {}, []);
    const res = await fetch(`${proxy.url}/v1.0/users`);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await res.text()).toMatch(/this host offers no workload identity: on AWS set IDENTITY_POOL_ID, IDENTITY_ID and DEVELOPER_NAME_ID/);
    expect(tokens.issued).toHaveLength(0);
  });

  it('gets a new token shortly before the cached one expires', async () => {
    const clock = { now: Date.now() };
    const tokens = await entraTokens();
    const upstream = await startFakeUpstream([{ path: '/v1.0/users', body: USERS }]);
    const proxy = await startConnectorProxy({
      connector: msftEntraId,
      target: upstream.url,
      config: { settings: { CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' } },
      secrets: { CLIENT_SECRET: 's' },
      clock: () => clock.now,
    });
    cleanup.push(
      () => upstream.close(),
      () => proxy.close(),
    );
    await fetch(`${proxy.url}/v1.0/users`);
    // the token lives 3599 s: 699 s before expiry it is still used, 9 s before it is renewed
    clock.now += 2900_000;
    await fetch(`${proxy.url}/v1.0/users`);
    clock.now += 690_000;
    await fetch(`${proxy.url}/v1.0/users`);
    expect(tokens.issued).toHaveLength(2);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer eyJ0.graph-token-1', 'Bearer eyJ0.graph-token-1', 'Bearer eyJ0.graph-token-2']);
  });

  it('explains a bad certificate thumbprint or key, and a missing secret', async () => {
    const tokens = await entraTokens();
    const settings = { CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'jwt_assertion' };
    const badThumb = await serve(settings, { PRIVATE_KEY: rsaKeyPair().privateKey, PRIVATE_KEY_ID: 'not-a-thumbprint' }, []);
    expect(await (await fetch(`${badThumb.proxy.url}/v1.0/users`)).text()).toMatch(/PRIVATE_KEY_ID must be the certificate SHA-1 thumbprint/);
    const badKey = await serve(settings, { PRIVATE_KEY: 'bm90IGEga2V5', PRIVATE_KEY_ID: 'a'.repeat(40) }, []);
    expect(await (await fetch(`${badKey.proxy.url}/v1.0/users`)).text()).toMatch(/PRIVATE_KEY must be the certificate's private key: PEM/);
    const missing = await serve({ ...settings, CREDENTIALS_FLOW: 'client_secret' }, {}, []);
    const res = await fetch(`${missing.proxy.url}/v1.0/users`);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/missing secret CLIENT_SECRET/);
    expect(tokens.requests).toHaveLength(0);
  });

  it('a 401 from Graph gets a fresh token and one retry', async () => {
    const tokens = await entraTokens();
    const { proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' }, { CLIENT_SECRET: 's' }, [
      { path: '/v1.0/users', status: 401, body: { error: { code: 'InvalidAuthenticationToken' } }, times: 1 } as never,
      { path: '/v1.0/users', body: USERS },
    ]);
    expect((await fetch(`${proxy.url}/v1.0/users`)).status).toBe(200);
    expect(tokens.issued).toHaveLength(2);
  });

  it('a refused client says "reconnect", with what to check', async () => {
    const tokens = await entraTokens(undefined, { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] } });
    const { upstream, proxy } = await serve({ CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' }, { CLIENT_SECRET: 'wrong' }, []);
    const res = await fetch(`${proxy.url}/v1.0/users`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-psoxy-error')).toBe('SOURCE_AUTH_RECONNECT_REQUIRED');
    expect(await res.text()).toMatch(/refused the client credentials of app aaaaaaaa-.*invalid_client|AADSTS7000215/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('reports every configuration problem at once', () => {
    expect(() => microsoftAuth({ settings: { CLIENT_ID, CREDENTIALS_FLOW: 'magic' }, pseudonymizeAppIds: false })).toThrow(ConfigError);
    try {
      microsoftAuth({ settings: { CLIENT_ID, CREDENTIALS_FLOW: 'magic' }, pseudonymizeAppIds: false });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'TENANT_ID is required (or a REFRESH_ENDPOINT of the form https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)',
        "CREDENTIALS_FLOW 'magic' is not one of federated, jwt_assertion, client_secret",
      ]);
    }
    expect(() => microsoftAuth({ settings: { CLIENT_ID, REFRESH_ENDPOINT: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` }, pseudonymizeAppIds: false })).not.toThrow();
    void outlookMail;
  });

  it("chooses the flow from Psoxy's GRANT_TYPE when CREDENTIALS_FLOW is not set", () => {
    const kind = (settings: Record<string, string>) => microsoftAuth({ settings: { CLIENT_ID, TENANT_ID: TENANT, ...settings }, pseudonymizeAppIds: false }).kind;
    expect(kind({})).toBe('entra-federated');
    expect(kind({ GRANT_TYPE: 'workload_identity_federation' })).toBe('entra-federated');
    // Psoxy's deprecated certificate deployments: client_credentials, the jwt_assertion flow by default
    expect(kind({ GRANT_TYPE: 'client_credentials' })).toBe('entra-certificate');
    expect(kind({ GRANT_TYPE: 'client_credentials', CREDENTIALS_FLOW: 'client_secret' })).toBe('entra-secret');
  });
});

describe('every Microsoft 365 connector serves with working auth', () => {
  it.each([
    ['msft-entra-id', '/v1.0/groups'],
    ['outlook-cal', `/v1.0/users/u1/events`],
    ['outlook-mail', `/v1.0/users/u1/mailFolders/SentItems/messages`],
    ['msft-teams', '/v1.0/teams'],
  ])('%s', async (id, path) => {
    const { connectors } = await import('../src/index.js');
    const connector = connectors.find((c) => c.id === id) as typeof msftEntraId;
    const tokens = await entraTokens();
    const upstream = await startFakeUpstream([{ path, body: { value: [] } }]);
    const proxy = await startConnectorProxy({
      connector,
      target: upstream.url,
      config: { settings: { CLIENT_ID, TENANT_ID: TENANT, REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' } },
      secrets: { CLIENT_SECRET: 's' },
    });
    cleanup.push(
      () => upstream.close(),
      () => proxy.close(),
    );
    expect((await fetch(`${proxy.url}${path}`)).status).toBe(200);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer eyJ0.graph-token-1');
  });
});
