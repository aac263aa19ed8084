import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SecretStore, SecretStoreError, type SecretValue } from '@psoxy/core';

/** Psoxy's value for a secret created but not filled in yet. */
const PLACEHOLDER = 'fill me';

/**
 * Secrets in AWS Secrets Manager (`SECRETS_STORE=aws_secrets_manager`), named as Psoxy names them
 * (`{prefix}{NAME}`), cached for a while; a rotated token is written as a new version.
 */
export class SecretsManagerStore implements SecretStore {
  readonly description: string;
  private readonly cache = new Map<string, { value: SecretValue | undefined; at: number }>();
  constructor(
    private readonly sm: SecretsManagerClient,
    private readonly opts: { prefix: string; cacheTtlMs?: number; clock?: () => number },
  ) {
    this.description = `Secrets Manager secrets ${opts.prefix}*`;
  }

  private now(): number {
    return (this.opts.clock ?? Date.now)();
  }

  async get(name: string): Promise<SecretValue | undefined> {
    const hit = this.cache.get(name);
    if (hit && this.now() - hit.at < (this.opts.cacheTtlMs ?? 300_000)) return hit.value;
    let value: SecretValue | undefined;
    try {
      const r = await this.sm.send(new GetSecretValueCommand({ SecretId: this.opts.prefix + name }));
      const v = r.SecretString;
      value = v === undefined || v === '' || v === PLACEHOLDER ? undefined : { value: v, updatedAt: r.CreatedDate?.getTime() };
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw new SecretStoreError(`cannot read secret ${this.opts.prefix}${name}: ${(e as Error).message}`);
    }
    this.cache.set(name, { value, at: this.now() });
    return value;
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.sm.send(new PutSecretValueCommand({ SecretId: this.opts.prefix + name, SecretString: value }));
    } catch (e) {
      throw new SecretStoreError(`cannot write secret ${this.opts.prefix}${name}: ${(e as Error).message}`);
    }
    this.cache.set(name, { value: { value, updatedAt: this.now() }, at: this.now() });
  }
}
