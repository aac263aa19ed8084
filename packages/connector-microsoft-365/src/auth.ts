import { readFile } from 'node:fs/promises';
import { ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { type AuthContext, type AuthStrategy, ReconnectSourceError, SourceAuthError, requireSecret, withHeaders } from '@psoxy/core';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const LOGIN_HOST = 'login.microsoftonline.com';

/** Where the client proves who it is to Entra ID. */
export type MsalCredential =
  /** A federated identity assertion (workload identity): an ID token from the host's cloud. No secret. */
  | { kind: 'federated'; assertion: (ctx: AuthContext) => Promise<string> }
  /** A certificate: `PRIVATE_KEY` (PEM) and `PRIVATE_KEY_ID` (its SHA-1 thumbprint, hex). Deprecated by Psoxy. */
  | { kind: 'certificate' }
  /** A client secret: `CLIENT_SECRET`. */
  | { kind: 'secret' };

export interface MsalAuthOptions {
  tenantId: string;
  clientId: string;
  /** `TOKEN_SCOPE` (default Graph's `.default`). */
  scope?: string;
  credential: MsalCredential;
  /** `REFRESH_ENDPOINT`: the token endpoint, if not Entra's for the tenant (a sovereign cloud, or a local one in tests). */
  tokenEndpoint?: string;
}

/**
 * Authority metadata given to MSAL up front, so that it makes no discovery calls (instance
 * discovery and OpenID configuration): only the token request leaves the proxy.
 */
function offlineMetadata(tenantId: string, tokenEndpoint: string): Pick<Configuration['auth'], 'cloudDiscoveryMetadata' | 'authorityMetadata'> {
  const base = `https://${LOGIN_HOST}/${tenantId}`;
  return {
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: LOGIN_HOST, preferred_cache: 'login.windows.net', aliases: [LOGIN_HOST, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }],
    }),
    authorityMetadata: JSON.stringify({
      token_endpoint: tokenEndpoint,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
      jwks_uri: `https://${LOGIN_HOST}/${tenantId}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      request_uri_parameter_supported: false,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      cloud_instance_name: 'microsoftonline.com',
    }),
  };
}

/** MSAL's network client over the proxy's `fetch` (which the host, or a test, passes in). */
function networkClient(getFetch: () => typeof fetch): INetworkModule {
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await getFetch()(url, { method, headers: options?.headers, body: method === 'POST' ? options?.body : undefined, redirect: 'error' });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { error: 'invalid_response', error_description: `the token endpoint answered ${res.status} with a body that is not JSON` };
    }
    return { headers, body: body as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

const RECONNECT = /invalid_client|unauthorized_client|invalid_grant|AADSTS700016|AADSTS7000215|AADSTS70021|AADSTS700027|AADSTS7000222|AADSTS50034/;

/**
 * Entra ID client credentials through MSAL (`ConfidentialClientApplication`): a federated
 * assertion, a certificate or a secret; MSAL caches the token until shortly before it expires.
 */
export function msalClientCredentials(opts: MsalAuthOptions): AuthStrategy {
  const scope = opts.scope ?? GRAPH_SCOPE;
  const tokenEndpoint = opts.tokenEndpoint ?? `https://${LOGIN_HOST}/${opts.tenantId}/oauth2/v2.0/token`;
  let fetchNow: typeof fetch = globalThis.fetch;
  let ctxNow: AuthContext | undefined;
  let app: ConfidentialClientApplication | undefined;
  let credentialKey = '';
  let skipCache = false;
  const secretNames = opts.credential.kind === 'secret' ? ['CLIENT_SECRET'] : opts.credential.kind === 'certificate' ? ['PRIVATE_KEY', 'PRIVATE_KEY_ID'] : [];
  return {
    kind: `msal-${opts.credential.kind}`,
    secretNames,
    async authorize(request, ctx) {
      fetchNow = ctx.fetch;
      ctxNow = ctx;
      const auth: Configuration['auth'] = {
        clientId: opts.clientId,
        authority: `https://${LOGIN_HOST}/${opts.tenantId}`,
        ...offlineMetadata(opts.tenantId, tokenEndpoint),
      };
      let key: string;
      if (opts.credential.kind === 'secret') {
        auth.clientSecret = await requireSecret(ctx.secrets, 'CLIENT_SECRET');
        key = auth.clientSecret;
      } else if (opts.credential.kind === 'certificate') {
        const privateKey = await requireSecret(ctx.secrets, 'PRIVATE_KEY');
        const thumbprint = (await requireSecret(ctx.secrets, 'PRIVATE_KEY_ID')).replace(/^sha1 Fingerprint=/i, '').replace(/:/g, '').trim();
        if (!/^[0-9a-fA-F]{40}$/.test(thumbprint)) throw new SourceAuthError('PRIVATE_KEY_ID must be the certificate SHA-1 thumbprint (40 hex digits)');
        const pem = privateKey.includes('PRIVATE KEY') ? privateKey : Buffer.from(privateKey, 'base64').toString('utf8');
        if (!pem.includes('PRIVATE KEY')) throw new SourceAuthError('PRIVATE_KEY must be a PEM private key (or base64 of one)');
        auth.clientCertificate = { thumbprint, privateKey: pem };
        key = thumbprint + pem;
      } else {
        const assertion = opts.credential.assertion;
        auth.clientAssertion = async () => {
          try {
            return (await assertion(ctxNow as AuthContext)).trim();
          } catch (e) {
            throw new SourceAuthError(`cannot get the federated identity token for Entra ID: ${(e as Error).message}`);
          }
        };
        key = 'federated';
      }
      if (!app || key !== credentialKey) {
        // a rotated secret or certificate makes a new client (and drops tokens made with the old one)
        app = new ConfidentialClientApplication({ auth, system: { networkClient: networkClient(() => fetchNow) } });
        credentialKey = key;
      }
      let token: string | undefined;
      try {
        const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache });
        token = result?.accessToken;
        skipCache = false;
      } catch (e) {
        throw describeMsalError(e, opts);
      }
      if (!token) throw new SourceAuthError('Entra ID returned no access token');
      return withHeaders(request, { authorization: `Bearer ${token}` });
    },
    invalidate() {
      skipCache = true;
    },
  };
}

function describeMsalError(e: unknown, opts: MsalAuthOptions): Error {
  if (e instanceof SourceAuthError) return e;
  const err = e as { errorCode?: string; errorMessage?: string; message?: string };
  const text = `${err.errorCode ?? ''} ${err.errorMessage ?? err.message ?? ''}`.trim();
  if (RECONNECT.test(text)) {
    return new ReconnectSourceError(
      `Entra ID refused the client credentials of app ${opts.clientId} in tenant ${opts.tenantId} (${text.split('\n')[0]}); check the app registration, its ${opts.credential.kind} credential and the admin consent to its application permissions`,
    );
  }
  return new SourceAuthError(`getting a token from Entra ID failed: ${text.split('\n')[0]}`);
}

/** The federated token of a GCP function's service account, from the metadata server (`Metadata-Flavor: Google`). */
export function gcpMetadataIdentityToken(o: { audience: string; metadataHost?: string | undefined }): (ctx: AuthContext) => Promise<string> {
  return async (ctx) => {
    const host = o.metadataHost ?? 'metadata.google.internal';
    const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(o.audience)}`;
    const res = await ctx.fetch(url, { headers: { 'Metadata-Flavor': 'Google' } });
    if (!res.ok) throw new Error(`the metadata server answered ${res.status}`);
    return res.text();
  };
}

/** A federated token kept in a file (as Kubernetes and Azure workload identity project it). */
export function fileIdentityToken(path: string): () => Promise<string> {
  return async () => {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
}

/**
 * The host's own workload identity token (on AWS, Psoxy's Cognito developer identity, which
 * host-aws offers when IDENTITY_POOL_ID is set).
 */
export function hostIdentityToken(): (ctx: AuthContext) => Promise<string> {
  return async (ctx) => {
    if (!ctx.workloadIdentity) {
      throw new Error('this host offers no workload identity: on AWS set IDENTITY_POOL_ID, IDENTITY_ID and DEVELOPER_NAME_ID (a Cognito developer identity, as Psoxy deploys it), or set FEDERATED_TOKEN_SOURCE to gcp-metadata or file');
    }
    return ctx.workloadIdentity.token();
  };
}
