import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An object in the fake Cloud Storage, as stored (a gzip-encoded object holds the gzip bytes). */
export interface FakeObject {
  data: Buffer;
  contentType?: string;
  contentEncoding?: string;
  metadata?: Record<string, string>;
}

/** A resumable upload session, as the fake Cloud Storage saw it. */
export interface FakeUploadSession {
  bucket: string;
  name: string;
  resource: { contentType?: string; contentEncoding?: string; metadata?: Record<string, string> };
  parts: Buffer[];
  received: number;
  state: 'open' | 'done' | 'cancelled';
}

export interface FakeGcs {
  /** Base URL (`http://127.0.0.1:<port>`): a host's Cloud Storage endpoint. */
  url: string;
  token: string;
  /** `bucket/name` → object. */
  objects: Map<string, FakeObject>;
  sessions: FakeUploadSession[];
  /** `METHOD path?query [content-range]` of every call. */
  calls: string[];
  /** `accept-encoding` of each media download. */
  downloads: (string | undefined)[];
  /** Persist only this many bytes of the next non-final chunk (GCS may keep less than it was sent). */
  shortWrite: number | undefined;
  close(): Promise<void>;
}

const QUANTUM = 256 * 1024;

/**
 * Google Cloud Storage's JSON API on 127.0.0.1, for the calls a psoxy GCP host's object store
 * makes: object metadata, media download (decompressive transcoding unless the client accepts
 * gzip), resumable uploads (session POST, chunk PUTs checked for order and 256 KiB alignment with
 * 308 + Range answers, DELETE to cancel, answered 499 as GCS does). Every call must carry
 * `Authorization: Bearer <token>` (else 401). Seed inputs through `objects`; point
 * @psoxy/host-gcp at it with `new GcsObjectStore({ endpoint: fake.url, ... })`, or
 * `STORAGE_EMULATOR_HOST` for a bundled function in another process.
 */
export async function startFakeGcs(token = 'gcs-token'): Promise<FakeGcs> {
  const objects = new Map<string, FakeObject>();
  const sessions: FakeUploadSession[] = [];
  const calls: string[] = [];
  const downloads: (string | undefined)[] = [];
  const fake = { shortWrite: undefined as number | undefined };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, message: string) => json(res, code, { error: { code, message, errors: [{ message }] } });
  const resource = (bucket: string, name: string, o: FakeObject) => ({
    kind: 'storage#object',
    bucket,
    name,
    size: String(o.data.length),
    ...(o.contentType ? { contentType: o.contentType } : {}),
    ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  });

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse, base: string) => {
    const u = new URL(req.url ?? '/', base);
    calls.push(`${req.method} ${u.pathname}${u.search}${req.headers['content-range'] ? ` [${req.headers['content-range']}]` : ''}`);
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, 'Invalid Credentials');
    let m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(u.pathname);
    if (m && req.method === 'GET') {
      const bucket = decodeURIComponent(m[1] as string);
      const name = decodeURIComponent(m[2] as string);
      const o = objects.get(`${bucket}/${name}`);
      if (!o) return fail(res, 404, `No such object: ${bucket}/${name}`);
      if (u.searchParams.get('alt') !== 'media') return json(res, 200, resource(bucket, name, o));
      const accept = req.headers['accept-encoding'];
      downloads.push(accept);
      if (o.contentEncoding === 'gzip' && !/\bgzip\b/.test(accept ?? '')) {
        res.writeHead(200, { 'content-type': o.contentType ?? 'application/octet-stream', 'x-goog-stored-content-encoding': 'gzip' });
        return res.end(gunzipSync(o.data));
      }
      res.writeHead(200, { 'content-type': o.contentType ?? 'application/octet-stream', ...(o.contentEncoding ? { 'content-encoding': o.contentEncoding } : {}) });
      return res.end(o.data);
    }
    m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(u.pathname);
    if (m && req.method === 'POST' && u.searchParams.get('uploadType') === 'resumable') {
      const meta = JSON.parse(body.toString() || '{}') as FakeUploadSession['resource'] & { name?: string };
      const name = u.searchParams.get('name') ?? meta.name;
      if (!name) return fail(res, 400, 'name is required');
      sessions.push({ bucket: decodeURIComponent(m[1] as string), name, resource: meta, parts: [], received: 0, state: 'open' });
      res.writeHead(200, { location: `${base}${u.pathname}?uploadType=resumable&upload_id=session-${sessions.length - 1}`, 'content-length': '0' });
      return res.end();
    }
    const id = /^session-(\d+)$/.exec(u.searchParams.get('upload_id') ?? '')?.[1];
    const s = id === undefined ? undefined : sessions[Number(id)];
    if (s && req.method === 'DELETE') {
      s.state = 'cancelled';
      res.writeHead(499, { 'content-length': '0' });
      return res.end();
    }
    if (s && req.method === 'PUT') {
      if (s.state !== 'open') return fail(res, 404, 'upload session is closed');
      const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(req.headers['content-range'] ?? '');
      if (!range) return fail(res, 400, 'bad Content-Range');
      const total = range[3] === '*' ? undefined : Number(range[3]);
      if (range[1] !== undefined) {
        const first = Number(range[1]);
        const last = Number(range[2]);
        if (first !== s.received || last - first + 1 !== body.length) return fail(res, 400, `chunk ${first}-${last} does not follow byte ${s.received}`);
        if (total === undefined && body.length % QUANTUM !== 0) return fail(res, 400, 'a chunk that is not the last must be a multiple of 256 KiB');
        let keep = body.length;
        if (total === undefined && fake.shortWrite !== undefined) {
          keep = Math.min(keep, fake.shortWrite);
          fake.shortWrite = undefined;
        }
        s.parts.push(body.subarray(0, keep));
        s.received += keep;
      }
      if (total !== undefined && s.received === total) {
        s.state = 'done';
        const o: FakeObject = { data: Buffer.concat(s.parts), contentType: s.resource.contentType, contentEncoding: s.resource.contentEncoding, metadata: s.resource.metadata };
        objects.set(`${s.bucket}/${s.name}`, o);
        return json(res, 200, resource(s.bucket, s.name, o));
      }
      res.writeHead(308, { ...(s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {}), 'content-length': '0' });
      return res.end();
    }
    fail(res, 404, `no route ${req.method} ${u.pathname}`);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks), res, base);
      } catch (e) {
        fail(res, 500, (e as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url: base,
    token,
    objects,
    sessions,
    calls,
    downloads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
