import { gzipSync } from 'node:zlib';
import { type AuthContext, type AuthStrategy, ReconnectSourceError, SourceAuthError, type WorkloadIdentity, noAuth } from '../auth/types.js';
import { decodeUtf8, parseJson } from '../json/parse.js';
import { writeJson } from '../json/write.js';
import { type JsonValue, isJsonObject, keysOf } from '../json/value.js';
import { parseQuery } from '../endpoint/query.js';
import { InvalidTokenError } from '../pseudonym/crypto.js';
import { PseudonymizationError, type Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import type { Lease } from '../runtime/lease.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import { MissingSecretError, type SecretStore } from '../runtime/secrets.js';
import type { CompiledEndpoint, CompiledRestRules } from '../sanitize/rest-rules.js';
import { readLimited, readRequestBody } from './body.js';
import { type ErrorCause, ProxyError } from './errors.js';
import { healthCheck } from './health.js';
import { ipAllowed, parseIpBlocks } from './ip.js';
import { checkRawPath, checkRawQuery, normalizeInboundPath, overrideTarget } from './target.js';

export const PSOXY_TS_VERSION = '0.1.0';

export interface ProxyOptions {
  /** Compiled REST rules: the allowlist and the transforms. */
  rules: CompiledRestRules;
  pseudonymizer: Pseudonymizer;
  /** Base URL of the source (`https://api.github.com`, or with a base path). From configuration only. */
  target: string;
  /** Adds the source's credentials; none by default. */
  auth?: AuthStrategy | undefined;
  /** The host's identity token, for auth strategies that federate with it. */
  workloadIdentity?: WorkloadIdentity | undefined;
  secrets: SecretStore;
  lease: Lease;
  fetch: typeof fetch;
  clock?: (() => number) | undefined;
  log?: Logger | undefined;
  /** Connector id or `SOURCE`, reported by the health check. */
  source?: string | undefined;
  /** Upstream call budget (`REQUEST_TIMEOUT_SECONDS`; default 55 s). */
  timeoutMs?: number | undefined;
  /** Largest upstream response accepted, decoded (default 64 MiB). */
  maxResponseBytes?: number | undefined;
  /** Largest request body accepted (default 1 MiB). */
  maxRequestBytes?: number | undefined;
  /** `ALLOWED_DATA_ACCESS_IP_BLOCKS`; empty: no lockdown. */
  allowedIpBlocks?: string | readonly string[] | undefined;
  /** `REQUEST_PATH_PREFIX_TO_TRIM`. */
  requestPathPrefixToTrim?: string | undefined;
  /** Host function name, stripped as a path prefix (`AWS_LAMBDA_FUNCTION_NAME` / `K_SERVICE`). */
  functionName?: string | undefined;
  /** Return the body of non-2xx upstream answers (a connector opts in when its errors hold no data). */
  passThroughErrorBodies?: boolean | undefined;
  /** Follow redirects to the same origin that the rules also allow (default true). */
  followRedirects?: boolean | undefined;
  /** Gzip responses at least this large when the caller accepts gzip (default 2048). */
  compressionThreshold?: number | undefined;
  /** Accept `http://` targets (local development and tests only). */
  allowInsecureTarget?: boolean | undefined;
  userAgent?: string | undefined;
}

/** What a host knows about the request beyond the `Request` itself. */
export interface RequestInfo {
  /** The request target exactly as received (`/path?query`), before any URL normalization. */
  rawTarget?: string | undefined;
  /** The client's address, for the IP allowlist and the health check. */
  clientIp?: string | undefined;
}

export type ProxyHandler = (request: Request, info?: RequestInfo) => Promise<Response>;

// Response headers passed back from the source (names lower-cased).
const PASS_THROUGH = new Set(['content-type', 'cache-control', 'etag', 'link', 'expires', 'last-modified', 'retry-after']);
const RATE_LIMIT = /^(x-ratelimit|x-rate-limit|ratelimit)/i;
// Never forwarded upstream, whatever the rules allow: hop-by-hop, identity of the caller, routing,
// method overrides, and our own control headers.
const NEVER_FORWARD = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-connection',
  'authorization',
  'cookie',
  'content-length',
  'forwarded',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);
const neverForward = (name: string) => NEVER_FORWARD.has(name) || name.startsWith('x-forwarded-') || name.startsWith('x-psoxy-');
const MAX_REDIRECTS = 3;

function errorResponse(e: ProxyError): Response {
  const headers = new Headers({ 'x-psoxy-error': e.cause_ });
  if (e.emptyBody) return new Response(null, { status: e.status, headers });
  headers.set('content-type', 'text/plain; charset=utf-8');
  return new Response(`${e.message}\n`, { status: e.status, headers });
}

function splitTarget(raw: string): { path: string; query: string | null } {
  const hash = raw.indexOf('#');
  const r = hash >= 0 ? raw.slice(0, hash) : raw;
  const q = r.indexOf('?');
  return q < 0 ? { path: r, query: null } : { path: r.slice(0, q), query: r.slice(q + 1) };
}

/**
 * The API proxy: a Web-standard handler (`Request` in, `Response` out) that checks each request
 * against the rules, calls the source with credentials the caller never sees, and returns the
 * sanitized response. Hosts adapt their events to it; `psoxy serve` wraps it in a Node server.
 */
export function createProxy(opts: ProxyOptions): ProxyHandler {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? Date.now;
  const auth = opts.auth ?? noAuth;
  const timeoutMs = opts.timeoutMs ?? 55_000;
  const maxResponse = opts.maxResponseBytes ?? 64 * 1024 * 1024;
  const maxRequest = opts.maxRequestBytes ?? 1024 * 1024;
  const compressAt = opts.compressionThreshold ?? 2048;
  const ipBlocks = opts.allowedIpBlocks && opts.allowedIpBlocks.length > 0 ? parseIpBlocks(opts.allowedIpBlocks) : undefined;
  const target = new URL(opts.target);
  if (target.protocol !== 'https:' && !(opts.allowInsecureTarget && target.protocol === 'http:')) {
    throw new Error(`the target must be an https:// URL, got ${target.protocol}//${target.host}`);
  }
  if (target.search || target.hash || target.username) throw new Error('the target must be a base URL without query, fragment or credentials');
  const targetPath = target.pathname.replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? `psoxy-ts/${PSOXY_TS_VERSION}`;
  const publicPrefix = (_request: Request) => publicPrefixFor(opts.requestPathPrefixToTrim);
  const authCtx = (impersonate?: string): AuthContext => ({
    secrets: opts.secrets,
    lease: opts.lease,
    fetch: opts.fetch,
    clock,
    log,
    impersonate,
    workloadIdentity: opts.workloadIdentity,
  });

  async function handle(request: Request, info: RequestInfo = {}): Promise<Response> {
    const h = request.headers;
    if (h.get('x-forwarded-proto') && h.get('x-forwarded-proto')?.toLowerCase() !== 'https') {
      throw new ProxyError(400, 'HTTPS_REQUIRED', 'Requests MUST be sent over HTTPS');
    }
    if (h.has('x-psoxy-health-check')) {
      return healthCheck({ opts, auth, clientIp: info.clientIp, ipBlocks, version: PSOXY_TS_VERSION });
    }
    if (ipBlocks && !ipAllowed(info.clientIp, ipBlocks)) {
      throw new ProxyError(403, 'UNAUTHORIZED_IP_ADDRESS', 'Client IP is not authorized to access this proxy instance.');
    }

    // the target as received: raw path and query, never re-encoded
    const url = new URL(request.url);
    const raw = info.rawTarget ?? `${url.pathname}${url.search}`;
    let { path, query } = splitTarget(raw);
    const override = overrideTarget(h.get('x-psoxy-targetpath'), h.get('x-psoxy-targetquery'));
    if (override.path !== undefined) path = override.path;
    if (override.query !== undefined) query = override.query;
    checkRawPath(path);
    checkRawQuery(query);
    path = normalizeInboundPath(path, { targetPath, prefixToTrim: opts.requestPathPrefixToTrim, functionName: opts.functionName });

    const method = request.method.toUpperCase();
    const enc = h.get('content-encoding');
    if (enc && !/^(utf-?8|utf_8|ascii|us[-_]ascii|iso[-_]8859[-_]1|latin[-_]?1|identity)$/i.test(enc.trim())) {
      throw new ProxyError(400, 'INVALID_REQUEST', `unsupported Content-Encoding: ${enc}`);
    }
    if ((method === 'GET' || method === 'HEAD') && (Number(h.get('content-length') ?? 0) > 0 || h.has('transfer-encoding'))) {
      // hosts cannot even hand such a body on (a GET Request has none): refuse it rather than drop it
      throw new ProxyError(400, 'INVALID_REQUEST', 'Request body is not allowed for GET or HEAD requests');
    }
    const bodyBytes = await readRequestBody(request, maxRequest);
    const bodyText = bodyBytes && bodyBytes.length > 0 ? decodeUtf8(bodyBytes) : null;
    if ((method === 'GET' || method === 'HEAD') && bodyText !== null && bodyText.trim() !== '') {
      throw new ProxyError(400, 'INVALID_REQUEST', 'Request body is not allowed for GET or HEAD requests');
    }

    // the rules see the request as sent: reversible tokens still encrypted
    const tokenizedTarget = `${path}${query !== null ? `?${query}` : ''}`;
    const match = opts.rules.match({ method, url: tokenizedTarget, contentType: h.get('content-type'), body: bodyText });
    if (!match.allowed) throw new ProxyError(match.status, 'BLOCKED_BY_RULES', match.reason, true);
    const endpoint = match.endpoint;

    // decrypt reversible tokens for the source, then re-check what the source will see
    const p = opts.pseudonymizer;
    const upstreamPath = reverseTokens(p, path);
    const upstreamQuery = query === null ? null : reverseTokens(p, query);
    checkRawPath(upstreamPath);
    checkRawQuery(upstreamQuery);
    const headers = new Headers();
    const allowed = [...opts.rules.requestHeaders, ...(endpoint?.requestHeaders ?? [])];
    for (const name of allowed) {
      const lname = name.toLowerCase();
      if (neverForward(lname)) continue;
      const v = h.get(lname);
      if (v !== null) headers.set(lname, reverseTokens(p, v));
    }
    headers.set('accept', 'application/json');
    headers.set('accept-encoding', 'gzip');
    headers.set('user-agent', userAgent);
    let upstreamBody: string | null = null;
    if (bodyText !== null && method !== 'GET' && method !== 'HEAD') {
      upstreamBody = reverseBodyTokens(p, bodyText, h.get('content-type'));
      headers.set('content-type', h.get('content-type') ?? 'application/json');
    }
    const impersonateHeader = h.get('x-psoxy-user-to-impersonate');
    const impersonate = impersonateHeader ? reverseTokens(p, impersonateHeader) : undefined;

    const upstreamUrl = `${target.origin}${targetPath}${upstreamPath}${upstreamQuery !== null ? `?${upstreamQuery}` : ''}`;
    const res = await callSource(upstreamUrl, method, headers, upstreamBody, impersonate, endpoint);
    // a followed redirect is sanitized by the rules of where it led
    return respond(request, method, res, res.endpoint);
  }

  async function callSource(
    firstUrl: string,
    method: string,
    headers: Headers,
    body: string | null,
    impersonate: string | undefined,
    firstEndpoint: CompiledEndpoint | null,
  ): Promise<{ res: Response; bytes: Uint8Array; endpoint: CompiledEndpoint | null }> {
    let url = firstUrl;
    let endpoint = firstEndpoint;
    let retriedAuth = false;
    let hops = 0;
    for (;;) {
      let req = new Request(url, { method, headers, body, redirect: 'manual' });
      try {
        req = await auth.authorize(req, authCtx(impersonate));
      } catch (e) {
        throw authError(e);
      }
      // one timer for the call and the body read; AbortSignal.timeout() costs ~50 us per request
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new DOMException('the source did not answer in time', 'TimeoutError')), timeoutMs);
      let res: Response;
      try {
        res = await opts.fetch(req, { redirect: 'manual', signal: abort.signal });
      } catch (e) {
        clearTimeout(timer);
        throw fetchError(e);
      }
      if (res.status === 401 && auth.invalidate && !retriedAuth) {
        // the source refused the token: drop it and try once more with a fresh one
        clearTimeout(timer);
        await res.body?.cancel().catch(() => undefined);
        auth.invalidate();
        retriedAuth = true;
        continue;
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        clearTimeout(timer);
        await res.body?.cancel().catch(() => undefined);
        const next = new URL(res.headers.get('location') as string, url);
        const sameOrigin = next.origin === target.origin && next.pathname.startsWith(`${targetPath}/`);
        const path = next.pathname.slice(targetPath.length);
        const again = sameOrigin && opts.followRedirects !== false && hops < MAX_REDIRECTS && (method === 'GET' || method === 'HEAD');
        const m = again ? opts.rules.match({ method, url: `${path}${next.search}` }) : undefined;
        if (!m?.allowed) {
          log.warn('redirect not followed', { status: res.status, sameOrigin });
          throw new ProxyError(502, 'REDIRECT_NOT_FOLLOWED', `the source redirected (${res.status}) to a location the proxy does not follow`);
        }
        hops++;
        endpoint = m.endpoint;
        url = next.toString();
        continue;
      }
      try {
        const bytes = await readLimited(res, maxResponse);
        return { res, bytes, endpoint };
      } catch (e) {
        if (abort.signal.aborted) throw fetchError(abort.signal.reason);
        throw e;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  function respond(
    request: Request,
    method: string,
    upstream: { res: Response; bytes: Uint8Array },
    endpoint: CompiledEndpoint | null,
  ): Response {
    const { res, bytes } = upstream;
    const headers = new Headers();
    res.headers.forEach((v, k) => {
      if (PASS_THROUGH.has(k) || RATE_LIMIT.test(k)) headers.set(k, v);
    });
    // pagination links point at the source: point them at this proxy instead, so that a client
    // following them (octokit does) stays behind the proxy and its rules
    const link = headers.get('link');
    if (link) headers.set('link', link.split(`${target.origin}${targetPath}/`).join(`${new URL(request.url).origin}${publicPrefix(request)}/`));
    headers.set('x-psoxy-version', PSOXY_TS_VERSION);
    headers.set('x-psoxy-rules-sha', opts.rules.sha);
    headers.set('x-psoxy-pii-salt-sha256', opts.pseudonymizer.saltFingerprint);
    if (res.status < 200 || res.status >= 300) {
      headers.set('x-psoxy-error', 'API_ERROR');
      if (!opts.passThroughErrorBodies || method === 'HEAD') {
        headers.delete('content-type');
        return new Response(null, { status: res.status, headers });
      }
      return finish(request, new Uint8Array(bytes), res.status, headers);
    }
    if (method === 'HEAD' || res.status === 204 || bytes.length === 0) return new Response(null, { status: res.status, headers });
    let out: string;
    try {
      const text = decodeUtf8(bytes);
      out = endpoint === null ? text : opts.rules.sanitize(endpoint, text, { pseudonymizer: opts.pseudonymizer });
    } catch (e) {
      // fail closed: nothing of the source's body leaves
      log.error('sanitization failed', { reason: (e as Error).message });
      throw new ProxyError(500, 'SANITIZATION_FAILED', "the source's response could not be sanitized, so it is withheld");
    }
    if (!headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
    return finish(request, Buffer.from(out, 'utf8'), res.status, headers);
  }

  function finish(request: Request, body: Uint8Array, status: number, headers: Headers): Response {
    if (body.length >= compressAt && /\bgzip\b/i.test(request.headers.get('accept-encoding') ?? '')) {
      headers.set('content-encoding', 'gzip');
      headers.set('vary', 'accept-encoding');
      return new Response(gzipSync(body), { status, headers });
    }
    return new Response(body, { status, headers });
  }

  return async (request, info) => {
    const started = clock();
    let res: Response;
    let failure: ProxyError | undefined;
    try {
      res = await handle(request, info);
    } catch (e) {
      failure = asProxyError(e, log);
      res = errorResponse(failure);
    }
    // one line per request: never bodies, query values or secrets
    log.info(`${request.method} ${logPath(request, info)} ${res.status}`, {
      ms: clock() - started,
      error: failure?.cause_,
      reason: failure && failure.status < 500 ? failure.message : undefined,
    });
    return res;
  };
}

/** The path prefix callers use before the proxied path (a trimmed prefix), from configuration. */
function publicPrefixFor(prefixToTrim: string | undefined): string {
  if (!prefixToTrim) return '';
  const p = prefixToTrim.startsWith('/') ? prefixToTrim : `/${prefixToTrim}`;
  return p.replace(/\/+$/, '');
}

function logPath(request: Request, info?: RequestInfo): string {
  const raw = info?.rawTarget ?? new URL(request.url).pathname;
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q); // query values may hold identifiers: not logged
}

function reverseTokens(p: Pseudonymizer, text: string): string {
  try {
    return p.reverseAll(text);
  } catch (e) {
    if (e instanceof InvalidTokenError) {
      throw new ProxyError(409, 'TOKENIZED_REQUEST_PARAMETER_INVALID', 'a reversible pseudonym (p~...) in the request is not valid');
    }
    if (e instanceof PseudonymizationError) throw new ProxyError(500, 'CONFIGURATION_FAILURE', e.message);
    throw e;
  }
}

function reverseJson(p: Pseudonymizer, v: JsonValue): JsonValue {
  if (typeof v === 'string') return reverseTokens(p, v);
  if (Array.isArray(v)) return v.map((x) => reverseJson(p, x));
  if (isJsonObject(v)) {
    for (const k of keysOf(v)) v[k] = reverseJson(p, v[k] as JsonValue);
    return v;
  }
  return v;
}

/** Decrypts reversible tokens in a request body: JSON string leaves or form values. */
function reverseBodyTokens(p: Pseudonymizer, body: string, contentType: string | null): string {
  if (!body.includes('p~')) return body;
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) {
    let doc: JsonValue;
    try {
      doc = parseJson(body);
    } catch {
      throw new ProxyError(400, 'INVALID_REQUEST', 'the request body is not valid JSON');
    }
    return writeJson(reverseJson(p, doc));
  }
  if (type === 'application/x-www-form-urlencoded') {
    return parseQuery(body)
      .map((q) => `${encodeURIComponent(q.name)}${q.value === null ? '' : `=${encodeURIComponent(reverseTokens(p, q.value))}`}`)
      .join('&');
  }
  throw new ProxyError(400, 'INVALID_REQUEST', `reversible pseudonyms can only be used in JSON or form bodies, not ${type}`);
}

function authError(e: unknown): ProxyError {
  if (e instanceof ProxyError) return e;
  if (e instanceof ReconnectSourceError) return new ProxyError(502, 'SOURCE_AUTH_RECONNECT_REQUIRED', e.message);
  if (e instanceof MissingSecretError) return new ProxyError(500, 'CONNECTION_SETUP', e.message);
  if (e instanceof SourceAuthError) return new ProxyError(502, 'SOURCE_AUTH_FAILED', e.message);
  return new ProxyError(502, 'SOURCE_AUTH_FAILED', `authenticating to the source failed: ${(e as Error).message}`);
}

function fetchError(e: unknown): ProxyError {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return new ProxyError(504, 'SOURCE_API_READ_TIMEOUT', 'the source did not answer in time');
  }
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return new ProxyError(503, 'CONNECTION_TO_SOURCE', 'the source could not be reached');
  }
  return new ProxyError(502, 'CONNECTION_TO_SOURCE', 'the source could not be reached');
}

function asProxyError(e: unknown, log: Logger): ProxyError {
  if (e instanceof ProxyError) return e;
  if (e instanceof MissingSecretError) return new ProxyError(500, 'CONNECTION_SETUP', e.message);
  const cause: ErrorCause = 'UNKNOWN';
  log.error('unexpected error', { reason: (e as Error)?.message });
  return new ProxyError(500, cause, 'Unknown internal proxy error; review logs');
}
