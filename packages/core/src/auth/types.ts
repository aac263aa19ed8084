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
  fetch: typeof fetch;
  clock: () => number;
  log: Logger;
  /** The user to act as (`X-Psoxy-User-To-Impersonate`, already decrypted), for strategies that can. */
  impersonate?: string | undefined;
  /** The host's identity token, when the host has one to offer. */
  workloadIdentity?: WorkloadIdentity | undefined;
}

/**
 * Adds the source's credentials to an outgoing request (the shape of octokit's `auth.hook`): the
 * caller never sees them.
 */
export interface AuthStrategy {
  /** A short name for logs and health checks (`oauth2-refresh-token`, `bearer`, ...). */
  readonly kind: string;
  /** Returns the request with credentials applied. */
  authorize(request: Request, ctx: AuthContext): Promise<Request>;
  /** Forget cached credentials (the source answered 401); the next call gets fresh ones. */
  invalidate?(): void;
  /** Secrets the strategy reads, so a health check can say which are missing. */
  readonly secretNames: readonly string[];
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

/** Returns a copy of `request` with `headers` set. */
export function withHeaders(request: Request, headers: Record<string, string>): Request {
  const h = new Headers(request.headers);
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  return new Request(request, { headers: h });
}
