import { msftEntraId } from '@psoxy/connector-microsoft-365';
import { type FakeSsm, type LoopbackServer, startFakeSsm, startFakeUpstream, startLoopback, startTokenEndpoint } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonClient, type HttpResultV2, cognitoDeveloperIdentity, createLambdaApiHandler } from '../src/index.js';
import { functionUrlGet } from './function-url.js';

/** Cognito identity pools on 127.0.0.1, speaking their JSON 1.1 protocol for GetOpenIdTokenForDeveloperIdentity. */
let cognito: LoopbackServer;
const asked: { target?: string; authorization?: string; body: Record<string, unknown> }[] = [];
let ssm: FakeSsm;
const credentials = { accessKeyId: 'AKIDLAMBDA', secretAccessKey: 's', sessionToken: 'session' };

beforeAll(async () => {
  cognito = await startLoopback((req, res) => {
    const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    asked.push({ target: req.headers['x-amz-target'], authorization: req.headers.authorization, body });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ IdentityId: body.IdentityId, Token: 'eyJraWQiOiJjb2duaXRv.cognito-openid-token.sig' }));
  });
  ssm = await startFakeSsm();
  ssm.put({ '/PSOXY_SALT': 'salt', '/PSOXY_ENCRYPTION_KEY': 'key' });
});
afterAll(async () => {
  await cognito.close();
  await ssm.close();
});

const env = {
  AWS_REGION: 'us-east-1',
  CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  TENANT_ID: '99999999-8888-7777-6666-555555555555',
  IDENTITY_POOL_ID: 'us-east-1:0a1b2c3d-pool',
  IDENTITY_ID: 'us-east-1:9f8e7d6c-identity',
  DEVELOPER_NAME_ID: 'psoxy-azure-access',
};

describe('Microsoft 365 on AWS: workload identity from a Cognito developer identity, as Psoxy', () => {
  it('asks Cognito for the token (signed, Psoxy login) and sends it to Entra ID as the client assertion; no secret anywhere', async () => {
    const tokens = await startTokenEndpoint((req) => {
      expect(req.form.get('client_assertion')).toBe('eyJraWQiOiJjb2duaXRv.cognito-openid-token.sig');
      expect(req.form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(req.form.get('client_id')).toBe(env.CLIENT_ID);
      expect(req.form.get('client_secret')).toBeNull();
      return { body: { token_type: 'Bearer', expires_in: 3599, access_token: 'graph-token' } };
    });
    const upstream = await startFakeUpstream([{ path: '/v1.0/users', body: { value: [{ id: 'u1', mail: 'ada@acme.example', displayName: 'Ada' }] } }]);
    try {
      const handler = createLambdaApiHandler({
        connector: msftEntraId,
        allowInsecureTarget: true,
        ssm: new AwsJsonClient({ service: 'ssm', endpoint: ssm.url, region: 'us-east-1', credentials }),
        cognito: new AwsJsonClient({ service: 'cognito-identity', endpoint: cognito.url, region: 'us-east-1', credentials }),
        env: { ...env, TARGET_HOST: upstream.url, REFRESH_ENDPOINT: tokens.tokenUrl.replace('/token', `/${env.TENANT_ID}/oauth2/v2.0/token`) },
      });
      const result = (await handler(functionUrlGet('/v1.0/users'))) as HttpResultV2;
      expect(result.statusCode, result.body).toBe(200);
      expect(JSON.parse(result.body).value[0].mail).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer graph-token');
      expect(asked).toHaveLength(1);
      expect(asked[0]?.target).toBe('AWSCognitoIdentityService.GetOpenIdTokenForDeveloperIdentity');
      expect(asked[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLAMBDA\/\d{8}\/us-east-1\/cognito-identity\/aws4_request, /);
      expect(asked[0]?.body).toEqual({ IdentityPoolId: env.IDENTITY_POOL_ID, IdentityId: env.IDENTITY_ID, Logins: { [env.DEVELOPER_NAME_ID]: env.CLIENT_ID } });
    } finally {
      await upstream.close();
      await tokens.close();
    }
  });

  it('names what is missing beside IDENTITY_POOL_ID, and offers nothing without it', () => {
    const client = new AwsJsonClient({ service: 'cognito-identity', endpoint: cognito.url, region: 'us-east-1', credentials });
    expect(cognitoDeveloperIdentity(client, { CLIENT_ID: 'c' })).toBeUndefined();
    expect(() => cognitoDeveloperIdentity(client, { IDENTITY_POOL_ID: 'p', CLIENT_ID: 'c' })).toThrow(/IDENTITY_ID is required with IDENTITY_POOL_ID[\s\S]*DEVELOPER_NAME_ID is required/);
  });
});
