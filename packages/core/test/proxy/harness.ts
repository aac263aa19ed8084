import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AuthStrategy } from '../../src/auth/index.js';
import { type HttpClient, nodeHttpClient } from '../../src/http/index.js';
import { Pseudonymizer } from '../../src/pseudonym/index.js';
import { type ProxyOptions, createProxy } from '../../src/proxy/index.js';
import { loadRestRules } from '../../src/rules/index.js';
import { InProcessLease, MemorySecretStore, type SecretStore, serveNode, silentLogger, streamLogger } from '../../src/runtime/index.js';
import { compileRestRules } from '../../src/sanitize/index.js';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A source API on 127.0.0.1 that records every request it gets. */
export async function startUpstream(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const hits: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

export const pseudonymizer = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });

let upstreamHttp: HttpClient = nodeHttpClient();
/** How the proxies of this test file call sources (the hosts' node:http client unless a suite says otherwise). */
export function useUpstreamHttp(client: HttpClient): void {
  upstreamHttp = client;
}

/** The proxy in front of `target`, with this file's test defaults (silent unless `extra.log` says otherwise). */
export function testProxy(target: string, rulesYaml: string, extra: Partial<ProxyOptions> & { auth?: AuthStrategy; secrets?: SecretStore } = {}) {
  return createProxy({
    rules: compileRestRules(loadRestRules(rulesYaml)),
    pseudonymizer,
    target,
    allowInsecureTarget: true,
    secrets: extra.secrets ?? new MemorySecretStore({ PSOXY_SALT: 'salt' }),
    lease: new InProcessLease(),
    http: upstreamHttp,
    source: 'test',
    log: silentLogger,
    ...extra,
  });
}

/** The proxy, served on 127.0.0.1, in front of `target`; `lines` is what it logged. */
export async function startProxy(target: string, rulesYaml: string, extra: Partial<ProxyOptions> & { auth?: AuthStrategy; secrets?: SecretStore } = {}) {
  const lines: string[] = [];
  const handler = testProxy(target, rulesYaml, { log: streamLogger({ level: 'debug', write: (l) => lines.push(l) }), ...extra });
  const server = await serveNode(handler);
  return { url: server.url, close: () => server.close(), lines, handler };
}

/**
 * Sends raw HTTP/1.1 bytes (request line and headers as given, unnormalized): what fetch would
 * never send, as an attacker might.
 */
export function rawHttp(baseUrl: string, requestText: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(requestText));
    let data = '';
    socket.on('data', (c) => {
      data += c;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: rest.join('\r\n\r\n') });
    });
  });
}
