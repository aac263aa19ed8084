import * as functions from '@google-cloud/functions-framework';
import { zoom } from '@psoxy/connector-zoom';
import { type Logger, Pseudonymizer, silentLogger } from '@psoxy/core';
import { type FakeSecretManager, startFakeGcs, startFakeSecretManager, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointFromEnv } from '../src/google-api.js';
import { GcsObjectStore, LATEST_VERSION_LABEL, LOCK_LABEL, createGcpApiFunction, instanceNamespace, parseGsUri } from '../src/index.js';
import { serveRegistered } from './serve.js';

let sm: FakeSecretManager;
beforeAll(async () => {
  sm = await startFakeSecretManager();
  sm.put('psoxy_PSOXY_SALT', ['salt']);
  sm.put('psoxy_PSOXY_ENCRYPTION_KEY', ['secret']);
});
afterAll(() => sm.close());

const secretManager = () => ({ project: sm.project, endpoint: sm.url, accessToken: async () => sm.token });

describe('createGcpApiFunction (configuration as Psoxy deploys it)', () => {
  it('two instances share one Zoom token through Secret Manager, under the Secret Manager lease', async () => {
    for (const [k, v] of Object.entries({ CLIENT_ID: 'c', CLIENT_SECRET: 's', ACCOUNT_ID: 'a' })) sm.put(`PSOXY_ZOOM_${k}`, [v]);
    let issued = 0;
    const tokens = await startTokenEndpoint(async () => {
      await new Promise((r) => setTimeout(r, 100));
      issued++;
      return { body: { access_token: `zoom-${issued}`, token_type: 'bearer', expires_in: 3599 } };
    });
    const upstream = await startFakeUpstream([{ path: '/v2/users', body: { users: [{ id: 'u1', email: 'ada@acme.example', first_name: 'Ada' }] } }]);
    // as Cloud Run sets it: the service name, from which the instance namespace PSOXY_ZOOM_ follows
    const env = { K_SERVICE: 'psoxy-zoom', TARGET_HOST: upstream.url, REFRESH_ENDPOINT: tokens.tokenUrl };
    expect(instanceNamespace(env, zoom)).toBe('PSOXY_ZOOM_');
    functions.http('zoom-a', createGcpApiFunction({ connector: zoom, env, secretManager: secretManager(), allowInsecureTarget: true, log: silentLogger }));
    functions.http('zoom-b', createGcpApiFunction({ connector: zoom, env, secretManager: secretManager(), allowInsecureTarget: true, log: silentLogger }));
    const [a, b] = await Promise.all([serveRegistered('zoom-a'), serveRegistered('zoom-b')]);
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await fetch(`${(i % 2 ? a : b).url}${i % 4 < 2 ? '/psoxy-zoom' : ''}/v2/users?page_size=30`);
          return { status: res.status, body: (await res.json()) as { users: { email: string; first_name?: string }[] } };
        }),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(answers[0]?.body.users[0]?.email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(answers[0]?.body.users[0]?.first_name).toBeUndefined();
      expect(issued).toBe(1);
      expect(upstream.requests.every((r) => r.headers.authorization === 'Bearer zoom-1')).toBe(true);
      expect(JSON.parse(sm.value('PSOXY_ZOOM_ACCESS_TOKEN') ?? '{}').token).toBe('zoom-1');
      expect(sm.secrets.get('PSOXY_ZOOM_ACCESS_TOKEN')?.labels[LATEST_VERSION_LABEL]).toBe('1');
      const lock = sm.secrets.get('PSOXY_ZOOM_OAUTH_REFRESH_TOKEN');
      expect(lock).toBeDefined();
      expect(lock?.labels[LOCK_LABEL]).toBeUndefined();
      expect(sm.unauthenticated).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
      await tokens.close();
    }
  });

  it('answers 500 naming the configuration problems, and builds again on the next request', async () => {
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (msg, fields) => errors.push(`${msg}: ${fields?.reason}`) };
    const upstream = await startFakeUpstream([{ path: '/v1/things', body: { things: [{ owner: 'ada@acme.example' }] } }]);
    const env: Record<string, string | undefined> = { K_SERVICE: 'psoxy-custom', PATH_TO_INSTANCE_CONFIG: 'PSOXY_CUSTOM_' };
    functions.http('custom', createGcpApiFunction({ env, secretManager: secretManager(), allowInsecureTarget: true, log }));
    const server = await serveRegistered('custom');
    try {
      const res = await fetch(`${server.url}/v1/things`);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-psoxy-error')).toBe('CONFIGURATION_FAILURE');
      const body = (await res.json()) as { error: string; problems: string[] };
      expect(body.error).toBe('CONFIGURATION_FAILURE');
      expect(body.problems).toEqual(['no target: set TARGET_HOST (or serve a connector)']);
      expect(errors).toEqual([expect.stringMatching(/psoxy could not start: invalid configuration:.*\n.*no target/)]);
      // the health check fails as Psoxy's does (412, its fields), naming the problem
      const health = await fetch(`${server.url}/`, { headers: { 'x-psoxy-health-check': 'true' } });
      expect(health.status).toBe(412);
      expect(await health.json()).toMatchObject({ configuredSource: null, missingConfigProperties: [], warningMessages: ['no target: set TARGET_HOST (or serve a connector)'] });
      // configuration fixed (here, RULES written to the instance's secrets): the next request builds again
      env.TARGET_HOST = upstream.url;
      sm.put('PSOXY_CUSTOM_RULES', ['endpoints:\n  - pathTemplate: /v1/things\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$..owner"]\n']);
      env.RULES = sm.value('PSOXY_CUSTOM_RULES');
      const ok = await fetch(`${server.url}/psoxy-custom/v1/things`);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { things: { owner: string }[] }).things[0]?.owner).toMatch(/^t~/);
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  it('on Cloud Run (K_REVISION set), starts before the first request (secrets read); a failure then is answered by the request', async () => {
    const env = { K_SERVICE: 'psoxy-early', K_REVISION: 'psoxy-early-00001-abc', TARGET_HOST: 'https://api.example.com', RULES: 'endpoints: []\n' };
    const read = 'GET /v1/projects/test-project/secrets/psoxy_PSOXY_SALT/versions/latest:access';
    const from = sm.calls.length;
    createGcpApiFunction({ env, secretManager: secretManager(), log: silentLogger });
    await expect.poll(() => sm.calls.slice(from).includes(read)).toBe(true);
    // without K_REVISION (a local functions-framework), nothing is read until a request comes
    const later = sm.calls.length;
    createGcpApiFunction({ env: { ...env, K_SERVICE: 'psoxy-lazy', K_REVISION: undefined }, secretManager: secretManager(), log: silentLogger });
    await new Promise((r) => setTimeout(r, 100));
    expect(sm.calls.slice(later)).toEqual([]);
    functions.http('early-broken', createGcpApiFunction({ env: { ...env, PATH_TO_SHARED_CONFIG: 'nowhere_' }, secretManager: secretManager(), log: silentLogger }));
    const server = await serveRegistered('early-broken');
    try {
      const res = await fetch(`${server.url}/x`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { message: string }).message).toMatch(/PSOXY_SALT/);
    } finally {
      await server.close();
    }
  });

  it('writes Psoxy\'s side outputs to Cloud Storage, and refuses the asynchronous mode without its queue', async () => {
    const gcs = await startFakeGcs();
    const upstream = await startFakeUpstream([{ path: '/v1/things', body: { things: [{ owner: 'ada@acme.example' }] } }]);
    const rules = 'endpoints:\n  - pathTemplate: /v1/things\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$..owner"]\n';
    const env = { K_SERVICE: 'psoxy-side', TARGET_HOST: upstream.url, RULES: rules, SIDE_OUTPUT_ORIGINAL: 'gs://raw-out/things', SIDE_OUTPUT_SANITIZED: 'gs://clean-out' };
    const storage = new GcsObjectStore({ endpoint: gcs.url, accessToken: async () => gcs.token });
    functions.http('side', createGcpApiFunction({ env, secretManager: secretManager(), storage, allowInsecureTarget: true, log: silentLogger }));
    functions.http('side-async', createGcpApiFunction({ env: { ...env, ASYNC_OUTPUT_DESTINATION: 'gs://async-out/' }, secretManager: secretManager(), storage, allowInsecureTarget: true, log: silentLogger }));
    const [side, sideAsync] = await Promise.all([serveRegistered('side'), serveRegistered('side-async')]);
    try {
      const res = await fetch(`${side.url}/v1/things`);
      expect(res.status).toBe(200);
      const answered = await res.text();
      const names = [...gcs.objects.keys()].sort();
      expect(names).toHaveLength(2);
      const [clean, raw] = names as [string, string];
      expect(clean).toMatch(/^clean-out\/\d{8}\/[\w-]+$/);
      expect(raw).toMatch(/^raw-out\/things\/\d{8}\/[\w-]+$/);
      expect(gunzipSync(gcs.objects.get(clean)?.data ?? Buffer.alloc(0)).toString()).toBe(answered);
      expect(gcs.objects.get(clean)?.contentEncoding).toBe('gzip');
      expect(gcs.objects.get(clean)?.metadata).toMatchObject({ HTTP_METHOD: 'GET', PATH: 'v1/things' });
      expect(gunzipSync(gcs.objects.get(raw)?.data ?? Buffer.alloc(0)).toString()).toContain('ada@acme.example');

      const refused = await fetch(`${sideAsync.url}/v1/things`);
      expect(refused.status).toBe(500);
      expect(((await refused.json()) as { problems: string[] }).problems).toEqual([expect.stringMatching(/ASYNC_OUTPUT_DESTINATION is set, but there is no queue.*ASYNC_PUB_SUB_QUEUE on GCP/)]);
    } finally {
      await side.close();
      await sideAsync.close();
      await upstream.close();
      await gcs.close();
    }
    expect(parseGsUri('gs://bkt/a/b')).toEqual({ bucket: 'bkt', prefix: 'a/b/' });
    expect(() => parseGsUri('s3://bkt/')).toThrow(/expected a Cloud Storage URI/);
  });

  it('without the salt in any namespace, says which secret is missing and where it looked', async () => {
    functions.http('nosalt', createGcpApiFunction({ env: { K_SERVICE: 'psoxy-nosalt', PATH_TO_SHARED_CONFIG: 'other_', TARGET_HOST: 'https://api.example.com', RULES: 'endpoints: []\n' }, secretManager: secretManager(), log: silentLogger }));
    const server = await serveRegistered('nosalt');
    try {
      const res = await fetch(`${server.url}/x`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.message).toMatch(/PSOXY_SALT/);
      expect(body.message).toMatch(/Secret Manager secrets PSOXY_NOSALT_\* in project test-project, then Secret Manager secrets other_\*/);
    } finally {
      await server.close();
    }
  });

  it('finds Secret Manager at SECRET_MANAGER_ENDPOINT; plain http to another host is a configuration failure', async () => {
    const upstream = await startFakeUpstream([{ path: '/v1/things', body: { things: [{ owner: 'ada@acme.example' }] } }]);
    const rules = 'endpoints:\n  - pathTemplate: /v1/things\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$..owner"]\n';
    const env = { K_SERVICE: 'psoxy-emu', TARGET_HOST: upstream.url, RULES: rules };
    // the settings name the project and token, not where Secret Manager is: that comes from the environment
    const settings = { project: sm.project, accessToken: async () => sm.token };
    functions.http('emu', createGcpApiFunction({ env: { ...env, SECRET_MANAGER_ENDPOINT: `${sm.url}/` }, secretManager: settings, allowInsecureTarget: true, log: silentLogger }));
    functions.http('emu-remote', createGcpApiFunction({ env: { ...env, SECRET_MANAGER_ENDPOINT: 'http://secretmanager.example.com' }, secretManager: settings, allowInsecureTarget: true, log: silentLogger }));
    const [emu, remote] = await Promise.all([serveRegistered('emu'), serveRegistered('emu-remote')]);
    const from = sm.calls.length;
    try {
      const ok = await fetch(`${emu.url}/v1/things`);
      expect(ok.status).toBe(200);
      // the salt is only in the fake Secret Manager
      const salted = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' }).pseudonymToken('ada@acme.example');
      expect(((await ok.json()) as { things: { owner: string }[] }).things[0]?.owner).toBe(salted);
      expect(sm.calls.slice(from)).toContain('GET /v1/projects/test-project/secrets/psoxy_PSOXY_SALT/versions/latest:access');
      const refused = await fetch(`${remote.url}/v1/things`);
      expect(refused.status).toBe(500);
      const body = (await refused.json()) as { problems: string[] };
      expect(body.problems).toEqual(['SECRET_MANAGER_ENDPOINT may use plain http only to a loopback host (an emulator on this machine); use https:// for secretmanager.example.com']);
    } finally {
      await emu.close();
      await remote.close();
      await upstream.close();
    }
  });
});

describe('endpointFromEnv (emulator and test endpoints)', () => {
  const at = (value: string | undefined) => endpointFromEnv({ X: value }, 'X');
  it('takes https anywhere and plain http on loopback; no scheme means https', () => {
    expect(at(undefined)).toBeUndefined();
    expect(at('  ')).toBeUndefined();
    expect(at('https://emulator.example.com/base/')).toBe('https://emulator.example.com/base');
    expect(at('localhost:4443')).toBe('https://localhost:4443');
    for (const local of ['http://127.0.0.1:9199', 'http://localhost:9199/', 'http://[::1]:9199']) expect(at(local)).toBe(local.replace(/\/$/, ''));
  });
  it('refuses plain http to another host, other schemes, credentials, a query', () => {
    expect(() => at('http://10.0.0.7:9199')).toThrow(/X may use plain http only to a loopback host/);
    expect(() => at('http://127.0.0.1.example.com')).toThrow(/loopback/);
    expect(() => at('ftp://127.0.0.1')).toThrow(/X must be an https:\/\/ URL, not ftp:/);
    expect(() => at('https://user:pw@emulator.example.com')).toThrow(/without credentials/);
    expect(() => at('https://emulator.example.com/?k=v')).toThrow(/without credentials, query or fragment/);
    expect(() => at('https://')).toThrow(/X is not a URL/);
  });
});
