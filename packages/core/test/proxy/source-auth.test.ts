// A function that serves no connector authenticates to its source from Psoxy's settings
// (SOURCE_AUTH_STRATEGY_IDENTIFIER, REFRESH_ENDPOINT, GRANT_TYPE...), as Psoxy's generic sources do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpClient } from '../../src/http/index.js';
import { ConfigError, composeProxy, sourceAuthFromEnv } from '../../src/proxy/index.js';
import { InProcessLease, MemorySecretStore, silentLogger } from '../../src/runtime/index.js';
import { json, startUpstream } from './harness.js';

const RULES = 'endpoints:\n  - pathTemplate: /api/things\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$..owner"]\n';

let source: Awaited<ReturnType<typeof startUpstream>>;
let tokens: Awaited<ReturnType<typeof startUpstream>>;
/** What the token endpoint answers next (a JSON body). */
let answer: Record<string, unknown> = {};

beforeAll(async () => {
  source = await startUpstream((_req, res) => json(res, 200, { things: [{ owner: 'ada@acme.example' }] }));
  tokens = await startUpstream((_req, res) => json(res, 200, answer));
});
afterAll(async () => {
  await source.close();
  await tokens.close();
});

/** Composes a connector-less proxy with these settings and secrets, calls it once, and says what the source and token endpoint saw. */
async function callThrough(env: Record<string, string>, secrets: MemorySecretStore) {
  const { handler } = await composeProxy({
    env: { RULES, TARGET_HOST: source.url, ...env },
    secrets,
    lease: new InProcessLease(),
    http: nodeHttpClient(),
    log: silentLogger,
    allowInsecureTarget: true,
  });
  const sourceBefore = source.hits.length;
  const tokensBefore = tokens.hits.length;
  const res = await handler.exchange({ method: 'GET', target: '/api/things', headers: {}, body: null, origin: 'https://psoxy.example' });
  return { status: res.status, body: Buffer.from(res.body ?? []).toString(), sourceHits: source.hits.slice(sourceBefore), tokenHits: tokens.hits.slice(tokensBefore) };
}

describe('SOURCE_AUTH_STRATEGY_IDENTIFIER without a connector', () => {
  it('oauth2_access_token: the ACCESS_TOKEN secret as a bearer token', async () => {
    const r = await callThrough({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_access_token' }, new MemorySecretStore({ PSOXY_SALT: 'salt', ACCESS_TOKEN: 'at-1' }));
    expect(r.status).toBe(200);
    expect(r.sourceHits[0]?.headers.authorization).toBe('Bearer at-1');
    expect(r.body).not.toContain('ada@');
  });

  it('basic_auth: BASIC_AUTH_USER_ID and BASIC_AUTH_PASSWORD', async () => {
    const r = await callThrough({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'basic_auth' }, new MemorySecretStore({ PSOXY_SALT: 'salt', BASIC_AUTH_USER_ID: 'u', BASIC_AUTH_PASSWORD: 'p' }));
    expect(r.sourceHits[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('oauth2_refresh_token (GRANT_TYPE refresh_token, the default): the grant Psoxy sends, and a rotated refresh token written back', async () => {
    answer = { access_token: 'from-refresh', token_type: 'bearer', expires_in: 3600, refresh_token: 'rt-2' };
    const secrets = new MemorySecretStore({ PSOXY_SALT: 'salt', CLIENT_ID: 'cid', CLIENT_SECRET: 'csecret', REFRESH_TOKEN: 'rt-1' });
    const r = await callThrough({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', REFRESH_ENDPOINT: `${tokens.url}/oauth/token` }, secrets);
    expect(r.status).toBe(200);
    expect(r.sourceHits[0]?.headers.authorization).toBe('Bearer from-refresh');
    const form = new URLSearchParams(r.tokenHits[0]?.body);
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'cid', client_secret: 'csecret' });
    expect(r.tokenHits[0]?.headers.accept).toBe('application/json');
    expect((await secrets.get('REFRESH_TOKEN'))?.value).toBe('rt-2');
    // not shared by default (Psoxy shares only for account_credentials)
    expect(await secrets.get('ACCESS_TOKEN')).toBeUndefined();
  });

  it('GRANT_TYPE=account_credentials: Basic client auth, the account id, the token shared through ACCESS_TOKEN', async () => {
    answer = { access_token: 'from-account', token_type: 'bearer', expires_in: 3599 };
    const secrets = new MemorySecretStore({ PSOXY_SALT: 'salt', CLIENT_ID: 'client', CLIENT_SECRET: 'secret', ACCOUNT_ID: 'acct' });
    const r = await callThrough({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', GRANT_TYPE: 'account_credentials', REFRESH_ENDPOINT: `${tokens.url}/oauth/token` }, secrets);
    expect(r.sourceHits[0]?.headers.authorization).toBe('Bearer from-account');
    // Psoxy's AccountCredentialsGrantTokenRequestBuilderTest: client:secret
    expect(r.tokenHits[0]?.headers.authorization).toBe('Basic Y2xpZW50OnNlY3JldA==');
    expect(Object.fromEntries(new URLSearchParams(r.tokenHits[0]?.body))).toEqual({ grant_type: 'account_credentials', account_id: 'acct' });
    expect(JSON.parse((await secrets.get('ACCESS_TOKEN'))?.value ?? '{}').token).toBe('from-account');
  });

  it('GRANT_TYPE=client_credentials with CREDENTIALS_FLOW=client_secret: the secret in the form, TOKEN_SCOPE, no expires_in needed', async () => {
    answer = { access_token: 'from-client', token_type: 'Bearer' };
    const secrets = new MemorySecretStore({ PSOXY_SALT: 'salt', CLIENT_ID: 'cid', CLIENT_SECRET: 'cs' });
    const r = await callThrough(
      { SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', GRANT_TYPE: 'client_credentials', CREDENTIALS_FLOW: 'client_secret', TOKEN_SCOPE: 'api', REFRESH_ENDPOINT: `${tokens.url}/token` },
      secrets,
    );
    expect(r.sourceHits[0]?.headers.authorization).toBe('Bearer from-client');
    expect(Object.fromEntries(new URLSearchParams(r.tokenHits[0]?.body))).toEqual({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'cs', scope: 'api' });
  });

  it('names what is missing or unsupported, and sends no credentials when none is configured', async () => {
    const problems = (env: Record<string, string>) => {
      try {
        sourceAuthFromEnv(env);
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
      }
    };
    expect(sourceAuthFromEnv({})).toBeUndefined();
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token' })).toEqual([expect.stringMatching(/^REFRESH_ENDPOINT is required/)]);
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', REFRESH_ENDPOINT: 'http://idp.example/token' })).toEqual([
      expect.stringMatching(/must be an https:\/\/ URL/),
    ]);
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', REFRESH_ENDPOINT: 'https://idp.example/token', GRANT_TYPE: 'client_credentials' })).toEqual([
      expect.stringMatching(/CREDENTIALS_FLOW=jwt_assertion.*Microsoft 365 connector.*CREDENTIALS_FLOW=client_secret/),
    ]);
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', REFRESH_ENDPOINT: 'https://api.github.com/app', GRANT_TYPE: 'certificate_credentials' })).toEqual([
      expect.stringMatching(/needs the github connector/),
    ]);
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'gcp_service_account_key' })).toEqual([expect.stringMatching(/Google Workspace connector/)]);
    expect(problems({ SOURCE_AUTH_STRATEGY_IDENTIFIER: 'magic' })).toEqual([expect.stringMatching(/magic is not one of oauth2_access_token/)]);
    const none = await callThrough({}, new MemorySecretStore({ PSOXY_SALT: 'salt' }));
    expect(none.sourceHits[0]?.headers.authorization).toBeUndefined();
  });

  it('the health check does not count the shared access token the proxy writes itself (a fresh deployment is healthy)', async () => {
    const { handler } = await composeProxy({
      env: { RULES, TARGET_HOST: source.url, SOURCE: 'custom', SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_refresh_token', GRANT_TYPE: 'account_credentials', REFRESH_ENDPOINT: `${tokens.url}/t` },
      secrets: new MemorySecretStore({ PSOXY_SALT: 'salt', CLIENT_ID: 'c', CLIENT_SECRET: 's', ACCOUNT_ID: 'a' }),
      lease: new InProcessLease(),
      http: nodeHttpClient(),
      log: silentLogger,
      allowInsecureTarget: true,
    });
    const health = await handler.exchange({ method: 'GET', target: '/', headers: { 'x-psoxy-health-check': '1' }, body: null, origin: 'https://psoxy.example' });
    expect(JSON.parse(Buffer.from(health.body ?? []).toString())).toMatchObject({ missingConfigProperties: [], sourceAuthStrategy: 'oauth2_refresh_token', sourceAuthGrantType: 'account_credentials' });
    expect(health.status).toBe(200);
  });

  it('the health check names a credential the store lacks (412)', async () => {
    const { handler } = await composeProxy({
      env: { RULES, TARGET_HOST: source.url, SOURCE: 'custom', SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_access_token' },
      secrets: new MemorySecretStore({ PSOXY_SALT: 'salt' }),
      lease: new InProcessLease(),
      http: nodeHttpClient(),
      log: silentLogger,
      allowInsecureTarget: true,
    });
    const health = await handler.exchange({ method: 'GET', target: '/', headers: { 'x-psoxy-health-check': '1' }, body: null, origin: 'https://psoxy.example' });
    expect(health.status).toBe(412);
    expect(JSON.parse(Buffer.from(health.body ?? []).toString())).toMatchObject({ missingConfigProperties: ['ACCESS_TOKEN'], sourceAuthStrategy: 'oauth2_access_token' });
  });
});
