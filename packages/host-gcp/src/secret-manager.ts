import { type FirstReadRetry, type Logger, ReadCache, type SecretReadOptions, type SecretStore, SecretStoreError, type SecretValue, secretValue, silentLogger } from '@psoxy/core';
import { GoogleApiError, isEtagConflict, isNotFound } from './google-api.js';
import { type SecretManagerAccess, SecretManagerApi, type SecretVersion, ensureSecret, versionNumber } from './secret-manager-api.js';

export interface SecretManagerStoreOptions extends SecretManagerAccess {
  /** Psoxy's namespace before each logical name: `PSOXY_GCAL_` (instance), `psoxy_` (shared). */
  prefix: string;
  /** How long a value read is reused (default 5 min; Psoxy uses 20 min for the shared namespace); writes refresh it. */
  cacheTtlMs?: number | undefined;
  clock?: (() => number) | undefined;
  /** Where failures to clean up old versions are reported (they do not fail the write). */
  log?: Logger | undefined;
  /** How a failed first read of a name is retried (default: 3 reads, 500 ms apart, as Psoxy). */
  firstReadRetry?: FirstReadRetry;
}

/** Label on a secret naming its newest version: reading it by number is strongly consistent, `latest` is not. */
export const LATEST_VERSION_LABEL = 'latest-version';
/** Disabled versions are still billed; Psoxy destroys them after a week. */
const DISABLED_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Secrets in Google Secret Manager by Psoxy's names (`{prefix}{NAME}`), read and written with
 * Psoxy's algorithms: reads follow the `latest-version` label, writes add a version, move the
 * label and destroy the versions it replaced. Values are cached for a while.
 */
export class SecretManagerStore implements SecretStore {
  readonly description: string;
  private readonly api: SecretManagerApi;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly cache: ReadCache;

  constructor(private readonly opts: SecretManagerStoreOptions) {
    this.description = `Secret Manager secrets ${opts.prefix}* in project ${opts.project}`;
    this.api = new SecretManagerApi(opts);
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log ?? silentLogger;
    this.cache = new ReadCache(opts.cacheTtlMs ?? 300_000, this.clock, opts.firstReadRetry);
  }

  /** `fresh` skips the cache: a token refresh reads so after taking its lease. */
  get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined> {
    return this.cache.get(name, () => this.read(this.opts.prefix + name), opts?.fresh);
  }

  private async read(id: string): Promise<SecretValue | undefined> {
    try {
      let version = 'latest';
      try {
        const label = (await this.api.getSecret(id)).labels?.[LATEST_VERSION_LABEL];
        if (label && /^\d+$/.test(label)) version = label;
      } catch (e) {
        // an accessor-only role cannot read the secret's metadata: its latest version will do
        if (!(e instanceof GoogleApiError && e.status === 403)) throw e;
      }
      return secretValue(await this.accessPinned(id, version), undefined);
    } catch (e) {
      // Secret Manager answers 403 for a secret that does not exist when access is granted per
      // secret, as Psoxy's Terraform does: both mean "not here", so the next store is asked
      if (e instanceof GoogleApiError && (e.status === 404 || e.status === 403 || e.reason === 'FAILED_PRECONDITION')) return undefined;
      throw new SecretStoreError(`cannot read secret ${id}: ${(e as Error).message}`);
    }
  }

  private async accessPinned(id: string, version: string): Promise<string> {
    try {
      return await this.api.access(id, version);
    } catch (e) {
      // the labelled version was destroyed or disabled by a newer write: the latest one is the value
      const gone = e instanceof GoogleApiError && (e.status === 404 || e.reason === 'FAILED_PRECONDITION');
      if (version === 'latest' || !gone) throw e;
      return this.api.access(id, 'latest');
    }
  }

  async set(name: string, value: string): Promise<void> {
    const id = this.opts.prefix + name;
    let n: number;
    try {
      n = versionNumber(await this.addVersion(id, value));
      await this.pin(id, n);
    } catch (e) {
      throw new SecretStoreError(`cannot write secret ${id}: ${(e as Error).message}`);
    }
    this.cache.wrote(name, value);
    await this.destroyReplaced(id, n);
  }

  private async addVersion(id: string, value: string): Promise<SecretVersion> {
    try {
      return await this.api.addVersion(id, value);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // Terraform creates the secrets it manages; one it does not (a shared access token) is created on first write
      await ensureSecret(this.api, id);
      return this.api.addVersion(id, value);
    }
  }

  /** Points the label at version `n` (etag-protected), never back to an older one than it names. */
  private async pin(id: string, n: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const secret = await this.api.getSecret(id);
      if (Number(secret.labels?.[LATEST_VERSION_LABEL]) >= n) return;
      try {
        await this.api.setLabels(id, { ...secret.labels, [LATEST_VERSION_LABEL]: String(n) }, secret.etag);
        return;
      } catch (e) {
        if (!isEtagConflict(e) || attempt >= 3) throw e;
      }
    }
  }

  /**
   * Destroys the enabled versions older than `n` (old tokens stay readable otherwise), and disabled
   * ones older than a week. The new value is already in place: a failure here is only reported.
   */
  private async destroyReplaced(id: string, n: number): Promise<void> {
    try {
      for (const v of await this.api.listVersions(id, 'ENABLED')) if (versionNumber(v) < n) await this.api.destroyVersion(id, v);
    } catch (e) {
      this.log.warn('could not destroy the replaced versions of a secret', { name: id, reason: (e as Error).message });
    }
    try {
      const cutoff = this.clock() - DISABLED_RETENTION_MS;
      for (const v of await this.api.listVersions(id, 'DISABLED')) {
        if (v.createTime && Date.parse(v.createTime) < cutoff) await this.api.destroyVersion(id, v);
      }
    } catch (e) {
      this.log.debug('could not destroy old disabled versions of a secret', { name: id, reason: (e as Error).message });
    }
  }
}
