import type { IncomingMessage } from 'node:http';
import { readWebStream } from '../http/web-stream.js';
import { ProxyError } from './errors.js';

export const requestTooLarge = (limit: number) => new ProxyError(413, 'INVALID_REQUEST', `the request body is larger than the limit of ${limit} bytes`);

/** Reads a Web request's body, up to `limit` bytes: past the limit the stream is cancelled and a 413 thrown. */
export async function readRequestBody(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return null;
  return readWebStream(req.body, limit, { tooLarge: () => requestTooLarge(limit), failed: (e) => e });
}

/** Reads a Node request's body, up to `limit` bytes: past the limit the request is drained unread and a 413 thrown. */
export function readIncomingBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(requestTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(size === 0 ? null : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => reject(new ProxyError(400, 'INVALID_REQUEST', `the request body could not be read: ${e.message}`)));
  });
}
