import { type LoopbackServer, startLoopback } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonClient, AwsServiceError, SecretsManagerStore } from '../src/index.js';
import { functionUrlGet } from './function-url.js';

/** Secrets Manager on 127.0.0.1, speaking its JSON 1.1 wire protocol (the two operations used). */
const secrets = new Map<string, string[]>();
let server: LoopbackServer;
let sm: AwsJsonClient;
const signatures: string[] = [];
beforeAll(async () => {
  server = await startLoopback((req, res) => {
    const op = (req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    signatures.push(req.headers.authorization ?? '');
    const body = JSON.parse(req.body || '{}') as { SecretId: string; SecretString?: string };
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    const versions = secrets.get(body.SecretId);
    if (op === 'GetSecretValue' && body.SecretId.startsWith('DENIED_')) {
      return send(400, { __type: 'AccessDeniedException', message: `not authorized to perform secretsmanager:GetSecretValue on ${body.SecretId}` });
    }
    if (op === 'GetSecretValue') {
      if (!versions) return send(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      return send(200, { ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${body.SecretId}`, Name: body.SecretId, SecretString: versions.at(-1), VersionId: `v${versions.length}`, CreatedDate: Date.now() / 1000 });
    }
    if (op === 'PutSecretValue') {
      if (!versions) return send(400, { __type: 'ResourceNotFoundException', message: 'not found' });
      versions.push(body.SecretString ?? '');
      return send(200, { Name: body.SecretId, VersionId: `v${versions.length}` });
    }
    send(400, { __type: 'InvalidRequestException', message: op });
  });
  sm = new AwsJsonClient({ service: 'secretsmanager', endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
});
afterAll(async () => {
  await server.close();
});

describe('Secrets Manager secrets', () => {
  it('reads by Psoxy name, treats missing and placeholders as absent, writes rotated tokens as new versions', async () => {
    secrets.set('PSOXY_JIRA_CLOUD_REFRESH_TOKEN', ['rt-0']);
    secrets.set('PSOXY_JIRA_CLOUD_CLIENT_ID', ['fill me']);
    const store = new SecretsManagerStore(sm, { prefix: 'PSOXY_JIRA_CLOUD_', cacheTtlMs: 0 });
    expect((await store.get('REFRESH_TOKEN'))?.value).toBe('rt-0');
    expect(await store.get('CLIENT_ID')).toBeUndefined();
    expect(await store.get('MISSING')).toBeUndefined();
    await store.set('REFRESH_TOKEN', 'rt-1');
    expect(secrets.get('PSOXY_JIRA_CLOUD_REFRESH_TOKEN')).toEqual(['rt-0', 'rt-1']);
    expect((await store.get('REFRESH_TOKEN'))?.value).toBe('rt-1');
    await expect(store.set('NOT_CREATED', 'x')).rejects.toThrow(/cannot write secret PSOXY_JIRA_CLOUD_NOT_CREATED/);
    // every call SigV4-signed for this service and region
    expect(signatures.every((a) => /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/secretsmanager\/aws4_request, SignedHeaders=\S*x-amz-target\S*, Signature=[0-9a-f]{64}$/.test(a))).toBe(true);
  });
});

describe('Secrets Manager secrets the role may not read', () => {
  it('are absent, as Psoxy treats them, and said so once in the log', async () => {
    secrets.set('DENIED_SALT', ['s']);
    const lines: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => lines.push(m), error() {} };
    const store = new SecretsManagerStore(sm, { prefix: 'DENIED_', cacheTtlMs: 0, log });
    expect(await store.get('SALT')).toBeUndefined();
    expect(await store.get('SALT')).toBeUndefined();
    expect(lines).toEqual(["secret DENIED_SALT may not be read by this function's role (AccessDenied): treated as absent"]);
  });
});

describe('AwsJsonClient', () => {
  it('retries throttling, names namespaced errors, refuses without credentials, honours AWS_ENDPOINT_URL_<SERVICE>', async () => {
    let calls = 0;
    const flaky = await startLoopback((req, res) => {
      calls++;
      const target = req.headers['x-amz-target'];
      if (target === 'AmazonSSM.GetParameter' && calls < 3) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.ssm#ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      if (target === 'AmazonSSM.DeleteParameter') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Parameter: { Value: 'v' } }));
    });
    try {
      const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_ENDPOINT_URL_SSM: flaky.url };
      const client = new AwsJsonClient({ service: 'ssm', env, attempts: 3 });
      expect(client.endpoint).toBe(flaky.url);
      expect(await client.call('GetParameter', { Name: 'x' })).toEqual({ Parameter: { Value: 'v' } });
      expect(calls).toBe(3);
      const err = await client.call('DeleteParameter', { Name: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AwsServiceError);
      expect((err as AwsServiceError).code).toBe('HTTP 502');
      expect(new AwsJsonClient({ service: 'secretsmanager', env: { AWS_REGION: 'eu-west-1' } }).endpoint).toBe('https://secretsmanager.eu-west-1.amazonaws.com');
      await expect(new AwsJsonClient({ service: 'ssm', env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: flaky.url } }).call('GetParameter', {})).rejects.toThrow(/no AWS credentials in the environment/);
      expect(() => new AwsJsonClient({ service: 'ssm', env: {} })).toThrow(/AWS_REGION is not set/);
    } finally {
      await flaky.close();
    }
  });
});

describe('createLambdaApiHandler with SECRETS_STORE', () => {
  it('reads the salt from Secrets Manager when asked, and refuses an unknown store', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    const { startFakeUpstream } = await import('@psoxy/testkit');
    secrets.set('PSOXY_SALT', ['salt']);
    const upstream = await startFakeUpstream([{ path: '/api/x', body: { email: 'ada@acme.example' } }]);
    const event = functionUrlGet('/api/x');
    const env = {
      AWS_REGION: 'us-east-1',
      SECRETS_STORE: 'aws_secrets_manager',
      PATH_TO_SHARED_CONFIG: '/',
      TARGET_HOST: upstream.url,
      RULES: 'endpoints:\n  - pathTemplate: /api/x\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: [$.email]\n',
    };
    try {
      const ok = (await createLambdaApiHandler({ env, secretsManager: sm, allowInsecureTarget: true })(event)) as { statusCode: number; body: string };
      expect(ok.statusCode).toBe(200);
      expect(JSON.parse(ok.body).email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      // a configuration problem is a 500 naming it (and the next event tries again), not a crash
      const bad = (await createLambdaApiHandler({ env: { ...env, SECRETS_STORE: 'vault' }, allowInsecureTarget: true })(event)) as { statusCode: number; headers: Record<string, string>; body: string };
      expect(bad.statusCode).toBe(500);
      expect(bad.headers['x-psoxy-error']).toBe('CONFIGURATION_FAILURE');
      expect(JSON.parse(bad.body).problems).toEqual([expect.stringMatching(/SECRETS_STORE 'vault' is not one of aws_ssm_parameter_store, aws_secrets_manager/)]);
    } finally {
      await upstream.close();
    }
  });

  it('reads RULES from SSM, where Psoxy keeps settings, even when the secrets are in Secrets Manager', async () => {
    const { createLambdaApiHandler } = await import('../src/index.js');
    const { startFakeSsm, startFakeUpstream } = await import('@psoxy/testkit');
    const { zoom } = await import('@psoxy/connector-zoom');
    const fakeSsm = await startFakeSsm();
    const ssm = new AwsJsonClient({ service: 'ssm', endpoint: fakeSsm.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    secrets.set('PSOXY_SALT', ['salt']);
    // narrower than the connector's default rules: only a user's meetings
    fakeSsm.put({ '/SMZ_RULES': 'endpoints:\n  - pathTemplate: /v2/users/{id}/meetings\n' });
    const upstream = await startFakeUpstream([]);
    const asked = signatures.length;
    try {
      const handler = createLambdaApiHandler({
        connector: zoom,
        ssm,
        secretsManager: sm,
        allowInsecureTarget: true,
        env: { AWS_REGION: 'us-east-1', SECRETS_STORE: 'aws_secrets_manager', PATH_TO_INSTANCE_CONFIG: '/SMZ_', PATH_TO_SHARED_CONFIG: '/', TARGET_HOST: upstream.url },
      });
      const r = (await handler(functionUrlGet('/v2/users'))) as { statusCode: number; body: string };
      // the stored rules apply: /v2/users, allowed by the connector's defaults, is blocked
      expect(r.statusCode, r.body).toBe(403);
      expect(upstream.requests).toHaveLength(0);
      expect(fakeSsm.calls.some((c) => c.split(/[ ,]/).includes('/SMZ_RULES'))).toBe(true);
      expect(signatures.length).toBeGreaterThan(asked);
    } finally {
      await upstream.close();
      await fakeSsm.close();
    }
  });
});
