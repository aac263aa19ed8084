import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerMapOf } from '../http/node-client.js';
import { readIncomingBody } from '../proxy/body.js';
import { callerOrigin } from '../proxy/target.js';
import type { ExchangeHandler, ProxyHandler, ProxyRequest } from '../proxy/handler.js';

function toProxyRequest(req: IncomingMessage, raw: string, origin: string): ProxyRequest {
  const method = req.method ?? 'GET';
  return {
    method,
    target: raw,
    headers: headerMapOf(req.headers),
    body: method === 'GET' || method === 'HEAD' ? null : (limit) => readIncomingBody(req, limit),
    clientIp: req.socket.remoteAddress,
    origin,
  };
}

export interface NodeServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the proxy over HTTP on this machine (the embedded host of `psoxy serve`), straight from
 * Node's request to the proxy's plain-value handler: no Web `Request` or streams in between. The
 * raw request target is handed to the proxy, so it matches exactly what was sent; absolute-form
 * targets (`GET http://other/ HTTP/1.1`) are refused.
 */
export async function serveNode(handler: ProxyHandler | ExchangeHandler, opts: { port?: number; host?: string } = {}): Promise<NodeServer> {
  const exchange: ExchangeHandler = 'exchange' in handler ? handler.exchange : handler;
  const host = opts.host ?? '127.0.0.1';
  const server = createServer(async (req, res) => {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-psoxy-error': 'INVALID_REQUEST' });
      res.end('the request target must be a path (origin-form)\n');
      return;
    }
    try {
      const response = await exchange(toProxyRequest(req, raw, callerOrigin('http', req.headers.host, host)));
      const headers: Record<string, string> = { ...response.headers };
      // the proxy's responses are complete in memory: one write, with a length
      if (response.body) headers['content-length'] = String(response.body.length);
      res.writeHead(response.status, headers);
      res.end(response.body ?? undefined);
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
