import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isOk } from '../http/types.js';
import type { ExchangeHandler } from '../proxy/handler.js';
import { type AsyncDispatcher, type OutputMeta, type ProcessingContext, type QueuedRequest, type ResponseOutput, isFinalFailure, requestFromQueue } from '../proxy/outputs.js';
import type { Logger } from './logger.js';

/** A folder as `SIDE_OUTPUT_*` / `ASYNC_OUTPUT_DESTINATION` name it on this machine: `file://` URI or a path. */
export function localFolder(value: string): string {
  const v = value.trim();
  if (/^file:\/\//i.test(v)) return fileURLToPath(v);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new Error('this host writes outputs to local folders: give a folder path or a file:// URI');
  return resolve(v);
}

/**
 * A response output in a folder on this machine (the local host's side outputs and asynchronous
 * results): each object a file at its key, gzipped as in a bucket, with its metadata beside it in
 * `<key>.metadata.json`. Files are written whole or not at all (a temporary file, then a rename).
 */
export class FolderOutput implements ResponseOutput {
  readonly uri: string;
  private readonly dir: string;

  constructor(folder: string) {
    this.dir = localFolder(folder);
    this.uri = pathToFileURL(`${this.dir}${sep}`).href;
  }

  async write(key: string, body: Uint8Array, meta: OutputMeta): Promise<void> {
    const path = join(this.dir, key);
    // keys are made by the proxy, but a file is written under the folder or not at all
    const inside = relative(this.dir, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new Error(`not a key under ${this.dir}: ${key}`);
    await mkdir(dirname(path), { recursive: true });
    await writeWhole(path, body);
    await writeWhole(`${path}.metadata.json`, `${JSON.stringify(meta, null, 2)}\n`);
  }
}

async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  // a temporary name of its own: two outputs in one folder write the same key at the same time
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * The asynchronous mode's queue inside this process (the local host's): a queued request is
 * processed by the same proxy right after its 202 is answered, tried up to three times while it
 * fails with a status that may pass. `drain()` waits for what is queued (before the host stops).
 */
export class InProcessQueue implements AsyncDispatcher {
  private proxy: ExchangeHandler | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** The proxy that processes what is queued (made after this queue, which it is given). */
  attach(proxy: ExchangeHandler): void {
    this.proxy = proxy;
  }

  async dispatch(request: QueuedRequest, context: ProcessingContext): Promise<void> {
    const proxy = this.proxy;
    if (!proxy) throw new Error('the in-process queue has no proxy to process requests');
    // as a real queue carries it: a copy, in JSON
    const queued = JSON.parse(JSON.stringify(request)) as QueuedRequest;
    const job = (async () => {
      await new Promise((r) => setImmediate(r));
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          const res = await proxy(requestFromQueue(queued, context));
          if (isOk(res.status)) return;
          this.log.error('queued request failed', { requestId: context.requestId, status: res.status, attempt });
          if (isFinalFailure(res.status)) return;
        } catch (e) {
          this.log.error('queued request failed', { requestId: context.requestId, reason: (e as Error).message, attempt });
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    })();
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves once every queued request has been processed (or has failed for good). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
