import { type KeyObject, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { type HeaderMap, type HttpRequest, isOk, lowerCaseHeaders } from '../http/types.js';
import { requireSecret } from '../runtime/secrets.js';
import { type GrantedToken, InvalidGrantError, TokenManager, type TokenManagerOptions } from './token-manager.js';
import { type AuthContext, type AuthStrategy, SourceAuthError, withHeaders } from './types.js';

const DEFAULT_EXPIRES_IN_S = 3600;
/** How long one token request may take: an endpoint that hangs must not hold the proxy's request for ever. */
export const TOKEN_TIMEOUT_MS = 30_000;
/** Largest token endpoint answer read: a token response is a few kilobytes. */
export const TOKEN_RESPONSE_LIMIT = 1024 * 1024;

/**
 * One exchange with a token endpoint (or a metadata server), within TOKEN_TIMEOUT_MS, its answer
 * read whole up to TOKEN_RESPONSE_LIMIT: the budget and the bound every grant shares.
 */
export async function callTokenEndpoint(ctx: AuthContext, request: Omit<HttpRequest, 'timeoutMs'>): Promise<{ status: number; headers: HeaderMap; text: string }> {
  const res = await ctx.http({ ...request, timeoutMs: TOKEN_TIMEOUT_MS });
  return { status: res.status, headers: res.headers, text: await res.text(TOKEN_RESPONSE_LIMIT) };
}

/** POSTs a form to a token endpoint and reads an RFC 6749 answer (or GitHub's `{token, expires_at}`). */
export async function requestToken(
  ctx: AuthContext,
  tokenUrl: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<GrantedToken> {
  let res: Awaited<ReturnType<typeof callTokenEndpoint>>;
  try {
    res = await callTokenEndpoint(ctx, {
      method: 'POST',
      url: tokenUrl,
      headers: lowerCaseHeaders({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers }),
      body: new URLSearchParams(form).toString(),
    });
  } catch (e) {
    throw new SourceAuthError(`token endpoint ${new URL(tokenUrl).host} unreachable: ${(e as Error).message}`);
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    // some endpoints answer form-encoded unless asked otherwise
    body = Object.fromEntries(new URLSearchParams(res.text));
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (!isOk(res.status) || error) {
    const detail = [error, typeof body.error_description === 'string' ? body.error_description : undefined].filter(Boolean).join(': ');
    if (error === 'invalid_grant' || error === 'unauthorized_client' || error === 'invalid_client') {
      throw new InvalidGrantError(detail || `HTTP ${res.status}`);
    }
    throw new SourceAuthError(`token endpoint ${new URL(tokenUrl).host} answered ${res.status}${detail ? ` (${detail})` : ''}`);
  }
  const token = typeof body.access_token === 'string' ? body.access_token : typeof body.token === 'string' ? body.token : undefined;
  if (!token) throw new SourceAuthError(`token endpoint ${new URL(tokenUrl).host} answered without an access token`);
  let expiresAt: number;
  if (typeof body.expires_at === 'string' && !Number.isNaN(Date.parse(body.expires_at))) expiresAt = Date.parse(body.expires_at);
  else {
    const s = Number(body.expires_in ?? DEFAULT_EXPIRES_IN_S);
    expiresAt = ctx.clock() + (Number.isFinite(s) && s > 0 ? s : DEFAULT_EXPIRES_IN_S) * 1000;
  }
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token.trim() !== '' ? body.refresh_token : undefined;
  return { accessToken: token, expiresAt, refreshToken };
}

type ClientAuth = 'basic' | 'body';

async function clientCredentials(
  ctx: AuthContext,
  clientAuth: ClientAuth,
  idSecret: string,
  secretSecret: string,
): Promise<{ form: Record<string, string>; headers: Record<string, string> }> {
  const id = (await requireSecret(ctx.secrets, idSecret)).trim();
  const secret = (await requireSecret(ctx.secrets, secretSecret)).trim();
  return clientAuth === 'basic'
    ? { form: {}, headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` } }
    : { form: { client_id: id, client_secret: secret }, headers: {} };
}

/**
 * An auth strategy that puts a managed access token in `Authorization: Bearer` (and drops it when
 * the source answers 401): for a connector's own grant under a {@link TokenManager}.
 */
export function bearerFromManager(kind: string, manager: TokenManager, extraSecrets: string[]): AuthStrategy & { manager: TokenManager } {
  return {
    kind,
    manager,
    secretNames: [...extraSecrets, ...manager.secretNames],
    optionalSecretNames: manager.optionalSecretNames,
    invalidate: () => manager.invalidate(),
    async authorize(request, ctx) {
      return withHeaders(request, { authorization: `Bearer ${await manager.getToken(ctx)}` });
    },
  };
}

type ManagerTuning = Partial<Omit<TokenManagerOptions, 'grant' | 'name' | 'refreshTokenSecret'>>;

export interface ClientCredentialsOptions extends ManagerTuning {
  /** For logs (`zoom`). */
  name: string;
  /** From configuration, never from the request. */
  tokenUrl: string;
  /** `client_credentials`, or Zoom's `account_credentials`. */
  grantType?: string;
  clientAuth?: ClientAuth;
  scope?: string | undefined;
  /** Extra form fields whose values are secrets: `{ account_id: 'ACCOUNT_ID' }`. */
  secretParams?: Record<string, string>;
  clientIdSecret?: string;
  clientSecretSecret?: string;
}

/** OAuth 2.0 client credentials (incl. Zoom's `account_credentials`). */
export function oauth2ClientCredentials(opts: ClientCredentialsOptions): AuthStrategy & { manager: TokenManager } {
  const idSecret = opts.clientIdSecret ?? 'CLIENT_ID';
  const secretSecret = opts.clientSecretSecret ?? 'CLIENT_SECRET';
  const manager = new TokenManager({
    ...opts,
    async grant(ctx) {
      const c = await clientCredentials(ctx, opts.clientAuth ?? 'body', idSecret, secretSecret);
      const form: Record<string, string> = { grant_type: opts.grantType ?? 'client_credentials', ...c.form };
      if (opts.scope) form.scope = opts.scope;
      for (const [param, secret] of Object.entries(opts.secretParams ?? {})) form[param] = (await requireSecret(ctx.secrets, secret)).trim();
      return requestToken(ctx, opts.tokenUrl, form, c.headers);
    },
  });
  return bearerFromManager('oauth2-client-credentials', manager, [idSecret, secretSecret, ...Object.values(opts.secretParams ?? {})]);
}

export interface RefreshTokenOptions extends ManagerTuning {
  name: string;
  tokenUrl: string;
  clientAuth?: ClientAuth;
  refreshTokenSecret?: string;
  clientIdSecret?: string;
  clientSecretSecret?: string;
}

/** OAuth 2.0 refresh token grant; a rotated refresh token is persisted (Jira Cloud, GitHub Enterprise Server). */
export function oauth2RefreshToken(opts: RefreshTokenOptions): AuthStrategy & { manager: TokenManager } {
  const idSecret = opts.clientIdSecret ?? 'CLIENT_ID';
  const secretSecret = opts.clientSecretSecret ?? 'CLIENT_SECRET';
  const manager = new TokenManager({
    ...opts,
    refreshTokenSecret: opts.refreshTokenSecret ?? 'REFRESH_TOKEN',
    async grant(ctx, current) {
      const c = await clientCredentials(ctx, opts.clientAuth ?? 'body', idSecret, secretSecret);
      return requestToken(ctx, opts.tokenUrl, { grant_type: 'refresh_token', refresh_token: current.refreshToken ?? '', ...c.form }, c.headers);
    },
  });
  return bearerFromManager('oauth2-refresh-token', manager, [idSecret, secretSecret]);
}

/** Signs a JWT with RS256 (node:crypto; keys in PEM, PKCS#1 or PKCS#8). */
export function signJwtRs256(claims: Record<string, unknown>, privateKeyPem: string, header: Record<string, unknown> = {}): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT', ...header })}.${enc(claims)}`;
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (e) {
    throw new SourceAuthError(`the private key cannot sign: ${(e as Error).message.split('\n')[0]}; expected an RSA key in PEM`);
  }
  // an EC key would sign too, and make an ES256 signature under an RS256 header that the source refuses
  if (key.asymmetricKeyType !== 'rsa') throw new SourceAuthError(`the private key is ${key.asymmetricKeyType ?? 'not asymmetric'}; expected an RSA key in PEM`);
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export interface JwtBearerOptions extends ManagerTuning {
  name: string;
  tokenUrl: string;
  /** Builds the assertion's claims (`iss`, `scope`, `sub`...); `aud`, `iat`, `exp` and `jti` are added. */
  claims(ctx: AuthContext): Promise<Record<string, unknown>>;
  privateKeySecret?: string;
  keyIdSecret?: string;
  lifetimeS?: number;
}

/**
 * A private key as a secret holds it: PEM (PKCS#1 or #8), its line breaks possibly written as `\n`
 * (as env files and some consoles keep them), or base64 of the PEM (as Psoxy's Terraform stores
 * keys). `secret` and `what` name the secret and the key in the error.
 */
export function privateKeyPem(text: string, secret: string, what = 'a private key'): string {
  const t = text.trim();
  if (t.includes('PRIVATE KEY')) return t.replace(/\\n/g, '\n');
  const decoded = Buffer.from(t, 'base64').toString('utf8').trim();
  if (!decoded.includes('PRIVATE KEY')) {
    throw new SourceAuthError(`${secret} must be ${what}: PEM (-----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY), or base64 of it`);
  }
  return decoded;
}

/** RFC 7523 JWT bearer assertion grant (service accounts, e.g. Google domain-wide delegation). */
export function jwtBearer(opts: JwtBearerOptions): AuthStrategy & { manager: TokenManager } {
  const keySecret = opts.privateKeySecret ?? 'PRIVATE_KEY';
  const manager = new TokenManager({
    ...opts,
    async grant(ctx) {
      const key = privateKeyPem(await requireSecret(ctx.secrets, keySecret), keySecret);
      const kid = opts.keyIdSecret ? (await ctx.secrets.get(opts.keyIdSecret))?.value : undefined;
      const now = Math.floor(ctx.clock() / 1000);
      const claims = { aud: opts.tokenUrl, iat: now, exp: now + (opts.lifetimeS ?? 3600), jti: randomUUID(), ...(await opts.claims(ctx)) };
      const assertion = signJwtRs256(claims, key, kid ? { kid } : {});
      return requestToken(ctx, opts.tokenUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    },
  });
  return bearerFromManager('jwt-bearer', manager, [keySecret]);
}
