import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type AuthContext,
  type AuthStrategy,
  InvalidGrantError,
  ReconnectSourceError,
  SourceAuthError,
  TokenManager,
  bearerFromManager,
  callTokenEndpoint,
  isOk,
  privateKeyPem,
  requestToken,
  requireSecret,
  signJwtRs256,
} from '@psoxy/core';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const LOGIN_HOST = 'login.microsoftonline.com';

/** Where the client proves who it is to Entra ID. */
export type EntraCredential =
  /** A federated identity assertion (workload identity): an ID token from the host's cloud. No secret. */
  | { kind: 'federated'; assertion: (ctx: AuthContext) => Promise<string> }
  /** A certificate: `PRIVATE_KEY` (PEM) and `PRIVATE_KEY_ID` (its SHA-1 thumbprint, hex). Deprecated by Psoxy. */
  | { kind: 'certificate' }
  /** A client secret: `CLIENT_SECRET`. */
  | { kind: 'secret' };

export interface EntraAuthOptions {
  tenantId: string;
  clientId: string;
  /** `TOKEN_SCOPE` (default Graph's `.default`). */
  scope?: string;
  credential: EntraCredential;
  /** `REFRESH_ENDPOINT`: the token endpoint, if not Entra's for the tenant (a sovereign cloud, or a local one in tests). */
  tokenEndpoint?: string;
}

/** Entra's refusals (AADSTS codes) that mean the app registration or its credential must be fixed, whatever the OAuth error. */
const REFUSED = /AADSTS(700016|7000215|70021|700027|7000222|50034)\b/;

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How long a certificate's client assertion is valid (MSAL's: 10 minutes). */
const ASSERTION_LIFETIME_S = 600;

/**
 * The client assertion of a certificate credential, as MSAL makes it: RS256 with `x5t` the
 * certificate's SHA-1 thumbprint (base64url), `iss` and `sub` the app, `aud` the token endpoint,
 * issued now and valid for 10 minutes, a fresh `jti`.
 */
export function certificateAssertion(o: { clientId: string; tokenEndpoint: string; thumbprintHex: string; privateKeyPem: string; nowMs: number }): string {
  const now = Math.floor(o.nowMs / 1000);
  const claims = { aud: o.tokenEndpoint, exp: now + ASSERTION_LIFETIME_S, iss: o.clientId, sub: o.clientId, nbf: now, jti: randomUUID(), iat: now };
  return signJwtRs256(claims, o.privateKeyPem, { x5t: Buffer.from(o.thumbprintHex, 'hex').toString('base64url') });
}

/** How the client proves itself in the token request: the form fields of its credential. */
async function credentialFields(opts: EntraAuthOptions, tokenEndpoint: string, ctx: AuthContext): Promise<Record<string, string>> {
  const c = opts.credential;
  if (c.kind === 'secret') return { client_secret: await requireSecret(ctx.secrets, 'CLIENT_SECRET') };
  if (c.kind === 'certificate') {
    const privateKey = await requireSecret(ctx.secrets, 'PRIVATE_KEY');
    const thumbprint = (await requireSecret(ctx.secrets, 'PRIVATE_KEY_ID')).replace(/^sha1 Fingerprint=/i, '').replace(/:/g, '').trim();
    if (!/^[0-9a-fA-F]{40}$/.test(thumbprint)) throw new SourceAuthError('PRIVATE_KEY_ID must be the certificate SHA-1 thumbprint (40 hex digits)');
    const pem = privateKeyPem(privateKey, 'PRIVATE_KEY', "the certificate's private key");
    const assertion = certificateAssertion({ clientId: opts.clientId, tokenEndpoint, thumbprintHex: thumbprint, privateKeyPem: pem, nowMs: ctx.clock() });
    return { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion };
  }
  let assertion: string;
  try {
    assertion = (await c.assertion(ctx)).trim();
  } catch (e) {
    throw new SourceAuthError(`cannot get the federated identity token for Entra ID: ${(e as Error).message}`);
  }
  return { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion };
}

/**
 * Entra ID client credentials (OAuth 2.0 `client_credentials` at the tenant's v2.0 token
 * endpoint) with a federated assertion, a certificate or a secret; the token is kept by core's
 * token manager (one request at a time, renewed before it expires, a refused client remembered
 * for a while). Not MSAL: with its dependencies (jsonwebtoken, semver...) it doubled the code an
 * API function loads at start (~230 KiB, ~25 ms of a cold start whose budget is 250 ms) for one
 * form post; the tests check the requests against MSAL's own. Only the token request leaves the
 * proxy: no instance discovery, no OpenID configuration.
 */
export function entraClientCredentials(opts: EntraAuthOptions): AuthStrategy {
  const scope = opts.scope ?? GRAPH_SCOPE;
  const tokenEndpoint = opts.tokenEndpoint ?? `https://${LOGIN_HOST}/${opts.tenantId}/oauth2/v2.0/token`;
  const manager = new TokenManager({
    name: 'entra-id',
    async grant(ctx) {
      const form = { client_id: opts.clientId, scope, grant_type: 'client_credentials', ...(await credentialFields(opts, tokenEndpoint, ctx)) };
      try {
        return await requestToken(ctx, tokenEndpoint, form);
      } catch (e) {
        if (!(e instanceof InvalidGrantError || (e instanceof SourceAuthError && REFUSED.test(e.message)))) throw e;
        throw new ReconnectSourceError(
          `Entra ID refused the client credentials of app ${opts.clientId} in tenant ${opts.tenantId} (${e.message}); check the app registration, its ${opts.credential.kind} credential and the admin consent to its application permissions`,
        );
      }
    },
  });
  const secretNames = opts.credential.kind === 'secret' ? ['CLIENT_SECRET'] : opts.credential.kind === 'certificate' ? ['PRIVATE_KEY', 'PRIVATE_KEY_ID'] : [];
  return bearerFromManager(`entra-${opts.credential.kind}`, manager, secretNames);
}

/** The federated token of a GCP function's service account, from the metadata server (`Metadata-Flavor: Google`). */
export function gcpMetadataIdentityToken(o: { audience: string; metadataHost?: string | undefined }): (ctx: AuthContext) => Promise<string> {
  return async (ctx) => {
    const host = o.metadataHost ?? 'metadata.google.internal';
    const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(o.audience)}`;
    const res = await callTokenEndpoint(ctx, { method: 'GET', url, headers: { 'metadata-flavor': 'Google' } });
    if (!isOk(res.status)) throw new Error(`the metadata server answered ${res.status}`);
    return res.text;
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
