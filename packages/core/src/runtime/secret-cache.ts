import { PLACEHOLDER, type SecretValue } from './secrets.js';

/** The value Psoxy's GCP Terraform writes into a secret nobody has filled yet. */
export const GCP_PLACEHOLDER = 'placeholder value - fill me';

/** A cloud secret's text as a value: undefined when empty or still one of Psoxy's placeholders. */
export function secretValue(text: string | undefined, updatedAt: number | undefined): SecretValue | undefined {
  return text === undefined || text === '' || text === PLACEHOLDER || text === GCP_PLACEHOLDER ? undefined : { value: text, updatedAt };
}

/** How a cache retries a store that fails (throws) on a name's first read. */
export interface FirstReadRetry {
  /** Reads in all (default 3). */
  attempts: number;
  /** Pause between them (default 500 ms). */
  delayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY: FirstReadRetry = { attempts: 3, delayMs: 500 };

/**
 * Secrets read from a cloud store, reused for a while (misses too, so an unset optional secret
 * costs one call per TTL); a write refreshes the entry. Hosts' stores share it.
 *
 * As Psoxy's cache: a store that fails a name's first read is asked again (a cold start should not
 * fail for one dropped call), and once a name has had a value, a refresh that fails or reads it
 * empty keeps that value (a store's hiccup should not take a working proxy's salt or token away).
 */
export class ReadCache {
  private readonly entries = new Map<string, { value: SecretValue | undefined; at: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
    private readonly retry: FirstReadRetry = DEFAULT_RETRY,
  ) {}

  /** The cached value while it is younger than the TTL (unless `fresh`), else loads and caches it. */
  async get(name: string, load: () => Promise<SecretValue | undefined>, fresh = false): Promise<SecretValue | undefined> {
    const hit = this.entries.get(name);
    if (!fresh && hit && this.clock() - hit.at < this.ttlMs) return hit.value;
    const known = hit?.value;
    let value: SecretValue | undefined;
    try {
      value = hit ? await load() : await this.firstRead(load);
    } catch (e) {
      if (known === undefined) throw e;
      value = known;
    }
    if (value === undefined && known !== undefined) value = known;
    this.entries.set(name, { value, at: this.clock() });
    return value;
  }

  private async firstRead(load: () => Promise<SecretValue | undefined>): Promise<SecretValue | undefined> {
    const sleep = this.retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await load();
      } catch (e) {
        if (attempt >= this.retry.attempts) throw e;
        await sleep(this.retry.delayMs);
      }
    }
  }

  wrote(name: string, value: string): void {
    const now = this.clock();
    this.entries.set(name, { value: { value, updatedAt: now }, at: now });
  }
}
