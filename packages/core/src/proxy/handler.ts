import { gzipSync } from 'node:zlib';
import { type AuthContext, type AuthStrategy, type SourceRequest, type WorkloadIdentity, noAuth } from '../auth/types.js';
import { fetchHttpClient, headerMapOfWeb } from '../http/fetch-client.js';
import { type HeaderMap, type HttpClient, type HttpResponse, isOk } from '../http/types.js';
import { decodeUtf8 } from '../json/parse.js';
import type { Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import type { Lease } from '../runtime/lease.js';
import { type Logger, silentLogger } from '../runtime/logger.js';
import type { SecretStore } from '../runtime/secrets.js';
import type { CompiledEndpoint, CompiledRestRules } from '../sanitize/rest-rules.js';
import { readRequestBody, requestTooLarge } from './body.js';
import { ProxyError } from './errors.js';
import { healthCheck } from './health.js';
import { ipAllowed, parseIpBlocks } from './ip.js';
import {
  type AsyncDispatcher,
  type ProcessingContext,
  type ProxyStamp,
  type ResponseOutput,
  asyncOutputKey,
  originalMetadata,
  queuedRequest,
  sanitizedMetadata,
  stampHeaders,
} from './outputs.js';
import { RequestOutputs, acceptedAnswer, processingContext } from './recorder.js';
import { checkRawPath, checkRawQuery, normalizeInboundPath, overrideTarget } from './target.js';
import { asProxyError, authError, bodyError, fetchError } from './error-mapping.js';
import { reverseBodyTokens, reverseTokens } from './request-tokens.js';
import { sourceText } from './source-text.js';

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
  /** How the proxy calls the source and token endpoints (hosts: `nodeHttpClient()`). */
  http?: HttpClient | undefined;
  /** A fetch to call them with instead (adapted by `fetchHttpClient`); ignored when `http` is given. */
  fetch?: typeof fetch | undefined;
  clock?: (() => number) | undefined;
  log?: Logger | undefined;
  /** Connector id or `SOURCE`, reported by the health check. */
  source?: string | undefined;
  /** How long the source may take (from `REQUEST_TIMEOUT_SECONDS`; default 150 s, Psoxy's for its default budget of 180 s). */
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
  /**
   * Follow redirects to the same origin that the rules also allow (default true; others are a 502).
   * False: a redirect is answered as the source's non-2xx status, without its Location.
   */
  followRedirects?: boolean | undefined;
  /** Gzip responses at least this large when the caller accepts gzip (default 2048). */
  compressionThreshold?: number | undefined;
  /** Accept `http://` targets (local development and tests only). */
  allowInsecureTarget?: boolean | undefined;
  userAgent?: string | undefined;
  /** What the health check reports beyond the proxy itself, from the deployment's settings (Psoxy's fields). */
  health?: HealthSettings | undefined;
  /** Copies of responses and the asynchronous mode (Psoxy's side outputs and `Prefer: respond-async`). */
  outputs?: ProxyOutputs | undefined;
}

/** Where the proxy writes responses besides answering them (see {@link ResponseOutput}). */
export interface ProxyOutputs {
  /** `SIDE_OUTPUT_ORIGINAL`: the source's bytes, unsanitized, for every status. */
  original?: ResponseOutput | undefined;
  /** `SIDE_OUTPUT_SANITIZED`: the sanitized body of every 2xx answer. */
  sanitized?: ResponseOutput | undefined;
  /**
   * `ASYNC_OUTPUT_DESTINATION` and the host's queue: a `Prefer: respond-async` request is checked,
   * queued and answered 202 with where its sanitized result will be written.
   */
  async?: { output: ResponseOutput; dispatcher: AsyncDispatcher } | undefined;
}

/** Deployment settings the health check reports, by Psoxy's field names. */
export interface HealthSettings {
  /** `BUNDLE_FILENAME`. */
  bundleFilename?: string | undefined;
  /** `PSEUDONYMIZE_APP_IDS`. */
  pseudonymizeAppIds?: boolean | undefined;
  /** `SOURCE_AUTH_STRATEGY_IDENTIFIER`, when set (else the strategy's own name is reported). */
  sourceAuthStrategy?: string | undefined;
  /** `GRANT_TYPE`. */
  sourceAuthGrantType?: string | undefined;
}

/** What a host knows about the request beyond the `Request` itself. */
export interface RequestInfo {
  /** The request target exactly as received (`/path?query`), before any URL normalization. */
  rawTarget?: string | undefined;
  /** The client's address, for the IP allowlist and the health check. */
  clientIp?: string | undefined;
}

/**
 * A request as a host hands it to the proxy: plain values, no Web `Request` (see http/types.ts for
 * why hosts avoid those).
 */
export interface ProxyRequest {
  readonly method: string;
  /** The request target exactly as received (`/path?query`), percent-encoding untouched. */
  readonly target: string;
  /** Lower-case names; a repeated header's values joined with `, `. */
  readonly headers: HeaderMap;
  /** The body: its bytes, or a reader that stops past `limit` bytes (throwing a 413 ProxyError). */
  readonly body: Uint8Array | null | ((limit: number) => Promise<Uint8Array | null>);
  /** The client's address, for the IP allowlist and the health check. */
  readonly clientIp?: string | undefined;
  /** Scheme and host the caller used (`https://abc.lambda-url.us-east-1.on.aws`), for pagination links. */
  readonly origin: string;
  /** The host's id for the request (Lambda's request id), named in outputs; default a random UUID. */
  readonly requestId?: string | undefined;
  /** When the host received it (ms since the epoch), for outputs; default now. */
  readonly receivedAt?: number | undefined;
  /**
   * Set when this is a request queued by `Prefer: respond-async`, now processed: its sanitized
   * result is written to the asynchronous output instead of being answered.
   */
  readonly processing?: ProcessingContext | undefined;
}

/** The proxy's answer: complete in memory (never streamed: nothing leaves before all of it is sanitized). */
export interface ProxyResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: HeaderMap;
  readonly body: Uint8Array | null;
}

/** The proxy on plain values: what hosts call. */
export type ExchangeHandler = (request: ProxyRequest) => Promise<ProxyResponse>;

/** The proxy as a Web-standard handler; `exchange` is the same proxy on plain values. */
export type ProxyHandler = ((request: Request, info?: RequestInfo) => Promise<Response>) & { readonly exchange: ExchangeHandler };

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
// RFC 9110 field-value characters (as Node's http checks them): tab, visible ASCII, space, obs-text
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** A header's value; own properties only, so a rule naming `constructor` reads nothing. */
const headerOf = (h: HeaderMap, name: string): string | null => (Object.hasOwn(h, name) ? (h[name] as string) : null);

function errorResponse(e: ProxyError): ProxyResponse {
  if (e.emptyBody) return { status: e.status, headers: { 'x-psoxy-error': e.cause_ }, body: null };
  return {
    status: e.status,
    headers: { 'x-psoxy-error': e.cause_, 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(`${e.message}\n`, 'utf8'),
  };
}

function splitTarget(raw: string): { path: string; query: string | null } {
  const hash = raw.indexOf('#');
  const r = hash >= 0 ? raw.slice(0, hash) : raw;
  const q = r.indexOf('?');
  if (q < 0) return { path: r, query: null };
  // as Psoxy builds the target: `?` and the query only when the query is not blank (`/a?` is `/a`)
  const query = r.slice(q + 1);
  return { path: r.slice(0, q), query: query.trim() === '' ? null : query };
}

/**
 * The API proxy: a Web-standard handler (`Request` in, `Response` out) that checks each request
 * against the rules, calls the source with credentials the caller never sees, and returns the
 * sanitized response. Hosts hand their events to its `exchange` (plain values in and out); `psoxy
 * serve` wraps that in a Node server.
 */
export function createProxy(opts: ProxyOptions): ProxyHandler {
  const exchange = createExchangeHandler(opts);
  const web = async (request: Request, info: RequestInfo = {}): Promise<Response> => {
    const url = new URL(request.url);
    const res = await exchange({
      method: request.method,
      target: info.rawTarget ?? `${url.pathname}${url.search}`,
      headers: headerMapOfWeb(request.headers),
      body: request.body ? (limit) => readRequestBody(request, limit) : null,
      clientIp: info.clientIp,
      origin: url.origin,
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  };
  return Object.assign(web, { exchange });
}

function createExchangeHandler(opts: ProxyOptions): ExchangeHandler {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? Date.now;
  const auth = opts.auth ?? noAuth;
  const given = opts.http ?? (opts.fetch ? fetchHttpClient(opts.fetch) : undefined);
  if (!given) throw new Error('the proxy needs a way to call the source: pass `http` (an HttpClient, e.g. nodeHttpClient()) or `fetch`');
  const http: HttpClient = given;
  const timeoutMs = opts.timeoutMs ?? 150_000;
  const maxResponse = opts.maxResponseBytes ?? 64 * 1024 * 1024;
  const maxRequest = opts.maxRequestBytes ?? 1024 * 1024;
  const compressAt = opts.compressionThreshold ?? 2048;
  // a list with no block in it (`' , '`) is no list, as in Psoxy: it does not lock every caller out
  const parsedBlocks = opts.allowedIpBlocks ? parseIpBlocks(opts.allowedIpBlocks) : [];
  const ipBlocks = parsedBlocks.length > 0 ? parsedBlocks : undefined;
  const target = new URL(opts.target);
  if (target.protocol !== 'https:' && !(opts.allowInsecureTarget && target.protocol === 'http:')) {
    throw new Error(`the target must be an https:// URL, got ${target.protocol}//${target.host}`);
  }
  if (target.search || target.hash || target.username) throw new Error('the target must be a base URL without query, fragment or credentials');
  const targetPath = target.pathname.replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? `psoxy-ts/${PSOXY_TS_VERSION}`;
  const publicPrefix = publicPrefixFor(opts.requestPathPrefixToTrim);
  const outputs = opts.outputs ?? {};
  const asyncMode = outputs.async;
  const stamp: ProxyStamp = { rulesSha: opts.rules.sha, version: PSOXY_TS_VERSION, saltSha256: opts.pseudonymizer.saltFingerprint };
  const authCtx = (impersonate?: string): AuthContext => ({
    secrets: opts.secrets,
    lease: opts.lease,
    http,
    clock,
    log,
    impersonate,
    workloadIdentity: opts.workloadIdentity,
  });

  async function handle(request: ProxyRequest): Promise<ProxyResponse> {
    const h = request.headers;
    const processing = request.processing;
    // where a queued request's result goes, checked before the source is called
    let asyncKey: string | undefined;
    if (processing !== undefined) {
      if (!asyncMode) throw new ProxyError(500, 'CONFIGURATION_FAILURE', 'a queued request arrived, but ASYNC_OUTPUT_DESTINATION is not set: there is nowhere to write its result');
      try {
        asyncKey = asyncOutputKey(processing, asyncMode.output);
      } catch (e) {
        throw new ProxyError(400, 'INVALID_REQUEST', (e as Error).message);
      }
    }
    const proto = headerOf(h, 'x-forwarded-proto');
    if (proto && proto.toLowerCase() !== 'https') {
      throw new ProxyError(400, 'HTTPS_REQUIRED', 'Requests MUST be sent over HTTPS');
    }
    // (a queued request is never a health check: its answer is the result it must write)
    if (processing === undefined && headerOf(h, 'x-psoxy-health-check') !== null) {
      return healthCheck({ opts, auth, clientIp: request.clientIp, ipBlocks, version: PSOXY_TS_VERSION, userAgent });
    }
    if (ipBlocks && !ipAllowed(request.clientIp, ipBlocks)) {
      throw new ProxyError(403, 'UNAUTHORIZED_IP_ADDRESS', 'Client IP is not authorized to access this proxy instance.');
    }

    // the target as received: raw path and query, never re-encoded
    let { path, query } = splitTarget(request.target);
    const override = overrideTarget(headerOf(h, 'x-psoxy-targetpath'), headerOf(h, 'x-psoxy-targetquery'));
    if (override.path !== undefined) path = override.path;
    if (override.query !== undefined) query = override.query;
    checkRawPath(path);
    checkRawQuery(query);
    path = normalizeInboundPath(path, { targetPath, prefixToTrim: opts.requestPathPrefixToTrim, functionName: opts.functionName });

    const method = request.method.toUpperCase();
    // read (and a bad value refused) before the source is called
    const legacyPseudonyms = legacyPseudonymsOf(request);
    const enc = headerOf(h, 'content-encoding');
    if (enc && !/^(utf-?8|utf_8|ascii|us[-_]ascii|iso[-_]8859[-_]1|latin[-_]?1|identity)$/i.test(enc.trim())) {
      throw new ProxyError(400, 'INVALID_REQUEST', `unsupported Content-Encoding: ${enc}`);
    }
    if ((method === 'GET' || method === 'HEAD') && (Number(headerOf(h, 'content-length') ?? 0) > 0 || headerOf(h, 'transfer-encoding') !== null)) {
      // hosts cannot even hand such a body on (a GET Request has none): refuse it rather than drop it
      throw new ProxyError(400, 'INVALID_REQUEST', 'Request body is not allowed for GET or HEAD requests');
    }
    const bodyBytes = await requestBody(request.body);
    const bodyText = bodyBytes && bodyBytes.length > 0 ? decodeUtf8(bodyBytes) : null;
    if ((method === 'GET' || method === 'HEAD') && bodyText !== null && bodyText.trim() !== '') {
      throw new ProxyError(400, 'INVALID_REQUEST', 'Request body is not allowed for GET or HEAD requests');
    }

    // the rules see the request as sent: reversible tokens still encrypted
    const contentType = headerOf(h, 'content-type');
    const tokenizedTarget = `${path}${query !== null ? `?${query}` : ''}`;
    const match = opts.rules.match({ method, url: tokenizedTarget, contentType, body: bodyText });
    if (!match.allowed) throw new ProxyError(match.status, 'BLOCKED_BY_RULES', match.reason, true);
    const endpoint = match.endpoint;

    // decrypt reversible tokens for the source, then re-check what the source will see
    const p = opts.pseudonymizer;
    const upstreamPath = reverseTokens(p, path);
    const upstreamQuery = query === null ? null : reverseTokens(p, query);
    checkRawPath(upstreamPath);
    checkRawQuery(upstreamQuery);
    const headers: HeaderMap = {};
    const forward = (name: string) => {
      const lname = name.toLowerCase();
      if (neverForward(lname)) return;
      const v = headerOf(h, lname);
      if (v === null) return;
      // hosts that hand over event headers (Lambda) have no HTTP parser in front to refuse these:
      // what HTTP does not allow in a field value (control characters, line breaks, beyond Latin-1)
      if (INVALID_HEADER_VALUE.test(v)) throw new ProxyError(400, 'INVALID_REQUEST', `the ${lname} header holds characters a header may not hold (control characters or line breaks)`);
      headers[lname] = reverseTokens(p, v);
    };
    for (const name of opts.rules.requestHeaders) forward(name);
    if (endpoint) for (const name of endpoint.requestHeaders) forward(name);
    headers.accept = 'application/json';
    headers['accept-encoding'] = 'gzip';
    headers['user-agent'] = userAgent;
    let upstreamBody: string | null = null;
    if (bodyText !== null && method !== 'GET' && method !== 'HEAD') {
      upstreamBody = reverseBodyTokens(p, bodyText, contentType);
      headers['content-type'] = contentType ?? 'application/json';
    }
    const impersonateHeader = headerOf(h, 'x-psoxy-user-to-impersonate');
    const impersonate = impersonateHeader ? reverseTokens(p, impersonateHeader) : undefined;

    const upstreamUrl = `${target.origin}${targetPath}${upstreamPath}${upstreamQuery !== null ? `?${upstreamQuery}` : ''}`;
    const unsigned: SourceRequest = { method, url: upstreamUrl, headers, body: upstreamBody };
    if (processing === undefined && asyncMode && /\brespond-async\b/i.test(headerOf(h, 'prefer') ?? '')) {
      return dispatchAsync(request, bodyBytes, unsigned, impersonate, asyncMode);
    }
    const res = await callSource(unsigned, impersonate, endpoint, processing !== undefined);
    const recorded = new RequestOutputs(outputs, request, clock, log);
    recorded.original(res.bytes, res.res.headers['content-type'], () => originalMetadata(upstreamUrl, method, upstreamBody));
    let answer: ProxyResponse;
    try {
      // a followed redirect is sanitized by the rules of where it led
      answer = respond(request, method, res, res.endpoint, legacyPseudonyms);
    } catch (e) {
      await recorded.settled();
      throw e;
    }
    const sanitized = isOk(answer.status) ? answer.body : null;
    const metadata = () => sanitizedMetadata(request, path, query, bodyBytes, stamp);
    if (sanitized) recorded.sanitized(sanitized, answer.headers['content-type'], metadata);
    // (asyncKey is set only for a queued request being processed)
    if (asyncMode && asyncKey !== undefined) {
      // the result the caller was promised: a failed write fails the processing (the queue retries it)
      // (a 2xx without a body is written empty, so that whoever waits for it sees it came)
      if (isOk(answer.status)) recorded.result(asyncMode.output, asyncKey, sanitized ?? new Uint8Array(0), answer.headers['content-type'], metadata());
      await recorded.settled().catch((e) => {
        log.error('asynchronous result not written', { output: asyncMode.output.uri, reason: (e as Error).message });
        throw new ProxyError(500, 'UNKNOWN', 'the sanitized result could not be written to ASYNC_OUTPUT_DESTINATION');
      });
      return answer;
    }
    for (const w of await recorded.settled()) addWarning(answer.headers, w);
    return answer.body ? finish(request, answer.body, answer.status, answer.headers) : answer;
  }

  /** Queues the request (`Prefer: respond-async`) once it has passed every check, and answers 202 with where its result will be. */
  async function dispatchAsync(
    request: ProxyRequest,
    body: Uint8Array | null,
    unsigned: SourceRequest,
    impersonate: string | undefined,
    mode: NonNullable<ProxyOutputs['async']>,
  ): Promise<ProxyResponse> {
    // the source's credentials are checked now, as Psoxy builds the authorized request before queueing it
    try {
      await auth.authorize(unsigned, authCtx(impersonate));
    } catch (e) {
      throw authError(e);
    }
    const context = processingContext(request, mode.output, clock);
    try {
      await mode.dispatcher.dispatch(queuedRequest(request, body, context.requestId, Date.parse(context.requestReceivedAt)), context);
    } catch (e) {
      log.error('asynchronous request not queued', { reason: (e as Error).message });
      throw new ProxyError(500, 'ASYNC_HANDLER_DISPATCH', 'the request could not be queued for asynchronous processing');
    }
    return acceptedAnswer(context, stamp);
  }

  /** The request's body, at most `maxRequest` bytes. */
  async function requestBody(body: ProxyRequest['body']): Promise<Uint8Array | null> {
    const bytes = typeof body === 'function' ? await body(maxRequest) : body;
    if (bytes && bytes.length > maxRequest) throw requestTooLarge(maxRequest);
    return bytes;
  }

  async function callSource(
    first: SourceRequest,
    impersonate: string | undefined,
    firstEndpoint: CompiledEndpoint | null,
    processing: boolean,
  ): Promise<{ res: HttpResponse; bytes: Uint8Array; endpoint: CompiledEndpoint | null }> {
    let unsigned = first;
    let endpoint = firstEndpoint;
    let retriedAuth = false;
    let hops = 0;
    for (;;) {
      let req: SourceRequest;
      try {
        req = await auth.authorize(unsigned, authCtx(impersonate));
      } catch (e) {
        throw authError(e);
      }
      const res = await send(req);
      if (res.status === 401 && auth.invalidate && !retriedAuth) {
        // the source refused the token: drop it and try once more with a fresh one
        res.discard();
        auth.invalidate();
        retriedAuth = true;
        continue;
      }
      const location = res.headers.location;
      if (processing && opts.followRedirects === false && res.status >= 300 && res.status < 400 && location !== undefined && (unsigned.method === 'GET' || unsigned.method === 'HEAD')) {
        // Psoxy's asynchronous download: the source answers with where the data is (Slack
        // Analytics' getFile), fetched without the source's credentials and sanitized by the rules
        // of the endpoint that was called
        res.discard();
        return { ...(await download(new URL(location, unsigned.url), unsigned.method)), endpoint };
      }
      // FOLLOW_REDIRECTS=false: the redirect is answered as any other non-2xx status (as Psoxy),
      // without its Location, which only the source's own clients should follow
      if (res.status >= 300 && res.status < 400 && location !== undefined && opts.followRedirects !== false) {
        res.discard();
        const next = new URL(location, unsigned.url);
        const sameOrigin = next.origin === target.origin && next.pathname.startsWith(`${targetPath}/`);
        const path = next.pathname.slice(targetPath.length);
        const method = unsigned.method;
        const again = sameOrigin && hops < MAX_REDIRECTS && (method === 'GET' || method === 'HEAD');
        const m = again ? opts.rules.match({ method, url: `${path}${next.search}` }) : undefined;
        if (!m?.allowed) {
          log.warn('redirect not followed', { status: res.status, sameOrigin });
          throw new ProxyError(502, 'REDIRECT_NOT_FOLLOWED', `the source redirected (${res.status}) to a location the proxy does not follow`);
        }
        hops++;
        endpoint = m.endpoint;
        unsigned = { ...unsigned, url: next.toString() };
        continue;
      }
      return { res, bytes: await readBody(res), endpoint };
    }
  }

  /** One call to the source, or to a location it pointed to: a failure named as Psoxy names it. */
  async function send(req: SourceRequest): Promise<HttpResponse> {
    try {
      // one budget for the call and the body read
      return await http({ method: req.method, url: req.url, headers: req.headers, body: req.body, timeoutMs });
    } catch (e) {
      throw fetchError(e);
    }
  }

  /** An answer's body, whole or not at all, within the size limit. */
  async function readBody(res: HttpResponse): Promise<Uint8Array> {
    try {
      return await res.bytes(maxResponse);
    } catch (e) {
      throw bodyError(e, maxResponse);
    }
  }

  /** A download location a source pointed to: https only, no credentials, no further redirect. */
  async function download(url: URL, method: string): Promise<{ res: HttpResponse; bytes: Uint8Array }> {
    if (url.protocol !== 'https:' && !(opts.allowInsecureTarget && url.protocol === 'http:')) {
      throw new ProxyError(502, 'API_ERROR', 'the source redirected to a location that is not https');
    }
    const res = await send({ method, url: url.toString(), headers: { accept: 'application/json', 'accept-encoding': 'gzip', 'user-agent': userAgent }, body: null });
    if (res.status >= 300 && res.status < 400) {
      res.discard();
      throw new ProxyError(502, 'REDIRECT_NOT_FOLLOWED', `the download location redirected again (${res.status}); only one redirect is followed`);
    }
    return { res, bytes: await readBody(res) };
  }

  function respond(
    request: ProxyRequest,
    method: string,
    upstream: { res: HttpResponse; bytes: Uint8Array },
    endpoint: CompiledEndpoint | null,
    legacyPseudonyms: boolean,
  ): ProxyResponse {
    const { res, bytes } = upstream;
    const headers: HeaderMap = {};
    for (const k of Object.keys(res.headers)) {
      if (PASS_THROUGH.has(k) || RATE_LIMIT.test(k)) headers[k] = res.headers[k] as string;
    }
    // pagination links point at the source: point them at this proxy instead, so that a client
    // following them (octokit does) stays behind the proxy and its rules
    if (headers.link) headers.link = headers.link.split(`${target.origin}${targetPath}/`).join(`${request.origin}${publicPrefix}/`);
    stampHeaders(headers, stamp);
    if (res.status < 200 || res.status >= 300) {
      headers['x-psoxy-error'] = 'API_ERROR';
      if (!opts.passThroughErrorBodies || method === 'HEAD') {
        delete headers['content-type'];
        return { status: res.status, headers, body: null };
      }
      return { status: res.status, headers, body: bytes };
    }
    if (method === 'HEAD' || res.status === 204 || bytes.length === 0) return { status: res.status, headers, body: null };
    let out: string;
    let contentType = headers['content-type'];
    try {
      const body = sourceText(bytes, contentType, maxResponse);
      // the answer is the sanitized text, in UTF-8 (a gzip file's content type no longer says what it is)
      if (body.relabel) contentType = body.relabel;
      out = endpoint === null ? body.text : opts.rules.sanitize(endpoint, body.text, { pseudonymizer: opts.pseudonymizer, legacyPseudonyms });
    } catch (e) {
      // fail closed: nothing of the source's body leaves
      log.error('sanitization failed', { reason: (e as Error).message });
      throw new ProxyError(500, 'SANITIZATION_FAILED', "the source's response could not be sanitized, so it is withheld");
    }
    headers['content-type'] = contentType ?? 'application/json; charset=utf-8';
    return { status: res.status, headers, body: Buffer.from(out, 'utf8') };
  }

  /** The caller's answer: compressed when it accepts gzip and the body is large enough. */
  function finish(request: ProxyRequest, body: Uint8Array, status: number, headers: HeaderMap): ProxyResponse {
    if (body.length >= compressAt && acceptsGzip(request)) {
      headers['content-encoding'] = 'gzip';
      headers.vary = 'accept-encoding';
      return { status, headers, body: gzipSync(body) };
    }
    return { status, headers, body };
  }

  return async (request) => {
    const started = clock();
    let res: ProxyResponse;
    let failure: ProxyError | undefined;
    try {
      res = await handle(request);
    } catch (e) {
      failure = asProxyError(e, log);
      res = errorResponse(failure);
    }
    // as Psoxy on AWS: every answer tells a caller that does not accept gzip that it could
    if (!acceptsGzip(request)) addWarning(res.headers, 'compression-not-requested');
    // one line per request: never bodies, query values or secrets
    log.info(`${request.method} ${logPath(request.target)} ${res.status}`, {
      ms: clock() - started,
      error: failure?.cause_,
      reason: failure && failure.status < 500 ? failure.message : undefined,
    });
    return res;
  };
}

/** Adds to `X-Psoxy-Warning` (a comma-separated list). */
function addWarning(headers: HeaderMap, warning: string): void {
  const before = headers['x-psoxy-warning'];
  headers['x-psoxy-warning'] = before ? `${before}, ${warning}` : warning;
}

function acceptsGzip(request: ProxyRequest): boolean {
  return /\bgzip\b/i.test(headerOf(request.headers, 'accept-encoding') ?? '');
}

/** The path prefix callers use before the proxied path (a trimmed prefix), from configuration. */
function publicPrefixFor(prefixToTrim: string | undefined): string {
  if (!prefixToTrim) return '';
  const p = prefixToTrim.startsWith('/') ? prefixToTrim : `/${prefixToTrim}`;
  return p.replace(/\/+$/, '');
}

function logPath(raw: string): string {
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q); // query values may hold identifiers: not logged
}

/**
 * `X-Psoxy-Pseudonym-Implementation`: `v0.3` (Psoxy's legacy callers) gets reversible pseudonyms in
 * the JSON form, `v0.4` (or none) the current ones; anything else is the caller's mistake.
 */
function legacyPseudonymsOf(request: ProxyRequest): boolean {
  const v = headerOf(request.headers, 'x-psoxy-pseudonym-implementation')?.trim();
  if (!v || /^(v0\.4|default)$/i.test(v)) return false;
  if (/^(v0\.3|legacy)$/i.test(v)) return true;
  throw new ProxyError(400, 'INVALID_REQUEST', `X-Psoxy-Pseudonym-Implementation: ${v} is not v0.3 or v0.4`);
}
