import { ProxyError } from './errors.js';

/**
 * Reads a stream whole, up to `limit` bytes: past the limit the stream is cancelled and
 * `tooLarge()` is thrown, so nothing partial is ever used.
 */
async function readUpTo(body: ReadableStream<Uint8Array>, limit: number, tooLarge: () => ProxyError): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

const responseTooLarge = (limit: number) => new ProxyError(502, 'RESPONSE_TOO_LARGE', `the source's response is larger than the limit of ${limit} bytes`);

/**
 * Reads a response body up to `limit` bytes (after content decoding). Over the limit, or a body
 * cut short, is an error: nothing partial is ever sanitized or returned.
 */
export async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit && !res.headers.get('content-encoding')) {
    await res.body?.cancel().catch(() => undefined);
    throw responseTooLarge(limit);
  }
  if (!res.body) return new Uint8Array(0);
  try {
    return await readUpTo(res.body, limit, () => responseTooLarge(limit));
  } catch (e) {
    if (e instanceof ProxyError) throw e;
    const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    throw timeout
      ? new ProxyError(504, 'SOURCE_API_READ_TIMEOUT', 'the source did not finish its response in time')
      : new ProxyError(502, 'CONNECTION_TO_SOURCE', 'the source closed the connection before the response was complete');
  }
}

/** Reads a request body up to `limit` bytes. */
export async function readRequestBody(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return null;
  return readUpTo(req.body, limit, () => new ProxyError(413, 'INVALID_REQUEST', `the request body is larger than the limit of ${limit} bytes`));
}
