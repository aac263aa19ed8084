import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A secret's value and, when the store knows it, when it was last written (epoch ms). */
export interface SecretValue {
  value: string;
  updatedAt?: number | undefined;
}

/**
 * Where the proxy reads its secrets (salt, keys, source credentials) and writes back the ones that
 * change (rotated refresh tokens, shared access tokens). Hosts provide cloud implementations; the
 * embedded defaults are the environment and a local file.
 */
/** How a secret is read. */
export interface SecretReadOptions {
  /**
   * Skip any cache: the value as the store holds it now. A token refresh reads this way after
   * taking its lease, since another instance may have just rotated the token.
   */
  fresh?: boolean | undefined;
}

export interface SecretStore {
  /** Undefined when the secret does not exist (or is a placeholder). */
  get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined>;
  /** Writes a new value. Stores that cannot be written throw {@link SecretStoreError}. */
  set(name: string, value: string): Promise<void>;
  /** What this store is, for messages (never a value). */
  readonly description: string;
}

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

/** Psoxy's placeholder for a secret not filled in yet. */
export const PLACEHOLDER = 'fill me';

/** Secrets from environment variables, optionally under a prefix (`PSOXY_GCAL_` + `CLIENT_ID`). Read-only. */
export class EnvSecretStore implements SecretStore {
  readonly description: string;
  constructor(
    private readonly env: Record<string, string | undefined> = process.env,
    private readonly prefix = '',
  ) {
    this.description = prefix ? `environment variables ${prefix}*` : 'environment variables';
  }
  async get(name: string): Promise<SecretValue | undefined> {
    const v = this.env[this.prefix + name];
    return v === undefined || v === '' || v === PLACEHOLDER ? undefined : { value: v };
  }
  async set(name: string): Promise<void> {
    throw new SecretStoreError(`cannot write ${name}: ${this.description} are read-only; use a secrets file (--secrets) for secrets that rotate`);
  }
}

interface FileContent {
  [name: string]: { value: string; updatedAt?: number };
}

/**
 * Secrets in a local JSON file (`{"NAME": "value"}` or `{"NAME": {"value": ..., "updatedAt": ...}}`),
 * written back atomically (temporary file then rename) with mode 0600. Writes in one process are
 * serialized; across processes, use a lease around read-modify-write (as the token manager does).
 */
export class FileSecretStore implements SecretStore {
  readonly description: string;
  private queue: Promise<unknown> = Promise.resolve();
  constructor(
    readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.description = `secrets file ${path}`;
  }

  private async load(): Promise<FileContent> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new SecretStoreError(`cannot read ${this.description}: ${(e as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new SecretStoreError(`${this.description} is not valid JSON: expected {"NAME": "value", ...}`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SecretStoreError(`${this.description} must hold a JSON object`);
    const out: FileContent = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = { value: v };
      else if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string') {
        const u = (v as { updatedAt?: unknown }).updatedAt;
        out[k] = { value: (v as { value: string }).value, ...(typeof u === 'number' ? { updatedAt: u } : {}) };
      } else throw new SecretStoreError(`${this.description}: ${k} must be a string`);
    }
    return out;
  }

  async get(name: string): Promise<SecretValue | undefined> {
    await this.queue;
    const s = (await this.load())[name];
    if (!s || s.value === '' || s.value === PLACEHOLDER) return undefined;
    if (s.updatedAt !== undefined) return s;
    try {
      return { value: s.value, updatedAt: (await stat(this.path)).mtimeMs };
    } catch {
      return { value: s.value };
    }
  }

  set(name: string, value: string): Promise<void> {
    const run = this.queue.then(async () => {
      const content = await this.load();
      content[name] = { value, updatedAt: this.clock() };
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Reads from each store in turn; writes go to the first store that accepts them. */
export class ChainSecretStore implements SecretStore {
  readonly description: string;
  constructor(private readonly stores: SecretStore[]) {
    this.description = stores.map((s) => s.description).join(', then ');
  }
  /**
   * Asks every store at once and answers as if asked in order: the first store's value, else its
   * error, else the next store's. On a cold start the shared layer (where the salt lives) is then
   * one round trip away, not two; the price is a read of the later layers that is not needed when
   * an earlier one holds the secret.
   */
  async get(name: string, opts?: SecretReadOptions): Promise<SecretValue | undefined> {
    const reads = this.stores.map((s) => s.get(name, opts));
    // a later layer's failure after an earlier layer's answer is no unhandled rejection
    for (const r of reads) r.catch(() => undefined);
    for (const r of reads) {
      const v = await r;
      if (v !== undefined) return v;
    }
    return undefined;
  }
  async set(name: string, value: string): Promise<void> {
    const errors: string[] = [];
    for (const s of this.stores) {
      try {
        await s.set(name, value);
        return;
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    throw new SecretStoreError(errors.join('; '));
  }
}

/** Reads a required secret, with a message that says where it was looked for and how to fix it. */
export async function requireSecret(store: SecretStore, name: string): Promise<string> {
  const v = await store.get(name);
  if (v === undefined) throw new MissingSecretError(name, store.description);
  return v.value;
}

export class MissingSecretError extends Error {
  override readonly name = 'MissingSecretError';
  constructor(
    readonly secret: string,
    readonly where: string,
  ) {
    super(`missing secret ${secret}: set it in ${where}`);
  }
}

/** Secrets held in memory (values given on a command line, tests). Writable. */
export class MemorySecretStore implements SecretStore {
  readonly description: string;
  private readonly values = new Map<string, SecretValue>();
  constructor(
    initial: Record<string, string | undefined> = {},
    description = 'values given on the command line',
    private readonly clock: () => number = Date.now,
  ) {
    this.description = description;
    for (const [k, v] of Object.entries(initial)) if (v !== undefined && v !== '') this.values.set(k, { value: v });
  }
  async get(name: string): Promise<SecretValue | undefined> {
    return this.values.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, { value, updatedAt: this.clock() });
  }
}

/** How long a cloud host reuses what it read, as Psoxy: instance secrets 5 minutes (tokens rotate), shared ones 20 (salt and keys never do). */
export const INSTANCE_SECRETS_TTL_MS = 5 * 60_000;
export const SHARED_SECRETS_TTL_MS = 20 * 60_000;

/**
 * Psoxy's secret lookup on a cloud host: the instance namespace, then the shared one (unless it is
 * the same), then the environment. `store` makes the cloud store for a namespace and cache lifetime.
 */
export function layeredSecrets(store: (prefix: string, cacheTtlMs: number) => SecretStore, instance: string, shared: string, env: Record<string, string | undefined>): SecretStore {
  return new ChainSecretStore([store(instance, INSTANCE_SECRETS_TTL_MS), ...(shared !== instance ? [store(shared, SHARED_SECRETS_TTL_MS)] : []), new EnvSecretStore(env)]);
}
