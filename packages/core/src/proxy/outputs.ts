import { randomUUID } from 'node:crypto';
import type { HeaderMap } from '../http/types.js';
import type { ProxyRequest } from './handler.js';

/**
 * Where the proxy writes copies of responses: an object store's bucket and prefix. Psoxy's side
 * outputs (`SIDE_OUTPUT_ORIGINAL`, `SIDE_OUTPUT_SANITIZED`) and the asynchronous mode's results
 * (`ASYNC_OUTPUT_DESTINATION`) are each one. Hosts make them from the configured URI (`s3://` on
 * AWS).
 */
export interface ResponseOutput {
  /** The destination as configured, ending with `/` (`s3://bucket/prefix/`). */
  readonly uri: string;
  /** Writes one object at `key` under the destination's prefix; rejects if it was not written. */
  write(key: string, body: Uint8Array, meta: OutputMeta): Promise<void>;
}

export interface OutputMeta {
  contentType: string;
  /** Always `gzip`: outputs are stored compressed, as Psoxy stores them. */
  contentEncoding: 'gzip';
  /** User metadata (names as Psoxy writes them); ASCII values. */
  metadata: Record<string, string>;
}

/**
 * Psoxy's processing context: what a `Prefer: respond-async` caller gets back (the 202's body) and
 * what travels with the queued request, so that the processing writes where the caller was told.
 */
export interface ProcessingContext {
  requestId: string;
  /** ISO-8601. */
  requestReceivedAt: string;
  async: boolean;
  /** `<ASYNC_OUTPUT_DESTINATION><yyyyMMdd>/<requestId>`. */
  asyncOutputLocation?: string | undefined;
}

/** What identifies the proxy that wrote an output (its metadata) or answered a request (its headers). */
export interface ProxyStamp {
  rulesSha: string;
  version: string;
  saltSha256: string;
}

/** The stamp as Psoxy's answer headers (`ProcessedDataMetadataFields`), added to `headers`. */
export function stampHeaders(headers: HeaderMap, stamp: ProxyStamp): HeaderMap {
  // X-Psoxy-Psoxy-Version is Psoxy's name; the value is this implementation's version
  headers['x-psoxy-psoxy-version'] = stamp.version;
  headers['x-psoxy-rules-sha'] = stamp.rulesSha;
  headers['x-psoxy-pii-salt-sha256'] = stamp.saltSha256;
  return headers;
}

/** The queue message attribute that carries the processing context, as Psoxy names it (SQS, Pub/Sub). */
export const PROCESSING_CONTEXT_ATTRIBUTE = 'processingContext';

/** Queues a `Prefer: respond-async` request, to be processed by the same proxy (its `processing` set). */
export interface AsyncDispatcher {
  dispatch(request: QueuedRequest, context: ProcessingContext): Promise<void>;
}

/** A request as it is queued: plain JSON (the body base64), without the caller's credentials. */
export interface QueuedRequest {
  method: string;
  target: string;
  headers: HeaderMap;
  /** Base64, or null for none. */
  body: string | null;
  clientIp?: string | undefined;
  origin: string;
  requestId: string;
  receivedAt: number;
}

// never stored in a queue: the caller's credentials, which a replay could reuse (a SigV4-signed
// call's token and signature headers, an API Gateway key, Google's front-end headers)
const NOT_QUEUED = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-psoxy-authorization', 'x-api-key']);
const notQueued = (name: string) => NOT_QUEUED.has(name) || name.startsWith('x-amz-') || name.startsWith('x-goog-');

/** The request to queue (its body already read); see {@link QueuedRequest}. */
export function queuedRequest(request: ProxyRequest, body: Uint8Array | null, requestId: string, receivedAt: number): QueuedRequest {
  const headers: HeaderMap = {};
  for (const k of Object.keys(request.headers)) if (!notQueued(k)) headers[k] = request.headers[k] as string;
  return {
    method: request.method,
    target: request.target,
    headers,
    body: body && body.length > 0 ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') : null,
    clientIp: request.clientIp,
    origin: request.origin,
    requestId,
    receivedAt,
  };
}

/** A queued request as the proxy takes it again, to be processed under `context`. */
export function requestFromQueue(q: QueuedRequest, context: ProcessingContext): ProxyRequest {
  if (typeof q?.method !== 'string' || typeof q.target !== 'string' || typeof q.headers !== 'object' || q.headers === null) {
    throw new Error('the queued message is not a request queued by psoxy (method, target and headers expected)');
  }
  return {
    method: q.method,
    target: q.target,
    headers: q.headers,
    body: q.body ? Buffer.from(q.body, 'base64') : null,
    clientIp: q.clientIp,
    origin: q.origin,
    requestId: q.requestId,
    receivedAt: q.receivedAt,
    processing: context,
  };
}

/**
 * Whether a queued request's answer is a failure that processing it again cannot mend: a 4xx (the
 * rules refused it, the source said no), but a timeout or throttling (408, 429), which may pass.
 */
export const isFinalFailure = (status: number): boolean => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** Reads a processing context (a queue message's attribute), refusing anything else. */
export function parseProcessingContext(text: string): ProcessingContext {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('the processing context is not JSON');
  }
  const c = v as { requestId?: unknown; requestReceivedAt?: unknown; async?: unknown; asyncOutputLocation?: unknown };
  // Java's Jackson may write an Instant as epoch seconds (with a fraction) rather than ISO-8601
  const at = typeof c?.requestReceivedAt === 'number' && Number.isFinite(c.requestReceivedAt) ? new Date(c.requestReceivedAt < 1e11 ? c.requestReceivedAt * 1000 : c.requestReceivedAt).toISOString() : c?.requestReceivedAt;
  if (typeof c?.requestId !== 'string' || typeof at !== 'string' || c.async !== true) {
    throw new Error('the processing context lacks requestId, requestReceivedAt or async=true');
  }
  return { requestId: c.requestId, requestReceivedAt: at, async: true, asyncOutputLocation: typeof c.asyncOutputLocation === 'string' ? c.asyncOutputLocation : undefined };
}

// an id from the host, kept when it is safe as part of an object key
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The request's id: the host's when it is safe in an object key, else a random UUID. */
export function requestIdOf(request: ProxyRequest): string {
  const id = request.requestId;
  return id !== undefined && SAFE_ID.test(id) && id !== '.' && id !== '..' ? id : randomUUID();
}

/** `<yyyyMMdd UTC>/<requestId>`: where every output of a request is written under its destination. */
export function outputKey(requestId: string, receivedAt: number): string {
  const d = new Date(receivedAt);
  const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/${requestId}`;
}

/** The key of a processing context's output under `output`, refusing a location elsewhere. */
export function asyncOutputKey(context: ProcessingContext, output: ResponseOutput): string {
  const receivedAt = Date.parse(context.requestReceivedAt);
  if (!Number.isFinite(receivedAt) || !SAFE_ID.test(context.requestId)) throw new Error('the processing context has an invalid requestReceivedAt or requestId');
  const key = outputKey(context.requestId, receivedAt);
  // a queued message may not direct the write anywhere else than the configured destination
  if (context.asyncOutputLocation !== undefined && context.asyncOutputLocation !== `${output.uri}${key}`) {
    throw new Error(`the processing context's output location is not ${output.uri}${key}`);
  }
  return key;
}

// inbound headers never copied into an output's metadata (Psoxy's list, and credentials)
const NOT_METADATA = new Set([
  'host',
  'user-agent',
  'accept',
  'accept-encoding',
  'authorization',
  'proxy-authorization',
  'cookie',
  'content-length',
  'forwarded',
  'traceparent',
  'x-forwarded-for',
  'x-cloud-trace-context',
  'x-forwarded-proto',
]);

/** A metadata value as object stores take it: printable ASCII (anything else percent-encoded). */
function asciiValue(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}

/** `a/b`: each segment percent-decoded, empty ones dropped, joined without a leading `/`, as Psoxy records a path. */
function decodedPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/');
}

const base64Of = (b: Uint8Array | string | null | undefined): string | undefined =>
  b === null || b === undefined || b.length === 0 ? undefined : (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');

/** Metadata of a sanitized or asynchronous output: the caller's request, and what sanitized it. */
export function sanitizedMetadata(
  request: ProxyRequest,
  path: string,
  query: string | null,
  body: Uint8Array | null,
  proxy: ProxyStamp,
): Record<string, string> {
  const m: Record<string, string> = {};
  for (const k of Object.keys(request.headers)) {
    if (NOT_METADATA.has(k) || k.startsWith('x-amz-') || k.startsWith('x-goog-')) continue;
    if (k.startsWith('x-psoxy-') && k !== 'x-psoxy-user-to-impersonate') continue;
    m[k] = asciiValue(request.headers[k] as string);
  }
  const host = request.headers.host;
  if (host) m.API_HOST = asciiValue(host);
  m.HTTP_METHOD = request.method.toUpperCase();
  const p = decodedPath(path);
  if (p) m.PATH = asciiValue(p);
  if (query) m.QUERY_STRING = asciiValue(query);
  const b = base64Of(body);
  if (b) m.REQUEST_BODY = b;
  m['Rules-SHA'] = proxy.rulesSha;
  m['Psoxy-Version'] = proxy.version;
  m['PII-Salt-Sha256'] = proxy.saltSha256;
  return m;
}

/** Metadata of an original output: the request as the source received it. */
export function originalMetadata(url: string, method: string, body: string | null): Record<string, string> {
  const u = new URL(url);
  const params = [...u.searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();
  const m: Record<string, string> = { API_HOST: u.hostname, HTTP_METHOD: method.toUpperCase() };
  const p = decodedPath(u.pathname);
  if (p) m.PATH = asciiValue(p);
  if (params.length > 0) m.QUERY_STRING = asciiValue(params.join('&'));
  const b = base64Of(body);
  if (b) m.REQUEST_BODY = b;
  return m;
}

/**
 * The metadata that fits in `limit` bytes (S3 allows 2 KB of user metadata, names and values):
 * entries are dropped, the request body first, then the caller's headers, until it fits; what
 * identifies the output (method, path, rules, version, salt) is kept. Returns what was dropped.
 */
export function fitMetadata(m: Record<string, string>, limit: number): { metadata: Record<string, string>; dropped: string[] } {
  const size = (o: Record<string, string>) => Object.keys(o).reduce((n, k) => n + k.length + (o[k] as string).length, 0);
  const out = { ...m };
  const dropped: string[] = [];
  const kept = new Set(['API_HOST', 'HTTP_METHOD', 'PATH', 'Rules-SHA', 'Psoxy-Version', 'PII-Salt-Sha256']);
  const order = ['REQUEST_BODY', ...Object.keys(out).filter((k) => !kept.has(k) && k !== 'REQUEST_BODY' && k !== 'QUERY_STRING'), 'QUERY_STRING'];
  for (const k of order) {
    if (size(out) <= limit) break;
    if (k in out) {
      delete out[k];
      dropped.push(k);
    }
  }
  // still too large (a very long path or host): what remains is cut, longest first
  for (const k of Object.keys(out).sort((a, b) => (out[b] as string).length - (out[a] as string).length)) {
    const over = size(out) - limit;
    if (over <= 0) break;
    const v = out[k] as string;
    out[k] = v.slice(0, Math.max(0, v.length - over));
    dropped.push(`${k} (cut)`);
  }
  return { metadata: out, dropped };
}
