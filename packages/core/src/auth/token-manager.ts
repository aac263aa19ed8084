import { acquireWithRetry } from '../runtime/lease.js';
import { MissingSecretError } from '../runtime/secrets.js';
import { type AuthContext, ReconnectSourceError, SourceAuthError } from './types.js';

/** What a token endpoint granted. */
export interface GrantedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** A new refresh token, when the source rotates them. */
  refreshToken?: string | undefined;
}

/** One call to the token endpoint; given the current refresh token when the flow uses one. */
export type Grant = (ctx: AuthContext, current: { refreshToken?: string | undefined }) => Promise<GrantedToken>;

/** The grant was refused for good (`invalid_grant`): the source must be reconnected. */
export class InvalidGrantError extends Error {
  override readonly name = 'InvalidGrantError';
}

export interface TokenManagerOptions {
  /** For logs and messages (`zoom`, `jira-cloud`). */
  name: string;
  grant: Grant;
  /** Secret holding the refresh token: read before each grant, written back when it rotates. */
  refreshTokenSecret?: string | undefined;
  /**
   * Secret through which instances share the access token (`{"token","expirationDate"}`, Psoxy's
   * format), for sources that allow one live token per app (Zoom) or rotate refresh tokens.
   */
  sharedTokenSecret?: string | undefined;
  /** Lease serializing refreshes across instances (Psoxy's `OAUTH_REFRESH_TOKEN`). */
  leaseName?: string | undefined;
  leaseTtlMs?: number | undefined;
  /** Refresh this long before expiry (a random point in the range, so instances do not all refresh together). */
  refreshEarlyMs?: readonly [number, number] | undefined;
  /** After a failed refresh, fail fast for this long instead of hammering the token endpoint. */
  failureBackoffMs?: number | undefined;
  /** After a refused grant, how long to keep saying "reconnect" without asking again. */
  reconnectBackoffMs?: number | undefined;
  random?: (() => number) | undefined;
}

interface Cached {
  token: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * One access token per source and process, shared by every request:
 * - refreshed once at a time (concurrent requests wait for the same refresh);
 * - across instances, refreshed under a lease, re-reading the shared token after taking it (another
 *   instance may have just refreshed);
 * - a rotated refresh token is persisted before the new access token is used;
 * - refreshed shortly before expiry;
 * - a refused grant becomes a clear "reconnect the source" error, remembered for a while so that a
 *   revoked token does not cause a storm of token requests.
 */
export class TokenManager {
  private cached: Cached | undefined;
  private inflight: Promise<string> | undefined;
  private failure: { error: Error; until: number } | undefined;
  private readonly leaseName: string;
  private readonly leaseTtlMs: number;
  private readonly early: readonly [number, number];
  private readonly random: () => number;

  constructor(readonly opts: TokenManagerOptions) {
    this.leaseName = opts.leaseName ?? 'OAUTH_REFRESH_TOKEN';
    this.leaseTtlMs = opts.leaseTtlMs ?? 120_000;
    this.early = opts.refreshEarlyMs ?? [60_000, 600_000];
    this.random = opts.random ?? Math.random;
  }

  /** Secrets this manager reads and writes. */
  get secretNames(): string[] {
    return [this.opts.refreshTokenSecret, this.opts.sharedTokenSecret].filter((s): s is string => !!s);
  }

  /** Secrets it writes before it ever needs to read them (the shared access token). */
  get optionalSecretNames(): string[] {
    return this.opts.sharedTokenSecret ? [this.opts.sharedTokenSecret] : [];
  }

  /** Drops the cached token (the source answered 401 with it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private refreshAt(now: number, expiresAt: number): number {
    const [lo, hi] = this.early;
    const margin = lo + this.random() * (hi - lo);
    // never more than half the token's remaining life early (short-lived tokens)
    return expiresAt - Math.min(margin, Math.max(0, (expiresAt - now) / 2));
  }

  private usable(c: Cached | undefined, now: number): c is Cached {
    return c !== undefined && now < c.refreshAt;
  }

  async getToken(ctx: AuthContext): Promise<string> {
    const now = ctx.clock();
    if (this.usable(this.cached, now)) return this.cached.token;
    if (this.failure && now < this.failure.until) throw this.failure.error;
    this.inflight ??= this.refresh(ctx).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The access token another instance shared; `fresh` after taking the lease, when a cached read could be stale. */
  private async readShared(ctx: AuthContext, fresh = false): Promise<Cached | undefined> {
    const name = this.opts.sharedTokenSecret;
    if (!name) return undefined;
    const s = await ctx.secrets.get(name, { fresh });
    if (!s) return undefined;
    try {
      const v = JSON.parse(s.value) as { token?: unknown; expirationDate?: unknown };
      if (typeof v.token !== 'string' || typeof v.expirationDate !== 'number') return undefined;
      const now = ctx.clock();
      const c = { token: v.token, expiresAt: v.expirationDate, refreshAt: this.refreshAt(now, v.expirationDate) };
      return this.usable(c, now) ? c : undefined;
    } catch {
      ctx.log.warn('shared access token is not in the expected format; ignoring it', { source: this.opts.name, secret: name });
      return undefined;
    }
  }

  private async refresh(ctx: AuthContext): Promise<string> {
    const shared = await this.readShared(ctx);
    if (shared) {
      this.cached = shared;
      return shared.token;
    }
    const coordinated = !!(this.opts.refreshTokenSecret || this.opts.sharedTokenSecret);
    const handle = coordinated ? await acquireWithRetry(ctx.lease, this.leaseName, this.leaseTtlMs) : undefined;
    try {
      if (coordinated && !handle) {
        // another instance held the lease all along: it has probably refreshed by now
        const again = await this.readShared(ctx, true);
        if (again) {
          this.cached = again;
          return again.token;
        }
        throw new SourceAuthError(`could not take the ${this.leaseName} lease to refresh the ${this.opts.name} token; try again`);
      }
      // re-read after taking the lease, past any cache: another instance may have refreshed meanwhile
      const again = await this.readShared(ctx, true);
      if (again) {
        this.cached = again;
        return again.token;
      }
      let refreshToken: string | undefined;
      if (this.opts.refreshTokenSecret) {
        // fresh: a refresh token cached before another instance rotated it is already dead
        refreshToken = (await ctx.secrets.get(this.opts.refreshTokenSecret, { fresh: true }))?.value;
        if (!refreshToken) throw new MissingSecretError(this.opts.refreshTokenSecret, ctx.secrets.description);
      }
      let granted: GrantedToken;
      try {
        granted = await this.opts.grant(ctx, { refreshToken });
      } catch (e) {
        // a refused grant, or one the grant explained itself (what the source's admin must fix)
        const refused =
          e instanceof InvalidGrantError
            ? new ReconnectSourceError(
                `the ${this.opts.name} grant was refused (${e.message}): the source's authorization was revoked or has expired; reconnect the source and update ${this.opts.refreshTokenSecret ?? 'its credentials'}`,
              )
            : e instanceof ReconnectSourceError
              ? e
              : undefined;
        if (refused) {
          this.failure = { error: refused, until: ctx.clock() + (this.opts.reconnectBackoffMs ?? 300_000) };
          throw refused;
        }
        throw e;
      }
      if (this.opts.refreshTokenSecret && granted.refreshToken && granted.refreshToken !== refreshToken) {
        // persist the rotated refresh token before the new access token is used: the old one is now dead
        await this.persist(ctx, this.opts.refreshTokenSecret, granted.refreshToken);
      }
      if (this.opts.sharedTokenSecret) {
        try {
          await ctx.secrets.set(this.opts.sharedTokenSecret, JSON.stringify({ token: granted.accessToken, expirationDate: granted.expiresAt }));
        } catch (e) {
          ctx.log.warn('could not share the access token with other instances', { source: this.opts.name, reason: (e as Error).message });
        }
      }
      const now = ctx.clock();
      this.cached = { token: granted.accessToken, expiresAt: granted.expiresAt, refreshAt: this.refreshAt(now, granted.expiresAt) };
      this.failure = undefined;
      ctx.log.info('refreshed source access token', { source: this.opts.name, expiresInS: Math.round((granted.expiresAt - now) / 1000) });
      return granted.accessToken;
    } catch (e) {
      if (!(e instanceof ReconnectSourceError)) {
        this.failure = { error: e as Error, until: ctx.clock() + (this.opts.failureBackoffMs ?? 5_000) };
      }
      throw e;
    } finally {
      await handle?.release();
    }
  }

  private async persist(ctx: AuthContext, name: string, value: string): Promise<void> {
    let last: unknown;
    for (let i = 0; i < 3; i++) {
      try {
        await ctx.secrets.set(name, value);
        return;
      } catch (e) {
        last = e;
      }
    }
    // The old refresh token is already invalid: log loudly; the current access token still works.
    ctx.log.error('could not persist the rotated refresh token: the source will need reconnecting when the access token expires', {
      source: this.opts.name,
      secret: name,
      reason: (last as Error)?.message,
    });
  }
}
