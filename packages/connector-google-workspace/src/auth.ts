import { type AuthContext, type AuthStrategy, ReconnectSourceError, SourceAuthError, requireSecret, withHeaders } from '@psoxy/core';
import { JWT } from 'google-auth-library';

/** Google's token endpoint, as google-auth-library calls it. */
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

/**
 * Google service account with domain-wide delegation: a JWT-bearer grant per impersonated user,
 * signed with the key's private key, done by google-auth-library (which caches each access token
 * and refreshes it before expiry). Its HTTP goes through the proxy's `fetch`.
 */
export function googleServiceAccountAuth(opts: ServiceAccountAuthOptions): AuthStrategy {
  let keyText: string | undefined;
  let key: ServiceAccountKey | undefined;
  const clients = new Map<string, JWT>();
  const clientFor = (k: ServiceAccountKey, subject: string | undefined, ctx: AuthContext): JWT => {
    const id = subject ?? '';
    let client = clients.get(id);
    if (client) {
      // most recently used last, so the oldest is evicted first
      clients.delete(id);
      clients.set(id, client);
      return client;
    }
    const uri = tokenUri(k);
    const fetchVia: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return ctx.fetch(url === GOOGLE_TOKEN_URL ? uri : input, init);
    };
    client = new JWT({
      email: k.client_email,
      key: k.private_key,
      keyId: k.private_key_id,
      scopes: [...opts.scopes],
      subject,
      transporterOptions: { fetchImplementation: fetchVia },
    });
    clients.set(id, client);
    if (clients.size > (opts.maxCachedSubjects ?? MAX_SUBJECTS)) clients.delete(clients.keys().next().value as string);
    return client;
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
        clients.clear();
      }
      const subject = ctx.impersonate ?? opts.defaultSubject;
      let token: string | null | undefined;
      try {
        token = (await clientFor(key, subject, ctx).getAccessToken()).token;
      } catch (e) {
        throw describeGoogleError(e, key, subject, opts.scopes);
      }
      if (!token) throw new SourceAuthError('Google returned no access token');
      return withHeaders(request, { authorization: `Bearer ${token}` });
    },
    invalidate() {
      clients.clear();
    },
  };
}

function describeGoogleError(e: unknown, key: ServiceAccountKey, subject: string | undefined, scopes: readonly string[]): Error {
  if (e instanceof SourceAuthError) return e;
  const res = (e as { response?: { status?: number; data?: { error?: string; error_description?: string } } }).response;
  const code = res?.data?.error;
  const detail = res?.data?.error_description ? `: ${res.data.error_description}` : '';
  const who = subject ? ` impersonating ${subject}` : ' (no user to impersonate: send X-Psoxy-User-To-Impersonate)';
  if (code === 'invalid_grant' || code === 'unauthorized_client' || code === 'access_denied' || res?.status === 401) {
    return new ReconnectSourceError(
      `Google refused the service account ${key.client_email}${who} (${code ?? res?.status}${detail}). A Workspace admin must grant domain-wide delegation to client id ${key.client_id ?? '(see the key)'} for ${scopes.join(', ')}, and the user must exist.`,
    );
  }
  if (res?.status !== undefined) return new SourceAuthError(`Google's token endpoint answered ${res.status}${code ? ` ${code}` : ''}${detail}`);
  return new SourceAuthError(`cannot reach Google's token endpoint: ${(e as Error).message}`);
}
