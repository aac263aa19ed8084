import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A request as a fake server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, exactly as sent. */
  target: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function record(req: IncomingMessage, body: string): RecordedRequest {
  const target = req.url ?? '/';
  const u = new URL(target, 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', target, path: u.pathname, query: u.searchParams, headers, body };
}

export interface LoopbackOptions {
  /** Serve HTTPS with this certificate (see `testCertificate`): for code that refuses plain http, as a deployed function does. */
  tls?: { cert: string; key: string };
}

/** An HTTP (or HTTPS) server on 127.0.0.1 (any free port) answering with `handle`. */
export async function startLoopback(handle: (req: RecordedRequest, res: ServerResponse) => Promise<void> | void, opts: LoopbackOptions = {}): Promise<LoopbackServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((body) => handle(record(req, body), res))
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake server error: ${(e as Error).message}`);
      });
  };
  const server: Server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Whether an `Authorization` header has the shape of a SigV4 signature for `service` (what AWS
 * checks before anything else; the signature itself is checked against the AWS SDK's signer in
 * the hosts' tests).
 */
export function isSigV4For(authorization: string | undefined, service: string): boolean {
  const m = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$/.exec(authorization ?? '');
  return m?.[1] === service;
}
