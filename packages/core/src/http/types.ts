/**
 * How the proxy, its auth strategies and the hosts make HTTP calls: plain objects in and out, no
 * Web `Request`/`Response`. Node's `Request`, `Response` and `Headers` load undici on first use
 * (~35 ms here, ~15 % of a function's cold-start budget) and cost a few hundred microseconds per
 * proxied request in objects and streams; a function that never touches them pays neither.
 * `nodeHttpClient()` is the implementation hosts use; `fetchHttpClient(fetch)` adapts any fetch.
 */

/** Header names in lower case; a repeated header's values joined with `, `. */
export type HeaderMap = Record<string, string>;

export interface HttpRequest {
  readonly method: string;
  /** Absolute `http:` or `https:` URL. */
  readonly url: string;
  readonly headers: HeaderMap;
  readonly body?: string | Uint8Array | null | undefined;
  /** Budget for the whole exchange: the answer and the reading of its body. */
  readonly timeoutMs?: number | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  /**
   * The whole body, content-decoded (gzip, deflate, br). Over `limit` bytes, a body cut short, or
   * the time budget spent: an {@link HttpClientError}, and nothing partial.
   */
  bytes(limit?: number): Promise<Uint8Array>;
  /** {@link bytes} as UTF-8 text (invalid sequences replaced). */
  text(limit?: number): Promise<string>;
  /** Drops the body unread, freeing the connection. */
  discard(): void;
}

/** One HTTP exchange. Redirects are never followed: a 3xx is an answer like any other. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Why an exchange failed: `timeout` (the budget was spent), `connection` (no answer: refused,
 * reset, DNS, TLS), `truncated` (the body was cut short or its encoding corrupt), `too-large` (the
 * body is over the limit the reader set).
 */
export type HttpFailure = 'timeout' | 'connection' | 'truncated' | 'too-large';

export class HttpClientError extends Error {
  override readonly name = 'HttpClientError';
  constructor(
    readonly kind: HttpFailure,
    message: string,
    /** The system error's code (`ECONNREFUSED`, `ECONNRESET`, ...), when there is one. */
    readonly code?: string | undefined,
  ) {
    super(message);
  }
}

/** A body over the limit its reader set. */
export const bodyTooLarge = (limit: number): HttpClientError => new HttpClientError('too-large', `the response body is larger than the limit of ${limit} bytes`);

/** A body cut short (or its encoding corrupt). */
export const bodyTruncated = (): HttpClientError => new HttpClientError('truncated', 'the connection closed before the response body was complete');

/** A 2xx status. */
export const isOk = (status: number): boolean => status >= 200 && status < 300;

/** Header names lower-cased, for requests built from caller-supplied maps. */
export function lowerCaseHeaders(headers: Record<string, string>): HeaderMap {
  const out: HeaderMap = {};
  for (const k of Object.keys(headers)) out[k.toLowerCase()] = headers[k] as string;
  return out;
}
