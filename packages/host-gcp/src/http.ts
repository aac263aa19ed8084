import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ExchangeHandler, type ProxyRequest, type ProxyResponse, callerOrigin, headerMapOf, readIncomingBody } from '@psoxy/core';
import { type PubSubPush, handlePubSubPush, isPubSubPush } from './pubsub.js';

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

/** The Express request as the proxy takes it: raw target (path and query as sent), every header, the body bytes as received. */
function toProxyRequest(req: GcpHttpRequest): ProxyRequest {
  const target = req.originalUrl ?? req.url ?? '/';
  if (!target.startsWith('/')) throw new Error('the request target must be a path (origin-form)');
  const headers = headerMapOf(req.headers);
  const method = (req.method ?? 'GET').toUpperCase();
  // the parsed `req.body` is never used: re-serializing it would change the bytes the rules check.
  // A body no parser claimed (no Content-Type) is still unread in the stream.
  let body: ProxyRequest['body'] = null;
  if (method !== 'GET' && method !== 'HEAD') {
    if (Buffer.isBuffer(req.rawBody)) body = req.rawBody;
    else if (!req.readableEnded) body = (limit) => readIncomingBody(req, limit);
  }
  return { method, target, headers, body, clientIp: clientIp(headers['x-forwarded-for'], req.socket?.remoteAddress), origin: callerOrigin('https', headers.host, 'cloudfunctions.invalid') };
}

/** A JSON answer of the adapter itself (errors), with Psoxy's `X-Psoxy-Error` cause. */
export function sendJsonError(res: ServerResponse, status: number, body: { error: string; message: string; problems?: string[] | undefined }): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-psoxy-error': body.error });
  res.end(bytes);
}

function writeResponse(method: string, res: ServerResponse, response: ProxyResponse): void {
  const body = response.body ?? new Uint8Array(0);
  const headers: Record<string, string> = { ...response.headers };
  // the proxy's responses are complete in memory: one write, with its length
  if (!NO_BODY_STATUS.has(response.status) && method !== 'HEAD') headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * The HTTP function for Cloud Run functions (gen2) around the proxy's plain-value handler: the
 * Express request becomes a {@link ProxyRequest} (raw target, raw body bytes, client IP from the
 * front end's hop), the answer is written back as is (status, headers, body bytes). With `push`
 * (the asynchronous mode), Pub/Sub pushes of queued requests are processed too.
 */
export function gcpHttpFunction(proxy: ExchangeHandler, opts: { push?: PubSubPush | undefined } = {}): GcpHttpFunction {
  return async (req, res) => {
    if (opts.push && isPubSubPush(req)) return handlePubSubPush(req, res, proxy, opts.push);
    let request: ProxyRequest;
    try {
      request = toProxyRequest(req);
    } catch (e) {
      // a request the front end accepted but the proxy cannot take: refuse it, say why
      sendJsonError(res, 400, { error: 'INVALID_REQUEST', message: (e as Error).message });
      return;
    }
    writeResponse(request.method, res, await proxy(request));
  };
}
