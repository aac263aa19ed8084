import { Agent as HttpAgent, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type HeaderMap, type HttpClient, HttpClientError, type HttpRequest, type HttpResponse, bodyTooLarge, bodyTruncated } from './types.js';

export interface NodeHttpClientOptions {
  /** Sockets kept open per origin (default 64). */
  maxSockets?: number;
}

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

function decoded(res: IncomingMessage): Readable {
  const enc = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  // as fetch does: the body comes decoded; a corrupt encoding fails the read
  const stream =
    enc === 'gzip' || enc === 'x-gzip' ? createGunzip() : enc === 'deflate' ? createInflate() : enc === 'br' ? createBrotliDecompress() : undefined;
  if (!stream) return res;
  // a connection cut mid-body fails the read (pipe would not pass the error on)
  res.on('error', (e) => stream.destroy(e));
  return res.pipe(stream);
}

/**
 * Node's parsed headers (lower-case names; what Node keeps of a repeated header) as a
 * {@link HeaderMap}: arrays joined with `, `; HTTP/2 pseudo-headers (`:path`) left out.
 */
export function headerMapOf(raw: IncomingHttpHeaders): HeaderMap {
  const out: HeaderMap = {};
  for (const k of Object.keys(raw)) {
    const v = raw[k];
    if (v !== undefined && !k.startsWith(':')) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Where a request goes: scheme, host and port, parsed once per origin. */
interface Target {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: number | undefined;
  /** `host[:port]`, for messages. */
  readonly host: string;
}

// an authority made only of these is split off the URL as it is; anything else is parsed whole
const PLAIN_AUTHORITY = /^https?:\/\/[A-Za-z0-9.:[\]-]+$/;
const MAX_ORIGINS = 64;

/**
 * The request's target. A caller calls the same few origins again and again (the source, its
 * token endpoint, the secret store), so a plain `scheme://host[:port]` prefix is parsed once and
 * the rest of the URL sent as the path (a WHATWG parse of each URL, and Node's conversion of it
 * to options, cost ~2 % of the proxy's CPU under load). Other URLs are parsed whole.
 */
function targetOf(url: string, cache: Map<string, Target>): Target & { path: string } {
  const authorityAt = url.indexOf('//') + 2;
  let end = authorityAt;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  const prefix = url.slice(0, end);
  let rest = url.slice(end);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  if (authorityAt > 2 && PLAIN_AUTHORITY.test(prefix)) {
    let t = cache.get(prefix);
    if (t === undefined) {
      t = parseTarget(parseUrl(prefix));
      if (cache.size >= MAX_ORIGINS) cache.clear();
      cache.set(prefix, t);
    }
    return { ...t, path: rest.startsWith('/') ? rest : `/${rest}` };
  }
  const u = parseUrl(url);
  if (u.username || u.password) throw new TypeError('URLs with credentials in them are not supported: pass them in a header');
  return { ...parseTarget(u), path: `${u.pathname}${u.search}` };
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new TypeError(`not a valid URL: ${url}`);
  }
}

function parseTarget(u: URL): Target {
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError(`unsupported protocol ${u.protocol}`);
  // brackets off an IPv6 literal: node:http wants the bare address
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { https: u.protocol === 'https:', hostname, port: u.port === '' ? undefined : Number(u.port), host: u.host };
}

/** One exchange in flight: its time budget covers the answer and the body. */
class Exchange {
  private timer: NodeJS.Timeout | undefined;
  private expired: HttpClientError | undefined;
  private onExpiry: ((e: HttpClientError) => void) | undefined;

  constructor(timeoutMs: number | undefined, what: string) {
    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => {
        this.expired = new HttpClientError('timeout', `${what} did not answer within ${timeoutMs} ms`);
        this.onExpiry?.(this.expired);
      }, timeoutMs);
    }
  }

  /** Calls `abort` if the budget runs out from now on (or at once, if it has). */
  whenExpired(abort: (e: HttpClientError) => void): void {
    if (this.expired) abort(this.expired);
    else this.onExpiry = abort;
  }

  get timedOut(): HttpClientError | undefined {
    return this.expired;
  }

  done(): void {
    clearTimeout(this.timer);
    this.onExpiry = undefined;
  }
}

class NodeHttpResponse implements HttpResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  private consumed = false;

  constructor(
    private readonly res: IncomingMessage,
    private readonly exchange: Exchange,
    private readonly empty: boolean,
  ) {
    this.status = res.statusCode ?? 502;
    this.headers = headerMapOf(res.headers);
    if (empty) {
      res.resume();
      exchange.done();
    }
  }

  bytes(limit = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    if (this.consumed) return Promise.reject(new Error('the response body was already read'));
    this.consumed = true;
    if (this.empty) return Promise.resolve(new Uint8Array(0));
    const declared = Number(this.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit && !this.headers['content-encoding']) {
      this.discard();
      return Promise.reject(bodyTooLarge(limit));
    }
    const stream = decoded(this.res);
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (e: HttpClientError) => {
        if (settled) return;
        settled = true;
        this.exchange.done();
        stream.destroy();
        if (stream !== this.res) this.res.destroy();
        reject(e);
      };
      this.exchange.whenExpired(fail);
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) fail(bodyTooLarge(limit));
        else chunks.push(c);
      });
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        this.exchange.done();
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      });
      // (the error is made only when it is one: 'close' follows every 'end', and an Error costs its stack)
      stream.on('error', () => {
        if (!settled) fail(this.exchange.timedOut ?? bodyTruncated());
      });
      // closed without an end: the connection went away mid-body
      stream.on('close', () => {
        if (!settled) fail(this.exchange.timedOut ?? bodyTruncated());
      });
    });
  }

  async text(limit?: number): Promise<string> {
    const b = await this.bytes(limit);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  discard(): void {
    this.exchange.done();
    if (this.consumed || this.empty) return;
    this.consumed = true;
    // not read to its end: a body nobody wants could be endless; the connection is given up instead
    this.res.destroy();
  }
}


/**
 * An {@link HttpClient} on node:http(s) with keep-alive agents: decoded bodies, one timer per
 * exchange, no redirects followed, and none of the Web classes (see http/types.ts for why).
 */
export function nodeHttpClient(opts: NodeHttpClientOptions = {}): HttpClient {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const origins = new Map<string, Target>();
  return (req: HttpRequest) => {
    let target: Target & { path: string };
    try {
      target = targetOf(req.url, origins);
    } catch (e) {
      return Promise.reject(e);
    }
    const isHttps = target.https;
    const method = req.method.toUpperCase();
    const headers: Record<string, string> = { ...req.headers };
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const b = req.body;
      if ((b !== undefined && b !== null && b.length > 0) || method === 'POST' || method === 'PUT' || method === 'PATCH') {
        body = typeof b === 'string' ? Buffer.from(b, 'utf8') : b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.alloc(0);
        headers['content-length'] = String(body.length);
      }
    }
    const exchange = new Exchange(req.timeoutMs, target.host);
    return new Promise<HttpResponse>((resolve, reject) => {
      let out: ClientRequest;
      const fail = (e: HttpClientError) => {
        exchange.done();
        out.destroy();
        reject(e);
      };
      const options = { hostname: target.hostname, port: target.port, path: target.path, method, headers, agent: isHttps ? httpsAgent : httpAgent };
      try {
        out = (isHttps ? httpsRequest : httpRequest)(options, (res) => {
          const status = res.statusCode ?? 502;
          resolve(new NodeHttpResponse(res, exchange, method === 'HEAD' || NO_BODY_STATUS.has(status)));
        });
      } catch (e) {
        // a request Node refuses to send (a header value or path it cannot write): no timer left behind
        exchange.done();
        reject(e);
        return;
      }
      out.on('error', (e: NodeJS.ErrnoException) => {
        if (exchange.timedOut) return fail(exchange.timedOut);
        fail(new HttpClientError('connection', `${target.host} could not be reached (${e.code ?? e.message})`, e.code));
      });
      exchange.whenExpired(fail);
      out.on('response', () => exchange.whenExpired(() => undefined));
      out.end(body);
    });
  };
}
