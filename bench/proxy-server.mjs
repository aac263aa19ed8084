// Child process of the proxy benchmark, in one of three roles (argv[2]): `source`, a loopback
// source serving 10 KB and 1 MB calendar pages; `proxy <source-url>`, the proxy in front of it; or
// `forward <source-url>`, a bare forwarding proxy (the reference: what any proxy on Node's http
// costs before it does any work of its own). Each runs in its own process, as they would in
// reality. Prints {"url", "sizes"} once listening.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InProcessLease, MemorySecretStore, Pseudonymizer, compileRestRules, createProxy, loadRestRules, nodeHttpClient, serveNode, silentLogger } from '@psoxy/core';

const here = dirname(fileURLToPath(import.meta.url));
const page = JSON.parse(readFileSync(join(here, '.data', 'calendar-events.json'), 'utf8'));
function pageOf(bytes) {
  const items = [];
  let size = 200;
  for (const it of page.items) {
    const s = JSON.stringify(it).length;
    if (size + s > bytes) break;
    items.push(it);
    size += s;
  }
  return JSON.stringify({ ...page, items });
}
const bodies = { '10k': pageOf(10 * 1024), '1m': pageOf(1024 * 1024) };
const sizes = { '10k': bodies['10k'].length, '1m': bodies['1m'].length };
// 'cpu': this process's CPU time so far (µs), so the benchmark can tell where a request's CPU goes
process.on('message', (m) => {
  if (m === 'stop') process.exit(0);
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.(u.user + u.system);
  }
});
if (process.argv[2] === 'source') {
  const source = createServer((req, res) => {
  const size = /\/calendars\/(10k|1m)\//.exec(req.url ?? '')?.[1] ?? '10k';
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(bodies[size]);
  });
  source.keepAliveTimeout = 60_000;
  await new Promise((r) => source.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${source.address().port}`, sizes })}\n`);
} else if (process.argv[2] === 'forward') {
  // Node's http server and a keep-alive client, the body read whole before answering (as the proxy
  // must, to sanitize it) and sent back with a length: no parsing, no rules, no checks.
  const source = new URL(process.argv[3]);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const forward = createServer((req, res) => {
    const out = request({ hostname: source.hostname, port: source.port, path: req.url, method: req.method, agent, headers: { accept: 'application/json' } }, (up) => {
      const chunks = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'application/json', 'content-length': body.length });
        res.end(body);
      });
    });
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    out.end();
  });
  forward.keepAliveTimeout = 60_000;
  await new Promise((r) => forward.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${forward.address().port}`, sizes })}\n`);
} else {
const sourceUrl = process.argv[3];
const rules = compileRestRules(loadRestRules(readFileSync(join(here, 'rules', 'gcal.yaml'), 'utf8')));
const handler = createProxy({
  rules,
  pseudonymizer: new Pseudonymizer({ salt: 'bench-salt', encryptionKey: 'bench-key' }),
  target: sourceUrl,
  allowInsecureTarget: true,
  secrets: new MemorySecretStore({}),
  lease: new InProcessLease(),
  http: nodeHttpClient(),
  log: silentLogger,
});
const proxy = await serveNode(handler);
proxy.server.keepAliveTimeout = 60_000;
process.stdout.write(`${JSON.stringify({ url: proxy.url, sizes })}\n`);
}
