import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export interface NodeHttpFetchOptions {
  /** Sockets kept open per origin (default 64). */
  maxSockets?: number;
}

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

function decoded(res: IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  // as fetch does: the body comes decoded; a corrupt encoding fails the read
  if (enc === 'gzip' || enc === 'x-gzip') return res.pipe(createGunzip());
  if (enc === 'deflate') return res.pipe(createInflate());
  if (enc === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

/**
 * A `fetch` for the proxy's upstream calls on node:http(s) with keep-alive agents: the subset of
 * fetch the proxy uses (method, headers, body, `redirect: 'manual'`, `signal`), decoded bodies,
 * and failures shaped as undici's (`TypeError('fetch failed', {cause})`). Several times cheaper per
 * call than Node's built-in fetch, whose spec machinery dominates small requests. Redirects are
 * never followed (the proxy decides about them itself).
 */
export function nodeHttpFetch(opts: NodeHttpFetchOptions = {}): typeof fetch {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  return async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? req.signal;
    signal?.throwIfAborted();
    const url = new URL(req.url);
    const method = (init?.method ?? req.method).toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? req.headers).forEach((v, k) => {
      headers[k] = v;
    });
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const b = init?.body !== undefined && init.body !== null ? await new Response(init.body).arrayBuffer() : await req.arrayBuffer();
      if (b.byteLength > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH') {
        body = Buffer.from(b);
        headers['content-length'] = String(body.length);
      }
    }
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
    return new Promise<Response>((resolve, reject) => {
      const out = (isHttps ? httpsRequest : httpRequest)(url, { method, headers, agent: isHttps ? httpsAgent : httpAgent }, (res) => {
        const status = res.statusCode ?? 502;
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          if (Array.isArray(v)) for (const x of v) h.append(k, x);
          else h.set(k, v);
        }
        if (method === 'HEAD' || NO_BODY_STATUS.has(status)) {
          res.resume();
          resolve(new Response(null, { status, headers: h }));
          return;
        }
        const stream = decoded(res);
        // a connection cut mid-body fails the read (pipe would not pass the error on)
        if (stream !== res) res.on('error', (e) => stream.destroy(e));
        const onAbort = () => stream.destroy(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        stream.on('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers: h }));
      });
      const onAbort = () => {
        out.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      out.on('response', () => signal?.removeEventListener('abort', onAbort));
      out.on('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(signal.reason);
        else reject(new TypeError('fetch failed', { cause: e }));
      });
      out.end(body);
    });
  };
}
