import { type AuthContext, type AuthStrategy, InvalidGrantError, ReconnectSourceError, SourceAuthError, TokenManager, requestToken, requireSecret, signJwtRs256, withHeaders } from '@psoxy/core';

/** Google's token endpoint: where the grant goes, and the `aud` of every assertion. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The fields of a service-account key JSON that the JWT grant needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  token_uri?: string;
}

/** Reads `SERVICE_ACCOUNT_KEY`: the key JSON itself or base64 of it (as Psoxy accepts). */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  const raw = text.trim();
  let json: string;
  if (raw.startsWith('{')) json = raw;
  else {
    json = Buffer.from(raw, 'base64').toString('utf8');
    if (!json.trim().startsWith('{')) throw new SourceAuthError('SERVICE_ACCOUNT_KEY is neither a service-account key JSON nor base64 of one');
  }
  let key: Partial<ServiceAccountKey> & { type?: string };
  try {
    key = JSON.parse(json);
  } catch {
    throw new SourceAuthError('SERVICE_ACCOUNT_KEY is not valid JSON: paste the whole key file downloaded from the Google Cloud console');
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) {
    throw new SourceAuthError('SERVICE_ACCOUNT_KEY lacks client_email or private_key: use a JSON key of type service_account');
  }
  return key as ServiceAccountKey;
}

/**
 * The key's `token_uri`, as Google's Java library (and so Psoxy) honors it: https, or http to this
 * machine only (a local token endpoint for tests and offline runs). It comes from the customer's
 * secret, never from the caller.
 */
function tokenUri(key: ServiceAccountKey): string {
  const uri = key.token_uri?.trim();
  if (!uri || uri === GOOGLE_TOKEN_URL) return GOOGLE_TOKEN_URL;
  const u = new URL(uri);
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new SourceAuthError(`SERVICE_ACCOUNT_KEY token_uri ${uri} must be https (or http on this machine, for tests)`);
  }
  return uri;
}

export interface ServiceAccountAuthOptions {
  /** OAuth scopes granted to the service account by domain-wide delegation. */
  scopes: readonly string[];
  /** Whom to impersonate when the caller sends no `X-Psoxy-User-To-Impersonate` (an admin, for admin APIs). */
  defaultSubject?: string | undefined;
  /** Delegated credentials kept (one per impersonated account), as Psoxy's cache of 50. */
  maxCachedSubjects?: number;
}

const MAX_SUBJECTS = 50;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600;

/**
 * The signed assertion of Google's JWT-bearer grant, with the claims and header Google's client
 * libraries send: `iss` the service account, `scope` space-separated, `aud` Google's token URL
 * (also when the key names another `token_uri`), an hour's life, `sub` the impersonated user.
 */
export function googleAssertion(key: ServiceAccountKey, scopes: readonly string[], subject: string | undefined, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const claims = { iss: key.client_email, scope: scopes.join(' '), aud: GOOGLE_TOKEN_URL, exp: iat + ASSERTION_LIFETIME_S, iat, ...(subject ? { sub: subject } : {}) };
  return signJwtRs256(claims, key.private_key, key.private_key_id ? { kid: key.private_key_id } : {});
}

/**
 * Google service account with domain-wide delegation: a JWT-bearer grant per impersonated user,
 * signed with the key's private key on `node:crypto`, each user's token kept by core's token
 * manager (one refresh at a time, renewed before expiry, a refused grant remembered for a while).
 * Not google-auth-library: on AWS it would be loaded for this grant alone, ~25 ms of every cold
 * start (the API function's budget is 250 ms); the tests check the grant against Google's checks.
 */
export function googleServiceAccountAuth(opts: ServiceAccountAuthOptions): AuthStrategy {
  let keyText: string | undefined;
  let key: ServiceAccountKey | undefined;
  const managers = new Map<string, TokenManager>();
  const managerFor = (k: ServiceAccountKey, subject: string | undefined): TokenManager => {
    const id = subject ?? '';
    let m = managers.get(id);
    if (m) {
      // most recently used last, so the oldest is evicted first
      managers.delete(id);
      managers.set(id, m);
      return m;
    }
    const uri = tokenUri(k);
    m = new TokenManager({
      name: 'google',
      async grant(ctx: AuthContext) {
        const assertion = googleAssertion(k, opts.scopes, subject, ctx.clock());
        try {
          return await requestToken(ctx, uri, { grant_type: JWT_BEARER, assertion });
        } catch (e) {
          throw e instanceof InvalidGrantError ? refusal(e, k, subject, opts.scopes) : e;
        }
      },
    });
    managers.set(id, m);
    if (managers.size > (opts.maxCachedSubjects ?? MAX_SUBJECTS)) managers.delete(managers.keys().next().value as string);
    return m;
  };
  return {
    kind: 'google-service-account',
    secretNames: ['SERVICE_ACCOUNT_KEY'],
    async authorize(request, ctx) {
      const text = await requireSecret(ctx.secrets, 'SERVICE_ACCOUNT_KEY');
      if (text !== keyText || !key) {
        // a rotated key: drop every credential made with the old one
        key = parseServiceAccountKey(text);
        keyText = text;
        managers.clear();
      }
      const token = await managerFor(key, ctx.impersonate ?? opts.defaultSubject).getToken(ctx);
      return withHeaders(request, { authorization: `Bearer ${token}` });
    },
    invalidate() {
      managers.clear();
    },
  };
}

/** Google refused the grant: what a Workspace admin has to fix. */
function refusal(e: InvalidGrantError, key: ServiceAccountKey, subject: string | undefined, scopes: readonly string[]): ReconnectSourceError {
  const who = subject ? ` impersonating ${subject}` : ' (no user to impersonate: send X-Psoxy-User-To-Impersonate)';
  return new ReconnectSourceError(
    `Google refused the service account ${key.client_email}${who} (${e.message}). A Workspace admin must grant domain-wide delegation to client id ${key.client_id ?? '(see the key)'} for ${scopes.join(', ')}, and the user must exist.`,
  );
}
