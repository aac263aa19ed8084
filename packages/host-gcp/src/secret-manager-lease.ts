import type { Lease, LeaseHandle } from '@psoxy/core';
import { isEtagConflict } from './google-api.js';
import { type Secret, type SecretManagerAccess, SecretManagerApi, ensureSecret } from './secret-manager-api.js';

export interface SecretManagerLeaseOptions extends SecretManagerAccess {
  /** The instance namespace (`PSOXY_GCAL_`): lease `NAME` is the secret `{prefix}NAME`. */
  prefix: string;
  clock?: (() => number) | undefined;
}

/** Label holding the time (epoch ms) the lease was taken, as Psoxy's. */
export const LOCK_LABEL = 'locked';

/**
 * The secret a lease lives on, as Psoxy names it: the namespace and the lock id (the token refresh's
 * `OAUTH_REFRESH_TOKEN` gives `PSOXY_ZOOM_OAUTH_REFRESH_TOKEN`, the "lockable" secret Psoxy's
 * Terraform creates and grants). Only its labels are used.
 */
export const lockSecretId = (prefix: string, name: string): string => `${prefix}${name.toUpperCase()}`;

/**
 * A lease across function instances, as Psoxy's: the label `locked=<epoch ms>` on a secret, set
 * by an etag-protected update (of two racing instances, only one update applies), taken over
 * once older than the TTL, removed on release. The lock secret is created if missing (Psoxy
 * expects Terraform to have created it; that needs `secretmanager.secrets.create` otherwise).
 */
export class SecretManagerLease implements Lease {
  private readonly api: SecretManagerApi;
  private readonly clock: () => number;

  constructor(private readonly opts: SecretManagerLeaseOptions) {
    this.api = new SecretManagerApi(opts);
    this.clock = opts.clock ?? Date.now;
  }

  async tryAcquire(name: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    const id = lockSecretId(this.opts.prefix, name);
    let held: Secret;
    let others: Record<string, string>;
    try {
      const secret = await ensureSecret(this.api, id);
      const since = Number(secret.labels?.[LOCK_LABEL]);
      const now = this.clock();
      if (Number.isFinite(since) && now - since < ttlMs) return undefined;
      const { [LOCK_LABEL]: _, ...rest } = secret.labels ?? {};
      others = rest;
      held = await this.api.setLabels(id, { ...secret.labels, [LOCK_LABEL]: String(now) }, secret.etag);
    } catch (e) {
      if (isEtagConflict(e)) return undefined;
      throw new Error(`cannot take the ${name} lease on secret ${id}: ${(e as Error).message}`);
    }
    return {
      release: async () => {
        // with the etag of our update: if the lock was taken over since, this fails and changes nothing;
        // any other failure leaves a label that expires with its TTL
        await this.api.setLabels(id, others, held.etag).catch(() => undefined);
      },
    };
  }
}
