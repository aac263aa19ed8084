import type { HeaderMap, HttpClient } from '../http/types.js';
import type { Lease } from '../runtime/lease.js';
import type { Logger } from '../runtime/logger.js';
import type { SecretStore } from '../runtime/secrets.js';

/**
 * The host function's own identity as an OIDC token, for sources that federate with the cloud it
 * runs in instead of holding a secret (Entra ID workload identity federation): on AWS a Cognito
 * developer-identity token, as Psoxy's.
 */
export interface WorkloadIdentity {
  /** Where the token comes from, for messages. */
  readonly description: string;
  token(): Promise<string>;
}

/** What an auth strategy may use. Everything with I/O is passed in, never a global. */
export interface AuthContext {
  secrets: SecretStore;
  lease: Lease;
  /** For token endpoints and metadata servers. */
  http: HttpClient;
  clock: () => number;
  log: Logger;
  /** The user to act as (`X-Psoxy-User-To-Impersonate`, already decrypted), for strategies that can. */
  impersonate?: string | undefined;
  /** The host's identity token, when the host has one to offer. */
  workloadIdentity?: WorkloadIdentity | undefined;
}

/** A request on its way to the source, before credentials are added. */
export interface SourceRequest {
  readonly method: string;
  readonly url: string;
  /** Lower-case names. */
  readonly headers: HeaderMap;
  readonly body: string | null;
}

/**
 * Adds the source's credentials to an outgoing request (the shape of octokit's `auth.hook`): the
 * caller never sees them.
 */
export interface AuthStrategy {
  /** A short name for logs and health checks (`oauth2-refresh-token`, `bearer`, ...). */
  readonly kind: string;
  /** Returns the request with credentials applied. */
  authorize(request: SourceRequest, ctx: AuthContext): Promise<SourceRequest>;
  /** Forget cached credentials (the source answered 401); the next call gets fresh ones. */
  invalidate?(): void;
  /** Secrets the strategy reads, so a health check can say which are missing. */
  readonly secretNames: readonly string[];
  /**
   * Those of `secretNames` it need not find: it writes them itself (a shared access token), so a
   * fresh deployment lacks them until the first call, and the health check does not count them.
   */
  readonly optionalSecretNames?: readonly string[];
}

/** The secrets a strategy cannot work without: its `secretNames` but those it writes itself. */
export function requiredSecretNames(auth: AuthStrategy): string[] {
  const optional = new Set(auth.optionalSecretNames ?? []);
  return auth.secretNames.filter((name) => !optional.has(name));
}

/** The source's authorization is gone (revoked or expired grant): a person must reconnect it. */
export class ReconnectSourceError extends Error {
  override readonly name = 'ReconnectSourceError';
}

/** The token endpoint failed (network, 5xx, unexpected answer): may work on a later attempt. */
export class SourceAuthError extends Error {
  override readonly name = 'SourceAuthError';
}

/** A request that passes through unchanged: for sources that need no credentials (tests, demo). */
export const noAuth: AuthStrategy = {
  kind: 'none',
  secretNames: [],
  async authorize(request) {
    return request;
  },
};

/** Returns a copy of `request` with `headers` set (names compared case-insensitively). */
export function withHeaders(request: SourceRequest, headers: Record<string, string>): SourceRequest {
  const h: HeaderMap = { ...request.headers };
  for (const k of Object.keys(headers)) h[k.toLowerCase()] = headers[k] as string;
  return { ...request, headers: h };
}
