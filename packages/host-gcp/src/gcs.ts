import type { ObjectStore, StoredObject } from '@psoxy/core';
import { type GoogleApiAccess, googleError, googleFetch, googleJson } from './google-api.js';

export interface GcsObjectStoreOptions extends GoogleApiAccess {
  /** Defaults to `https://storage.googleapis.com`; tests point it at a local server. */
  endpoint?: string | undefined;
  /** Bytes per upload request (default 8 MiB); GCS wants a multiple of 256 KiB. */
  chunkSize?: number | undefined;
}

const QUANTUM = 256 * 1024;
const DEFAULT_CHUNK = 32 * QUANTUM;

interface ObjectResource {
  contentType?: string;
  contentEncoding?: string;
  metadata?: Record<string, string>;
}

/**
 * Cloud Storage as the bulk handler's object store, over the JSON API
 * (https://cloud.google.com/storage/docs/json_api) with fetch: `@google-cloud/storage` would add
 * megabytes to a function that makes three kinds of call. Objects are read raw and written by a
 * resumable upload, streamed in chunks, so neither is ever held whole in memory.
 */
export class GcsObjectStore implements ObjectStore {
  private readonly endpoint: string;
  private readonly chunkSize: number;

  constructor(private readonly opts: GcsObjectStoreOptions) {
    this.endpoint = (opts.endpoint ?? 'https://storage.googleapis.com').replace(/\/+$/, '');
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
    if (!(this.chunkSize > 0 && this.chunkSize % QUANTUM === 0)) throw new RangeError(`chunkSize must be a positive multiple of ${QUANTUM} bytes`);
  }

  private objectUrl(bucket: string, key: string): string {
    return `${this.endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(key)}`;
  }

  async head(bucket: string, key: string): Promise<StoredObject> {
    const o = await googleJson<ObjectResource>(this.opts, this.objectUrl(bucket, key), {}, `get metadata of gs://${bucket}/${key}`);
    return { bucket, key, contentType: o.contentType, contentEncoding: o.contentEncoding, metadata: o.metadata ?? {} };
  }

  read(bucket: string, key: string): AsyncIterable<Uint8Array> {
    const { opts } = this;
    const url = `${this.objectUrl(bucket, key)}?alt=media`;
    return (async function* () {
      // accepting gzip stops GCS from decompressing objects stored gzip-encoded (decompressive
      // transcoding); if fetch decodes them on the way, the bulk reader sees plain text, and
      // otherwise it recognizes gzip by its magic bytes
      const res = await googleFetch(opts, url, { headers: { 'accept-encoding': 'gzip' } });
      if (!res.ok) throw await googleError(res, `read gs://${bucket}/${key}`);
      if (!res.body) return;
      for await (const chunk of res.body) yield chunk;
    })();
  }

  /**
   * A resumable upload: a session, then the body in chunks as it comes (the total size is told
   * with the last one). If the body or an upload fails, the session is cancelled, so nothing
   * appears at `key`: GCS creates the object only when the last chunk arrives.
   */
  async write(
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array>,
    meta: { contentType: string; contentEncoding?: string | undefined; metadata: Record<string, string> },
  ): Promise<void> {
    const where = `gs://${bucket}/${key}`;
    const session = await this.startUpload(bucket, key, meta, where);
    try {
      let offset = 0;
      let parts: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        parts.push(chunk);
        size += chunk.length;
        // send a full chunk only once more follows: the last request must carry the total
        while (size > this.chunkSize) {
          const pending = Buffer.concat(parts, size);
          const persisted = await this.putChunk(session, pending.subarray(0, this.chunkSize), offset, undefined, where);
          parts = [pending.subarray(persisted - offset)];
          size = pending.length - (persisted - offset);
          offset = persisted;
        }
      }
      let rest = Buffer.concat(parts, size);
      for (;;) {
        const total = offset + rest.length;
        const persisted = await this.putChunk(session, rest, offset, total, where);
        if (persisted === total) return;
        rest = rest.subarray(persisted - offset);
        offset = persisted;
      }
    } catch (e) {
      await googleFetch(this.opts, session, { method: 'DELETE' }).catch(() => undefined);
      throw e;
    }
  }

  private async startUpload(bucket: string, key: string, meta: { contentType: string; contentEncoding?: string | undefined; metadata: Record<string, string> }, where: string): Promise<string> {
    const url = `${this.endpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(key)}`;
    const resource = { name: key, contentType: meta.contentType, ...(meta.contentEncoding ? { contentEncoding: meta.contentEncoding } : {}), metadata: meta.metadata };
    const res = await googleFetch(this.opts, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-upload-content-type': meta.contentType },
      body: JSON.stringify(resource),
    });
    if (!res.ok) throw await googleError(res, `start upload of ${where}`);
    await res.body?.cancel();
    const session = res.headers.get('location');
    if (!session) throw new Error(`start upload of ${where}: no session URI in the answer`);
    // the access token goes with every chunk: only ever to the service it was meant for
    if (new URL(session, url).origin !== new URL(url).origin) throw new Error(`start upload of ${where}: the session URI points at another host`);
    return new URL(session, url).href;
  }

  /**
   * Sends `bytes` at `offset` (`total` on the last request) and returns how many bytes GCS has
   * persisted: all of them (the object exists when `total` was given), or fewer, to be sent again.
   */
  private async putChunk(session: string, bytes: Uint8Array, offset: number, total: number | undefined, where: string): Promise<number> {
    const range = bytes.length === 0 ? `bytes */${total}` : `bytes ${offset}-${offset + bytes.length - 1}/${total ?? '*'}`;
    const res = await googleFetch(this.opts, session, { method: 'PUT', headers: { 'content-range': range }, body: bytes });
    if (res.status === 200 || res.status === 201) {
      await res.body?.cancel();
      if (total === undefined) throw new Error(`upload of ${where}: GCS finished the object before its last chunk`);
      return total;
    }
    if (res.status !== 308) throw await googleError(res, `upload of ${where} (${range})`);
    await res.body?.cancel();
    // `Range: bytes=0-N` is what GCS has; no Range header means nothing yet
    const persisted = Number(/^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '')?.[1] ?? -1) + 1;
    if (persisted <= offset || persisted > offset + bytes.length) throw new Error(`upload of ${where}: GCS persisted up to byte ${persisted} of a chunk at ${offset}`);
    return persisted;
  }
}
