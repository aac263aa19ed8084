import { createHash, createPublicKey } from 'node:crypto';
import { ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';
import { type AuthContext, InProcessLease, MemorySecretStore, fetchHttpClient, silentLogger } from '@psoxy/core';
import { rsaKeyPair, verifyJwt } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { type EntraCredential, GRAPH_SCOPE, entraClientCredentials } from '../src/index.js';

// Microsoft's own client library (MSAL) and ours, asked for the same token: the requests must agree.

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const TOKEN_ENDPOINT = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
const ANSWER = { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'eyJ0.graph' };
/** The OAuth fields of a client-credentials request (MSAL adds telemetry fields of its own). */
const OAUTH_FIELDS = ['client_id', 'scope', 'grant_type', 'client_secret', 'client_assertion_type', 'client_assertion'];

const oauthFields = (form: URLSearchParams) => Object.fromEntries(OAUTH_FIELDS.filter((k) => form.has(k)).map((k) => [k, form.get(k) as string]));

/** What MSAL posts, given the authority's metadata up front (so that it makes no discovery call). */
async function msalForm(auth: { clientSecret?: string; clientCertificate?: { thumbprint: string; privateKey: string }; clientAssertion?: string }): Promise<URLSearchParams> {
  const forms: URLSearchParams[] = [];
  const network: INetworkModule = {
    sendGetRequestAsync: async (url) => {
      throw new Error(`MSAL made a discovery call: ${url}`);
    },
    sendPostRequestAsync: async (_url, options) => {
      forms.push(new URLSearchParams(String(options?.body)));
      return { headers: {}, status: 200, body: ANSWER as never };
    },
  };
  const base = `https://login.microsoftonline.com/${TENANT}`;
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: CLIENT_ID,
      authority: base,
      ...auth,
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net'] }],
      }),
      authorityMetadata: JSON.stringify({
        token_endpoint: TOKEN_ENDPOINT,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      }),
    },
    system: { networkClient: network },
  });
  await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
  expect(forms).toHaveLength(1);
  return forms[0] as URLSearchParams;
}

/** What psoxy posts for the same credential. */
async function ourForm(credential: EntraCredential, secrets: Record<string, string>): Promise<URLSearchParams> {
  const forms: URLSearchParams[] = [];
  // the token endpoint's answer, as a fetch would give it
  const capture: typeof fetch = async (_url, init) => {
    forms.push(new URLSearchParams(String(init?.body)));
    return new Response(JSON.stringify(ANSWER), { headers: { 'content-type': 'application/json' } });
  };
  const ctx: AuthContext = { secrets: new MemorySecretStore(secrets), lease: new InProcessLease(), http: fetchHttpClient(capture), clock: Date.now, log: silentLogger };
  const auth = entraClientCredentials({ tenantId: TENANT, clientId: CLIENT_ID, credential, tokenEndpoint: TOKEN_ENDPOINT });
  const req = await auth.authorize({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/users', headers: {}, body: null }, ctx);
  expect(req.headers.authorization).toBe('Bearer eyJ0.graph');
  expect(forms).toHaveLength(1);
  return forms[0] as URLSearchParams;
}

describe("Entra ID token requests match Microsoft's client library (MSAL)", () => {
  it('client secret', async () => {
    const theirs = await msalForm({ clientSecret: 's3cret~value' });
    const ours = await ourForm({ kind: 'secret' }, { CLIENT_SECRET: 's3cret~value' });
    expect(oauthFields(ours)).toEqual(oauthFields(theirs));
    expect(oauthFields(ours)).toEqual({ client_id: CLIENT_ID, scope: GRAPH_SCOPE, grant_type: 'client_credentials', client_secret: 's3cret~value' });
  });

  it('certificate: the client assertion has the same header and claims', async () => {
    const { privateKey, publicKey } = rsaKeyPair();
    const thumbprint = createHash('sha1').update(createPublicKey(publicKey).export({ type: 'spki', format: 'der' })).digest('hex');
    const theirs = await msalForm({ clientCertificate: { thumbprint, privateKey } });
    const ours = await ourForm({ kind: 'certificate' }, { PRIVATE_KEY: privateKey, PRIVATE_KEY_ID: thumbprint });
    const { client_assertion: a, ...theirFields } = oauthFields(theirs);
    const { client_assertion: b, ...ourFields } = oauthFields(ours);
    expect(ourFields).toEqual(theirFields);
    const t = verifyJwt(a as string, publicKey);
    const o = verifyJwt(b as string, publicKey);
    expect(o.header).toEqual(t.header);
    // the same claims; the times and the random id differ from one assertion to the next
    // (MSAL reads the clock twice: its iat may be a second off its nbf)
    const shape = (c: Record<string, unknown>) => ({ ...c, jti: typeof c.jti, nbf: undefined, iat: Math.abs(Number(c.iat) - Number(c.nbf)) <= 1, exp: Number(c.exp) - Number(c.nbf) });
    expect(shape(o.claims)).toEqual(shape(t.claims));
    expect(Math.abs(Number(o.claims.nbf) - Number(t.claims.nbf))).toBeLessThanOrEqual(2);
    expect(o.claims.jti).not.toBe(t.claims.jti);
  });

  it('federated identity: the token is the client assertion', async () => {
    const theirs = await msalForm({ clientAssertion: 'eyJhbGciOiJSUzI1NiJ9.federated.sig' });
    const ours = await ourForm({ kind: 'federated', assertion: async () => 'eyJhbGciOiJSUzI1NiJ9.federated.sig\n' }, {});
    expect(oauthFields(ours)).toEqual(oauthFields(theirs));
  });
});
