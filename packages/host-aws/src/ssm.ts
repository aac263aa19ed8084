import { type Lease, type LeaseHandle, ReadCache, type SecretReadOptions, type SecretStore, SecretStoreError, type SecretValue, secretValue } from '@psoxy/core';
import { type AwsJsonClient, AwsServiceError } from './aws-json.js';

export interface SsmSecretStoreOptions {
  /** Psoxy's naming: `{root path}{ENV_ID}_{CONNECTOR}_` (e.g. `/PSOXY_GCAL_`), before each logical name. */
  prefix: string;
  /** How long a value read is reused (default 5 min); writes refresh it. */
  cacheTtlMs?: number;
  clock?: () => number;
}

interface Parameter {
  Parameter?: { Value?: string; LastModifiedDate?: number };
}

const notFound = (e: unknown) => e instanceof AwsServiceError && e.code === 'ParameterNotFound';

/**
 * Secrets in SSM Parameter Store (SecureString, decrypted on read), cached for a while, written
 * back when a token rotates.
 */
export class SsmSecretStore implements SecretStore {
  readonly description: string;
  private readonly cache: ReadCache;
  constructor(
    private readonly ssm: AwsJsonClient,
    private readonly opts: SsmSecretStoreOptions,
  ) {
    this.description = `SSM parameters ${opts.prefix}*`;
    this.cache = new ReadCache(opts.cacheTtlMs ?? 300_000, opts.clock ?? Date.now);
  }

  get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined> {
    const load = async () => {
      try {
        const r = await this.ssm.call<Parameter>('GetParameter', { Name: this.opts.prefix + name, WithDecryption: true });
        const modified = r.Parameter?.LastModifiedDate;
        return secretValue(r.Parameter?.Value, modified === undefined ? undefined : Math.round(modified * 1000));
      } catch (e) {
        if (notFound(e)) return undefined;
        throw new SecretStoreError(`cannot read SSM parameter ${this.opts.prefix}${name}: ${(e as Error).message}`);
      }
    };
    return this.cache.get(name, load, opts?.fresh);
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.ssm.call('PutParameter', { Name: this.opts.prefix + name, Value: value, Type: 'SecureString', Overwrite: true });
    } catch (e) {
      throw new SecretStoreError(`cannot write SSM parameter ${this.opts.prefix}${name}: ${(e as Error).message}`);
    }
    this.cache.wrote(name, value);
  }
}

/**
 * A lease across Lambda instances made of a conditional write, as Psoxy's: create
 * `{prefix}{name}_lock` without overwrite (`locked_<epoch ms>`), delete it to release; a lock older
 * than its TTL is stale and taken over.
 */
export class SsmLease implements Lease {
  constructor(
    private readonly ssm: AwsJsonClient,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  private read(param: string): Promise<string | undefined> {
    return this.ssm.call<Parameter>('GetParameter', { Name: param }).then(
      (r) => r.Parameter?.Value,
      () => undefined,
    );
  }

  async tryAcquire(name: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    const param = `${this.prefix}${name}_lock`;
    const mine = `locked_${this.clock()}_${Math.random().toString(36).slice(2)}`;
    try {
      await this.ssm.call('PutParameter', { Name: param, Value: mine, Type: 'String', Overwrite: false });
    } catch (e) {
      if (!(e instanceof AwsServiceError && e.code === 'ParameterAlreadyExists')) throw e;
      const since = Number(/^locked_(\d+)/.exec((await this.read(param)) ?? '')?.[1] ?? 0);
      if (this.clock() - since < ttlMs) return undefined;
      // stale: the holder died; take it over
      await this.ssm.call('PutParameter', { Name: param, Value: mine, Type: 'String', Overwrite: true });
    }
    // read back: of two racing writers, only the one whose value stuck holds the lease
    const check = await this.ssm.call<Parameter>('GetParameter', { Name: param });
    if (check.Parameter?.Value !== mine) return undefined;
    return {
      release: async () => {
        if ((await this.read(param)) === mine) await this.ssm.call('DeleteParameter', { Name: param }).catch(() => undefined);
      },
    };
  }
}
