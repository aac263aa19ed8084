import { PLACEHOLDER, type SecretValue } from './secrets.js';

/** The value Psoxy's GCP Terraform writes into a secret nobody has filled yet. */
export const GCP_PLACEHOLDER = 'placeholder value - fill me';

/** A cloud secret's text as a value: undefined when empty or still one of Psoxy's placeholders. */
export function secretValue(text: string | undefined, updatedAt: number | undefined): SecretValue | undefined {
  return text === undefined || text === '' || text === PLACEHOLDER || text === GCP_PLACEHOLDER ? undefined : { value: text, updatedAt };
}

/**
 * Secrets read from a cloud store, reused for a while (misses too, so an unset optional secret
 * costs one call per TTL); a write refreshes the entry. Hosts' stores share it.
 */
export class ReadCache {
  private readonly entries = new Map<string, { value: SecretValue | undefined; at: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  /** The cached value while it is younger than the TTL (unless `fresh`), else loads and caches it. */
  async get(name: string, load: () => Promise<SecretValue | undefined>, fresh = false): Promise<SecretValue | undefined> {
    const hit = this.entries.get(name);
    if (!fresh && hit && this.clock() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    this.entries.set(name, { value, at: this.clock() });
    return value;
  }

  wrote(name: string, value: string): void {
    const now = this.clock();
    this.entries.set(name, { value: { value, updatedAt: now }, at: now });
  }
}
