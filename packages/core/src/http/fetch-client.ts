import { type HeaderMap, type HttpClient, HttpClientError, type HttpResponse, bodyTooLarge, bodyTruncated } from './types.js';
import { readWebStream } from './web-stream.js';

/** Web `Headers` as a {@link HeaderMap} (their names are lower-case, repeats joined with `, `). */
export function headerMapOfWeb(headers: Headers): HeaderMap {
  const out: HeaderMap = {};
  headers.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

const isTimeout = (e: unknown) => (e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError';

/**
 * An {@link HttpClient} over a `fetch` (Node's, or one a test or an embedding application
 * supplies): `redirect: 'manual'`, one AbortController for the time budget, bodies read up to the
 * limit. Hosts use {@link nodeHttpClient} instead, which never loads the Web classes.
 */
export function fetchHttpClient(f: typeof fetch): HttpClient {
  return async (req) => {
    const abort = req.timeoutMs !== undefined ? new AbortController() : undefined;
    const timer = abort ? setTimeout(() => abort.abort(new DOMException('timeout', 'TimeoutError')), req.timeoutMs) : undefined;
    const timeout = () => new HttpClientError('timeout', `${new URL(req.url).host} did not answer within ${req.timeoutMs} ms`);
    let res: Response;
    try {
      res = await f(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? null : (req.body ?? null),
        redirect: 'manual',
        signal: abort?.signal ?? null,
      });
    } catch (e) {
      clearTimeout(timer);
      if (abort?.signal.aborted || isTimeout(e)) throw timeout();
      const code = (e as { cause?: { code?: string } }).cause?.code;
      throw new HttpClientError('connection', `${new URL(req.url).host} could not be reached (${code ?? (e as Error).message})`, code);
    }
    const headers = headerMapOfWeb(res.headers);
    let consumed = false;
    const response: HttpResponse = {
      status: res.status,
      headers,
      async bytes(limit = Number.POSITIVE_INFINITY) {
        if (consumed) throw new Error('the response body was already read');
        consumed = true;
        try {
          const declared = Number(headers['content-length']);
          if (Number.isFinite(declared) && declared > limit && !headers['content-encoding']) {
            await res.body?.cancel().catch(() => undefined);
            throw bodyTooLarge(limit);
          }
          if (!res.body) return new Uint8Array(0);
          return await readWebStream(res.body, limit, {
            tooLarge: () => bodyTooLarge(limit),
            failed: () => (abort?.signal.aborted ? timeout() : bodyTruncated()),
          });
        } finally {
          clearTimeout(timer);
        }
      },
      async text(limit) {
        const b = await response.bytes(limit);
        return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
      },
      discard() {
        clearTimeout(timer);
        if (consumed) return;
        consumed = true;
        res.body?.cancel().catch(() => undefined);
      },
    };
    return response;
  };
}

