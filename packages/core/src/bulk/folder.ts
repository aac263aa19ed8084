import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore, StoredObject } from './handler.js';
import type { ByteSource } from './text-input.js';

/** A folder as a bucket: the bucket name is the folder's path, keys are paths within it. */
export class FolderStore implements ObjectStore {
  private path(bucket: string, key: string): string {
    const root = resolve(bucket);
    const p = resolve(root, key);
    // keys come from listings, but a key must never escape its bucket
    if (p !== root && !p.startsWith(root + sep)) throw new Error(`object key '${key}' leaves the folder ${root}`);
    return p;
  }

  async head(bucket: string, key: string): Promise<StoredObject> {
    await stat(this.path(bucket, key));
    return { bucket, key, metadata: {} };
  }

  read(bucket: string, key: string): ByteSource {
    return createReadStream(this.path(bucket, key));
  }

  async write(bucket: string, key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const target = this.path(bucket, key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.psoxy-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }
}

/** Whether a file name is one of ours in progress, or hidden: never an input. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.');
}

/** Every file under a folder, as keys with `/` separators, in a stable order. */
export async function listKeys(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (isIgnoredName(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(relative(folder, p).split(sep).join('/'));
    }
  };
  await walk(folder);
  return out;
}

export interface FolderWatchOptions {
  /** How often to look for new files. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called for each file once it has stopped changing (same size and time on two looks). */
  onFile: (key: string) => Promise<void>;
}

/**
 * Watches a folder as a bucket trigger would: each new or changed file is handed on once it is
 * complete. Polling, not fs events: a file being copied in fires events before it is whole.
 */
export async function watchFolder(folder: string, opts: FolderWatchOptions): Promise<void> {
  const interval = opts.intervalMs ?? 500;
  const seen = new Map<string, string>();
  const pending = new Map<string, string>();
  while (!opts.signal?.aborted) {
    for (const key of await listKeys(folder)) {
      let sig: string;
      try {
        const s = await stat(join(folder, key));
        sig = `${s.size}:${s.mtimeMs}`;
      } catch {
        continue;
      }
      if (seen.get(key) === sig) continue;
      if (pending.get(key) !== sig) {
        pending.set(key, sig);
        continue;
      }
      pending.delete(key);
      seen.set(key, sig);
      if (opts.signal?.aborted) return;
      await opts.onFile(key);
    }
    await new Promise<void>((r) => {
      // the abort listener goes with the pause it ends: one per poll would pile up while watching
      const stop = () => {
        clearTimeout(t);
        r();
      };
      const t = setTimeout(() => {
        opts.signal?.removeEventListener('abort', stop);
        r();
      }, interval);
      opts.signal?.addEventListener('abort', stop, { once: true });
    });
  }
}
