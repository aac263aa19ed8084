/** A held lease; release it when done (it also expires on its own after its TTL). */
export interface LeaseHandle {
  release(): Promise<void>;
}

/**
 * Mutual exclusion across proxy instances for work that must happen once (refreshing a token that
 * rotates). Hosts implement it with a conditional write (SSM parameter, Secret Manager etag); the
 * embedded default works within one process.
 */
export interface Lease {
  /** Takes the named lease for `ttlMs`, or returns undefined if someone else holds it. */
  tryAcquire(name: string, ttlMs: number): Promise<LeaseHandle | undefined>;
}

/** Leases within one process (the embedded default, and what tests share between instances). */
export class InProcessLease implements Lease {
  private readonly held = new Map<string, { until: number; token: object }>();
  constructor(private readonly clock: () => number = Date.now) {}
  async tryAcquire(name: string, ttlMs: number): Promise<LeaseHandle | undefined> {
    const now = this.clock();
    const cur = this.held.get(name);
    if (cur && cur.until > now) return undefined;
    const token = {};
    this.held.set(name, { until: now + ttlMs, token });
    return {
      release: async () => {
        if (this.held.get(name)?.token === token) this.held.delete(name);
      },
    };
  }
}

/** Waits for a lease, retrying with back-off; undefined when it could not be had in time. */
export async function acquireWithRetry(
  lease: Lease,
  name: string,
  ttlMs: number,
  opts: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<LeaseHandle | undefined> {
  const attempts = opts.attempts ?? 20;
  const delay = opts.delayMs ?? 250;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let i = 0; i < attempts; i++) {
    const h = await lease.tryAcquire(name, ttlMs);
    if (h) return h;
    await sleep(delay * (1 + Math.min(i, 4)) + Math.floor(Math.random() * 50));
  }
  return undefined;
}
