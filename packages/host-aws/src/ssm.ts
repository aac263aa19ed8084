import { type FirstReadRetry, type Lease, type LeaseHandle, type Logger, ReadCache, type SecretReadOptions, type SecretStore, SecretStoreError, type SecretValue, secretValue } from '@psoxy/core';
import { type AwsJsonClient, AwsServiceError, isAccessDenied } from './aws-json.js';

export interface SsmSecretStoreOptions {
  /** Psoxy's naming: `{root path}{ENV_ID}_{CONNECTOR}_` (e.g. `/PSOXY_GCAL_`), before each logical name. */
  prefix: string;
  /** How long a value read is reused (default 5 min); writes refresh it. */
  cacheTtlMs?: number;
  clock?: () => number;
  /** Share one reader between stores on the same client, so that their reads are batched together. */
  reader?: SsmParameterReader | undefined;
  /** Where a parameter the role may not read is reported (once per name). */
  log?: Logger | undefined;
  /** How a failed first read of a name is retried (default: 3 reads, 500 ms apart, as Psoxy). */
  firstReadRetry?: FirstReadRetry;
}

interface Parameter {
  Parameter?: { Value?: string; LastModifiedDate?: number };
}

interface Parameters {
  Parameters?: { Name?: string; Value?: string; LastModifiedDate?: number }[];
  InvalidParameters?: string[];
}

const notFound = (e: unknown) => e instanceof AwsServiceError && e.code === 'ParameterNotFound';

/**
 * A parameter's name as SSM keeps it: a root-level name with a leading slash (`/PSOXY_SALT`, as
 * Psoxy's defaults have none and this host's have one) is the same parameter as `PSOXY_SALT`, and
 * SSM answers with the name without the slash.
 */
export function ssmName(name: string): string {
  return name.startsWith('/') && name.indexOf('/', 1) < 0 ? name.slice(1) : name;
}

/** GetParameters takes at most this many names. */
const BATCH = 10;

/** A parameter read: its value, none by that name (undefined), or one the role may not read. */
type Found = { value: string | undefined; modified: number | undefined } | typeof DENIED | undefined;
const DENIED = 'denied' as const;

/**
 * Reads SSM parameters, batched: the names asked for in one turn of the event loop (a cold start
 * asks for ~10 secrets under two prefixes at once) go out as GetParameters calls of up to 10
 * names, one request and one connection where there were twenty. A batch that fails as a whole
 * (one name the role may not read fails it: AccessDenied) is asked again name by name, so each
 * name gets the answer it would have had alone; a name the role may not read is read alone from
 * then on (Psoxy grants the shared prefix's parameters one by one).
 */
export class SsmParameterReader {
  /** The names asked for in this turn, each with the one read all its callers share. */
  private queue = new Map<string, { read: Promise<Found>; settle: (read: Promise<Found>) => void }>();
  /** Names the role may not read: they would fail any batch they were in. */
  private readonly refused = new Set<string>();

  constructor(private readonly ssm: AwsJsonClient) {}

  /** The parameter (decrypted), or undefined if there is none by that name. */
  read(name: string): Promise<Found> {
    const queued = this.queue.get(name);
    if (queued) return queued.read;
    if (this.queue.size === 0) process.nextTick(() => this.flush());
    let settle: (read: Promise<Found>) => void = () => undefined;
    const read = new Promise<Found>((resolve) => {
      settle = resolve;
    });
    this.queue.set(name, { read, settle });
    return read;
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = new Map();
    const answer = (name: string, read: Promise<Found>) => queue.get(name)?.settle(read);
    const batched = [...queue.keys()].filter((name) => !this.refused.has(name));
    for (const name of queue.keys()) if (this.refused.has(name)) answer(name, this.one(name));
    for (let i = 0; i < batched.length; i += BATCH) {
      const chunk = batched.slice(i, i + BATCH);
      if (chunk.length === 1) {
        answer(chunk[0] as string, this.one(chunk[0] as string));
        continue;
      }
      this.ssm.call<Parameters>('GetParameters', { Names: chunk, WithDecryption: true }).then(
        (r) => {
          // matched by SSM's name: a root-level `/NAME` comes back as `NAME`
          const found = new Map((r.Parameters ?? []).map((p) => [ssmName(p.Name ?? ''), p]));
          for (const name of chunk) {
            const p = found.get(ssmName(name));
            answer(name, Promise.resolve(p ? { value: p.Value, modified: p.LastModifiedDate } : undefined));
          }
        },
        () => {
          for (const name of chunk) answer(name, this.one(name));
        },
      );
    }
  }

  private async one(name: string): Promise<Found> {
    try {
      const r = await this.ssm.call<Parameter>('GetParameter', { Name: name, WithDecryption: true });
      return { value: r.Parameter?.Value, modified: r.Parameter?.LastModifiedDate };
    } catch (e) {
      if (notFound(e)) return undefined;
      if (isAccessDenied(e)) {
        this.refused.add(name);
        return DENIED;
      }
      throw e;
    }
  }
}

/**
 * Secrets in SSM Parameter Store (SecureString, decrypted on read), cached for a while, written
 * back when a token rotates. Stores that share a reader (the instance and shared prefixes of one
 * function) have their reads batched together.
 */
export class SsmSecretStore implements SecretStore {
  readonly description: string;
  private readonly cache: ReadCache;
  private readonly reader: SsmParameterReader;
  private readonly denied = new Set<string>();
  constructor(
    private readonly ssm: AwsJsonClient,
    private readonly opts: SsmSecretStoreOptions,
  ) {
    this.description = `SSM parameters ${opts.prefix}*`;
    this.cache = new ReadCache(opts.cacheTtlMs ?? 300_000, opts.clock ?? Date.now, opts.firstReadRetry);
    this.reader = opts.reader ?? new SsmParameterReader(ssm);
  }

  get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined> {
    const load = async () => {
      let p: Found;
      try {
        p = await this.reader.read(this.opts.prefix + name);
      } catch (e) {
        throw new SecretStoreError(`cannot read SSM parameter ${this.opts.prefix}${name}: ${(e as Error).message}`);
      }
      if (p === DENIED) {
        // as Psoxy: a parameter the role may not read is absent (its grants may cover other names)
        if (!this.denied.has(name)) this.opts.log?.warn(`SSM parameter ${this.opts.prefix}${name} may not be read by this function's role (AccessDenied): treated as absent`);
        this.denied.add(name);
        return undefined;
      }
      const modified = p?.modified;
      return secretValue(p?.value, modified === undefined ? undefined : Math.round(modified * 1000));
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
