import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ProxyHandler } from '../proxy/handler.js';

function toRequest(req: IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // `duplex: 'half'` is required by Node's fetch for a streamed body
  const init: RequestInit & { duplex: 'half' } = {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    duplex: 'half',
  };
  return new Request(new URL(req.url ?? '/', base), init);
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  // the proxy's responses are complete in memory: one write, with a length
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

export interface NodeServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a proxy handler over HTTP on this machine (the embedded host of `psoxy serve`). The raw
 * request target is handed to the proxy, so it matches exactly what was sent; absolute-form
 * targets (`GET http://other/ HTTP/1.1`) are refused.
 */
export async function serveNode(handler: ProxyHandler, opts: { port?: number; host?: string } = {}): Promise<NodeServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer(async (req, res) => {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-psoxy-error': 'INVALID_REQUEST' });
      res.end('the request target must be a path (origin-form)\n');
      return;
    }
    try {
      const origin = `http://${req.headers.host && /^[\w.:[\]-]+$/.test(req.headers.host) ? req.headers.host : host}`;
      const response = await handler(toRequest(req, origin), { rawTarget: raw, clientIp: req.socket.remoteAddress });
      await writeResponse(res, response);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'x-psoxy-error': 'UNKNOWN' });
      res.end();
    }
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
