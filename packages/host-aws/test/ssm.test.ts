import { gzipSync } from 'node:zlib';
import { type FakeSsm, startConnectorProxy, startFakeSsm, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import { zoom } from '@psoxy/connector-zoom';
import { nodeHttpClient } from '@psoxy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonClient, SsmLease, SsmParameterReader, SsmSecretStore } from '../src/index.js';
import { functionUrlGet } from './function-url.js';

let fake: FakeSsm;
let params: FakeSsm['params'];
let calls: string[];
let ssm: AwsJsonClient;

beforeAll(async () => {
  fake = await startFakeSsm();
  params = fake.params;
  calls = fake.calls;
  ssm = new AwsJsonClient({ service: 'ssm', endpoint: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  await fake.close();
});

describe('SSM Parameter Store secrets', () => {
  it('reads with Psoxy naming, caches, treats placeholders as missing, writes back', async () => {
    params.set('/PSOXY_ZOOM_CLIENT_ID', { value: 'zoom-client', type: 'SecureString', version: 1, modified: Date.now() });
    params.set('/PSOXY_ZOOM_ACCOUNT_ID', { value: 'fill me', type: 'String', version: 1, modified: Date.now() });
    const store = new SsmSecretStore(ssm, { prefix: '/PSOXY_ZOOM_' });
    expect((await store.get('CLIENT_ID'))?.value).toBe('zoom-client');
    expect(await store.get('ACCOUNT_ID')).toBeUndefined();
    expect(await store.get('NOPE')).toBeUndefined();
    const before = calls.length;
    await store.get('CLIENT_ID');
    expect(calls.length).toBe(before);
    await store.set('ACCESS_TOKEN', '{"token":"t","expirationDate":1}');
    expect(params.get('/PSOXY_ZOOM_ACCESS_TOKEN')).toMatchObject({ value: '{"token":"t","expirationDate":1}', type: 'SecureString' });
  });

  it('batches the reads of one turn into GetParameters calls of up to 10 names, across the stores that share a reader', async () => {
    fake.put({ '/B_INST_A': 'inst-a', '/B_SHARED_A': 'shared-a', '/B_SHARED_K': 'shared-k' });
    const reader = new SsmParameterReader(ssm);
    const inst = new SsmSecretStore(ssm, { prefix: '/B_INST_', reader });
    const shared = new SsmSecretStore(ssm, { prefix: '/B_SHARED_', reader });
    const names = 'ABCDEFGHIJK'.split('');
    const before = calls.length;
    const [fromInst, fromShared] = await Promise.all([Promise.all(names.map((n) => inst.get(n))), Promise.all(names.map((n) => shared.get(n)))]);
    const made = calls.slice(before);
    expect(made.every((c) => c.startsWith('GetParameters '))).toBe(true);
    expect(made.map((c) => c.split(',').length)).toEqual([10, 10, 2]);
    expect(fromInst.map((v) => v?.value)).toEqual(['inst-a', ...Array(10).fill(undefined)]);
    expect(fromShared[0]?.value).toBe('shared-a');
    expect(fromShared[10]?.value).toBe('shared-k');
    expect(fromShared[0]?.updatedAt).toBeGreaterThan(0);
    // cached: no call the second time
    await inst.get('A');
    expect(calls.length).toBe(before + 3);
  });

  it('a batch refused for one name is asked again name by name; a name the role may not read is absent (as Psoxy), logged once, then read alone', async () => {
    fake.put({ '/D_OK': 'ok', '/D_SECRET': 'not yours' });
    fake.denied.add('/D_SECRET');
    const lines: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => lines.push(m), error() {} };
    try {
      const store = new SsmSecretStore(ssm, { prefix: '/D_', cacheTtlMs: 0, log });
      const read = () => Promise.all([store.get('OK'), store.get('NONE'), store.get('SECRET')]);
      const before = calls.length;
      expect((await read()).map((v) => v?.value)).toEqual(['ok', undefined, undefined]);
      expect(calls.slice(before)).toEqual(['GetParameters /D_OK,/D_NONE,/D_SECRET', 'GetParameter /D_OK', 'GetParameter /D_NONE', 'GetParameter /D_SECRET']);
      // the refused name no longer spoils the batch of the others
      const again = calls.length;
      expect((await read()).map((v) => v?.value)).toEqual(['ok', undefined, undefined]);
      expect(calls.slice(again).sort()).toEqual(['GetParameter /D_SECRET', 'GetParameters /D_OK,/D_NONE']);
      expect(lines).toEqual(["SSM parameter /D_SECRET may not be read by this function's role (AccessDenied): treated as absent"]);
    } finally {
      fake.denied.clear();
    }
  });

  it('names parameters as Psoxy: the instance namespace defaults to the function name, a namespace path gets its leading /', async () => {
    const { awsSecrets } = await import('../src/secrets.js');
    fake.put({ '/ACME_GCAL_CLIENT_ID': 'from-function-name', '/psoxy/gcal/CLIENT_ID': 'from-path', '/psoxy/shared/PSOXY_SALT': 'shared-salt' });
    const http = nodeHttpClient();
    const byName = awsSecrets({ AWS_LAMBDA_FUNCTION_NAME: 'acme-gcal' }, undefined, { ssm, http });
    expect(byName.instance).toBe('/ACME_GCAL_');
    expect((await byName.secrets.get('CLIENT_ID'))?.value).toBe('from-function-name');
    const byPath = awsSecrets({ PATH_TO_INSTANCE_CONFIG: 'psoxy/gcal/', PATH_TO_SHARED_CONFIG: 'psoxy/shared/' }, undefined, { ssm, http });
    expect(byPath.instance).toBe('/psoxy/gcal/');
    expect((await byPath.secrets.get('CLIENT_ID'))?.value).toBe('from-path');
    expect((await byPath.secrets.get('PSOXY_SALT'))?.value).toBe('shared-salt');
  });

  it('leases by conditional write: one holder, released, stale locks taken over', async () => {
    let now = 1_000_000;
    const a = new SsmLease(ssm, '/PSOXY_JIRA_', () => now);
    const b = new SsmLease(ssm, '/PSOXY_JIRA_', () => now);
    const held = await a.tryAcquire('OAUTH_REFRESH_TOKEN', 60_000);
    expect(held).toBeDefined();
    expect(await b.tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)).toBeUndefined();
    await held?.release();
    const next = await b.tryAcquire('OAUTH_REFRESH_TOKEN', 60_000);
    expect(next).toBeDefined();
    now += 120_000;
    expect(await a.tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)).toBeDefined();
    expect(params.has('/PSOXY_JIRA_OAUTH_REFRESH_TOKEN_lock')).toBe(true);
  });

  it('two instances share one Zoom token through SSM under the SSM lease', async () => {
    for (const [k, v] of Object.entries({ CLIENT_ID: 'c', CLIENT_SECRET: 's', ACCOUNT_ID: 'a' })) params.set(`/PSOXY_ZOOM2_${k}`, { value: v, type: 'SecureString', version: 1, modified: Date.now() });
    let issued = 0;
    const tokens = await startTokenEndpoint(async () => {
      await new Promise((r) => setTimeout(r, 100));
      issued++;
      return { body: { access_token: `zoom-${issued}`, token_type: 'bearer', expires_in: 3599 } };
    });
    const upstream = await startFakeUpstream([{ path: '/v2/users', body: { users: [] } }]);
    const config = { settings: { REFRESH_ENDPOINT: tokens.tokenUrl } };
    const instance = () =>
      startConnectorProxy({ connector: zoom, target: upstream.url, secrets: new SsmSecretStore(ssm, { prefix: '/PSOXY_ZOOM2_', cacheTtlMs: 300_000 }), lease: new SsmLease(ssm, '/PSOXY_ZOOM2_'), config });
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? a : b).url}/v2/users`).then((r) => r.status)));
      expect(statuses).toEqual(Array(20).fill(200));
      expect(issued).toBe(1);
      expect(JSON.parse(params.get('/PSOXY_ZOOM2_ACCESS_TOKEN')?.value ?? '{}').token).toBe('zoom-1');
      expect(params.has('/PSOXY_ZOOM2_OAUTH_REFRESH_TOKEN_lock')).toBe(false);
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
      await tokens.close();
    }
  });
});

describe('the Lambda entry point for a connector', () => {
  it('builds the proxy from env and SSM (instance and shared prefixes) and serves a Function URL event', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    params.set('/PSOXY_SALT', { value: 'salt', type: 'SecureString', version: 1, modified: Date.now() });
    params.set('/PSOXY_ENCRYPTION_KEY', { value: 'secret', type: 'SecureString', version: 1, modified: Date.now() });
    for (const [k, v] of Object.entries({ CLIENT_ID: 'c', CLIENT_SECRET: 's', ACCOUNT_ID: 'a' })) params.set(`/PSOXY_ZOOM3_${k}`, { value: v, type: 'SecureString', version: 1, modified: Date.now() });
    const tokens = await startTokenEndpoint(() => ({ body: { access_token: 'zoom-lambda', token_type: 'bearer', expires_in: 3599 } }));
    const upstream = await startFakeUpstream([{ path: '/v2/users', body: { users: [{ id: 'u1', email: 'ada@acme.example', first_name: 'Ada' }] } }]);
    try {
      const handler = createLambdaApiHandler({
        connector: zoom,
        ssm,
        allowInsecureTarget: true,
        env: { PATH_TO_INSTANCE_CONFIG: '/PSOXY_ZOOM3_', PATH_TO_SHARED_CONFIG: '/', TARGET_HOST: upstream.url, REFRESH_ENDPOINT: tokens.tokenUrl, AWS_LAMBDA_FUNCTION_NAME: 'psoxy-zoom' },
      });
      const result = (await handler(functionUrlGet('/v2/users', 'page_size=30'))) as { statusCode: number; body: string };
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body);
      expect(body.users[0].email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(body.users[0].first_name).toBeUndefined();
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer zoom-lambda');
      expect(JSON.parse(params.get('/PSOXY_ZOOM3_ACCESS_TOKEN')?.value ?? '{}').token).toBe('zoom-lambda');
    } finally {
      await upstream.close();
      await tokens.close();
    }
  });

  it('starts when the role may read only the shared parameters it was granted (Psoxy grants them one by one)', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    fake.put({ '/GRANTED_PSOXY_SALT': 'salt' });
    for (const n of ['PSOXY_ENCRYPTION_KEY', 'SALT_EMAIL_DOMAINS', 'ENCRYPTION_KEY_EMAIL_DOMAINS', 'SALT_IP', 'ENCRYPTION_KEY_IP']) fake.denied.add(`/GRANTED_${n}`);
    const upstream = await startFakeUpstream([{ path: '/api/x', body: { email: 'ada@acme.example' } }]);
    try {
      const handler = createLambdaApiHandler({
        ssm,
        allowInsecureTarget: true,
        env: { PATH_TO_INSTANCE_CONFIG: '/GRANTED_INST_', PATH_TO_SHARED_CONFIG: '/GRANTED_', TARGET_HOST: upstream.url, RULES: 'endpoints:\n  - pathTemplate: /api/x\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.email"]\n' },
      });
      const r = (await handler(functionUrlGet('/api/x'))) as { statusCode: number; body: string };
      expect(r.statusCode, r.body).toBe(200);
      expect(JSON.parse(r.body).email).toMatch(/^t~[\w-]{43}@acme\.example$/);
    } finally {
      fake.denied.clear();
      await upstream.close();
    }
  });

  it('reads RULES from SSM when the environment has none (where Psoxy\'s Terraform puts long rules), in the same batch as the salt', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    const rules = 'endpoints:\n  - pathTemplate: /api/x\n    transforms:\n      - !<redact>\n        jsonPaths: ["$.secret"]\n';
    // base64 of gzip of the YAML, as Psoxy's Terraform writes a long rule set
    fake.put({ '/STORED_RULES': gzipSync(rules).toString('base64'), '/STORED_SHARED_PSOXY_SALT': 'salt' });
    const upstream = await startFakeUpstream([{ path: '/api/x', body: { secret: 's3cr3t', kept: 1 } }]);
    const before = calls.length;
    try {
      const handler = createLambdaApiHandler({ ssm, allowInsecureTarget: true, env: { PATH_TO_INSTANCE_CONFIG: '/STORED_', PATH_TO_SHARED_CONFIG: '/STORED_SHARED_', TARGET_HOST: upstream.url } });
      const r = (await handler(functionUrlGet('/api/x'))) as { statusCode: number; body: string };
      expect(r.statusCode, r.body).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ kept: 1 });
      expect(((await handler(functionUrlGet('/api/y'))) as { statusCode: number }).statusCode).toBe(403);
      // one turn's reads, salt and rules together: two GetParameters calls of up to 10 names, sent at once
      const made = calls.slice(before);
      expect(made.length).toBe(2);
      expect(made.every((c) => c.startsWith('GetParameters '))).toBe(true);
      expect(made.join(',').split(/[ ,]/)).toEqual(expect.arrayContaining(['/STORED_RULES', '/STORED_SHARED_PSOXY_SALT']));
    } finally {
      await upstream.close();
    }
  });

  it('answers 500 naming a missing salt while it cannot start, and starts once the salt is there', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    const upstream = await startFakeUpstream([{ path: '/api/x', body: { email: 'ada@acme.example' } }]);
    const event = functionUrlGet('/api/x');
    try {
      const handler = createLambdaApiHandler({
        ssm,
        allowInsecureTarget: true,
        env: { PATH_TO_INSTANCE_CONFIG: '/LATE_', PATH_TO_SHARED_CONFIG: '/LATE_SHARED_', TARGET_HOST: upstream.url, RULES: 'endpoints:\n  - pathTemplate: /api/x\n' },
      });
      const first = (await handler(event)) as { statusCode: number; body: string };
      expect(first.statusCode).toBe(500);
      expect(JSON.parse(first.body).problems[0]).toMatch(/PSOXY_SALT is not set \(looked in SSM parameters \/LATE_\*, then SSM parameters \/LATE_SHARED_\*/);
      // the health check fails as Psoxy's does: 412, the missing salt named
      const health = (await handler({ ...event, headers: { ...event.headers, 'x-psoxy-health-check': 'true' } })) as { statusCode: number; body: string };
      expect(health.statusCode).toBe(412);
      expect(JSON.parse(health.body)).toMatchObject({ callerIp: '203.0.113.7', missingConfigProperties: ['PSOXY_SALT'], nonDefaultSalt: false, saltSha256Hash: null });
      const keys = Object.keys(JSON.parse(health.body));
      expect(keys).toEqual([...keys].sort());
      params.set('/LATE_SHARED_PSOXY_SALT', { value: 'salt', type: 'SecureString', version: 1, modified: Date.now() });
      expect(((await handler(event)) as { statusCode: number }).statusCode).toBe(200);
    } finally {
      await upstream.close();
    }
  });

  it('in Lambda, starts during the init phase (secrets read before the first event); a failure there is answered by the event', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    params.set('/INIT_SHARED_PSOXY_SALT', { value: 'salt', type: 'SecureString', version: 1, modified: Date.now() });
    const env = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', PATH_TO_INSTANCE_CONFIG: '/INIT_', PATH_TO_SHARED_CONFIG: '/INIT_SHARED_', TARGET_HOST: 'api.example.com', RULES: 'endpoints:\n  - pathTemplate: /api/x\n' };
    const before = calls.length;
    createLambdaApiHandler({ ssm, env });
    // read batched with the others: GetParameters /INIT_PSOXY_SALT,/INIT_SHARED_PSOXY_SALT,...
    await expect.poll(() => calls.slice(before).some((c) => c.startsWith('GetParameters ') && c.split(/[ ,]/).includes('/INIT_SHARED_PSOXY_SALT'))).toBe(true);
    const broken = createLambdaApiHandler({ ssm, env: { ...env, PATH_TO_SHARED_CONFIG: '/NOWHERE_' } });
    const r = (await broken(functionUrlGet('/api/x'))) as { statusCode: number; body: string };
    expect(r.statusCode).toBe(500);
    expect(r.body).toMatch(/PSOXY_SALT is not set/);
  });
});
