import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ProxyHandler, RequestInfo } from '@psoxy/core';

/**
 * The request functions-framework hands an HTTP function: an Express request, whose body the
 * framework's body parsers have already read, keeping the bytes in `rawBody`.
 */
export type GcpHttpRequest = IncomingMessage & { rawBody?: Buffer | undefined; originalUrl?: string | undefined };

/** An HTTP function, as `functions.http(name, fn)` registers it (Express's response is a ServerResponse). */
export type GcpHttpFunction = (req: GcpHttpRequest, res: ServerResponse) => Promise<void>;

const NO_BODY_STATUS = new Set([204, 304]);

/**
 * The client's address: the second-to-last hop of `X-Forwarded-For`. Google's front end appends
 * the address it saw the client at, then the load balancer's; anything left of those was sent by
 * the client and can be forged. With fewer hops, the socket's peer.
 */
export function clientIp(forwardedFor: string | null | undefined, peer: string | undefined): string | undefined {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  return hops.length >= 2 ? hops[hops.length - 2] : peer;
}

/** The Express request as a Web request: raw target (path and query as sent), every header, the body bytes as received. */
function toRequest(req: GcpHttpRequest): { request: Request; info: RequestInfo } {
  const target = req.originalUrl ?? req.url ?? '/';
  if (!target.startsWith('/')) throw new Error('the request target must be a path (origin-form)');
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1] as string);
  }
  const host = headers.get('host');
  const origin = host && /^[\w.:[\]-]+$/.test(host) ? host : 'cloudfunctions.invalid';
  const method = (req.method ?? 'GET').toUpperCase();
  // the parsed `req.body` is never used: re-serializing it would change the bytes the rules check.
  // A body no parser claimed (no Content-Type) is still unread in the stream.
  let body: Uint8Array | ReadableStream<Uint8Array> | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    if (Buffer.isBuffer(req.rawBody)) body = req.rawBody;
    else if (!req.readableEnded) body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
  }
  // `duplex: 'half'` is required by Node's fetch for a streamed body
  const init: RequestInit & { duplex: 'half' } = { method, headers, body: body ?? null, duplex: 'half' };
  return {
    request: new Request(`https://${origin}${target}`, init),
    info: { rawTarget: target, clientIp: clientIp(headers.get('x-forwarded-for'), req.socket?.remoteAddress) },
  };
}

/** A JSON answer of the adapter itself (errors), with Psoxy's `X-Psoxy-Error` cause. */
export function sendJsonError(res: ServerResponse, status: number, body: { error: string; message: string; problems?: string[] | undefined }): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-psoxy-error': body.error });
  res.end(bytes);
}

async function writeResponse(method: string, res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // the proxy's responses are complete in memory: one write, with its length
  if (!NO_BODY_STATUS.has(response.status) && method !== 'HEAD') headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * The HTTP function for Cloud Run functions (gen2) around a proxy handler: the Express request
 * becomes a Web `Request` (raw target, raw body bytes, client IP from the front end's hop), the
 * `Response` is written back as is (status, headers including every Set-Cookie, body bytes).
 */
export function gcpHttpFunction(proxy: ProxyHandler): GcpHttpFunction {
  return async (req, res) => {
    let converted: { request: Request; info: RequestInfo };
    try {
      converted = toRequest(req);
    } catch (e) {
      // a request the front end accepted but a URL cannot express: refuse it, say why
      sendJsonError(res, 400, { error: 'INVALID_REQUEST', message: (e as Error).message });
      return;
    }
    await writeResponse(converted.request.method, res, await proxy(converted.request, converted.info));
  };
}
