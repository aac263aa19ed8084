import { ProxyError } from './errors.js';

/**
 * Reads a response body up to `limit` bytes (after content decoding). Over the limit, or a body
 * cut short, is an error: nothing partial is ever sanitized or returned.
 */
export async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit && !res.headers.get('content-encoding')) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProxyError(502, 'RESPONSE_TOO_LARGE', `the source's response is larger than the limit of ${limit} bytes`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new ProxyError(502, 'RESPONSE_TOO_LARGE', `the source's response is larger than the limit of ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ProxyError) throw e;
    const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    throw timeout
      ? new ProxyError(504, 'SOURCE_API_READ_TIMEOUT', 'the source did not finish its response in time')
      : new ProxyError(502, 'CONNECTION_TO_SOURCE', 'the source closed the connection before the response was complete');
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Reads a request body up to `limit` bytes. */
export async function readRequestBody(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return null;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ProxyError(413, 'INVALID_REQUEST', `the request body is larger than the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
