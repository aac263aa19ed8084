import { type FirstReadRetry, type Logger, ReadCache, type SecretReadOptions, type SecretStore, SecretStoreError, type SecretValue, secretValue } from '@psoxy/core';
import { type AwsJsonClient, AwsServiceError, isAccessDenied } from './aws-json.js';

/**
 * Secrets in AWS Secrets Manager (`SECRETS_STORE=aws_secrets_manager`), named as Psoxy names them
 * (`{prefix}{NAME}`), cached for a while; a rotated token is written as a new version.
 */
export class SecretsManagerStore implements SecretStore {
  readonly description: string;
  private readonly cache: ReadCache;
  private readonly denied = new Set<string>();
  constructor(
    private readonly sm: AwsJsonClient,
    private readonly opts: { prefix: string; cacheTtlMs?: number; clock?: () => number; log?: Logger | undefined; firstReadRetry?: FirstReadRetry },
  ) {
    this.description = `Secrets Manager secrets ${opts.prefix}*`;
    this.cache = new ReadCache(opts.cacheTtlMs ?? 300_000, opts.clock ?? Date.now, opts.firstReadRetry);
  }

  get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined> {
    const load = async () => {
      try {
        const r = await this.sm.call<{ SecretString?: string; CreatedDate?: number }>('GetSecretValue', { SecretId: this.opts.prefix + name });
        return secretValue(r.SecretString, r.CreatedDate === undefined ? undefined : Math.round(r.CreatedDate * 1000));
      } catch (e) {
        if (e instanceof AwsServiceError && e.code === 'ResourceNotFoundException') return undefined;
        if (isAccessDenied(e)) {
          // as Psoxy: a secret the role may not read is absent (its grants may cover other names)
          if (!this.denied.has(name)) this.opts.log?.warn(`secret ${this.opts.prefix}${name} may not be read by this function's role (AccessDenied): treated as absent`);
          this.denied.add(name);
          return undefined;
        }
        throw new SecretStoreError(`cannot read secret ${this.opts.prefix}${name}: ${(e as Error).message}`);
      }
    };
    return this.cache.get(name, load, opts?.fresh);
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.sm.call('PutSecretValue', { SecretId: this.opts.prefix + name, SecretString: value });
    } catch (e) {
      throw new SecretStoreError(`cannot write secret ${this.opts.prefix}${name}: ${(e as Error).message}`);
    }
    this.cache.wrote(name, value);
  }
}
