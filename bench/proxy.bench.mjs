// Proxy overhead: the same loopback source called directly and through the proxy, measured in the
// same run: p50/p99 latency and requests per second, at 1 and 32 concurrent clients.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    request(url, { agent }, (res) => {
      // Drain the body: the timing includes receiving every byte.
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

async function load(url, concurrency, total) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  for (let i = 0; i < Math.min(20, total); i++) await get(agent, url); // warm-up
  const latencies = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        latencies.push(await get(agent, url));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { p50: q(0.5), p99: q(0.99), rps: total / seconds };
}

export async function benchProxy() {
  const start = async (args) => {
    const child = fork(join(here, 'proxy-server.mjs'), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const out = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)))));
    return { child, ...out };
  };
  const src = await start(['source']);
  const prx = await start(['proxy', src.url]);
  const fwd = await start(['forward', src.url]);
  const info = { source: src.url, proxy: prx.url, forward: fwd.url, sizes: src.sizes };
  const child = {
    kill: () => {
      src.child.kill();
      prx.child.kill();
      fwd.child.kill();
    },
  };
  const cpuOf = (c) =>
    new Promise((resolve) => {
      c.once('message', resolve);
      c.send('cpu');
    });
  /**
   * A load round, with the CPU time each process spent per request (µs): the client (this
   * process), the source, and the proxy in between (`via`: psoxy or the bare forwarding proxy).
   */
  const measured = async (url, concurrency, total, via = prx.child) => {
    const before = { client: process.cpuUsage(), source: await cpuOf(src.child), proxy: await cpuOf(via) };
    const r = await load(url, concurrency, total);
    const c = process.cpuUsage(before.client);
    const source = await cpuOf(src.child);
    const proxy = await cpuOf(via);
    const n = total + Math.min(20, total); // with load()'s warm-up requests
    return { ...r, cpu: { client: (c.user + c.system) / n, source: (source - before.source) / n, proxy: (proxy - before.proxy) / n } };
  };
  const rows = [];
  try {
    for (const size of ['10k', '1m']) {
      for (const concurrency of [1, 32]) {
        const total = size === '10k' ? (concurrency === 1 ? 600 : 3000) : concurrency === 1 ? 60 : 200;
        const path = `/calendar/v3/calendars/${size}/events`;
        // alternate direct and proxied rounds so drift hits both
        const direct = [];
        const proxied = [];
        const forwarded = [];
        for (let round = 0; round < 2; round++) {
          direct.push(await measured(`${info.source}${path}`, concurrency, total));
          proxied.push(await measured(`${info.proxy}${path}`, concurrency, total));
          forwarded.push(await measured(`${info.forward}${path}`, concurrency, total, fwd.child));
        }
        const med = (xs, k) => xs.map((x) => x[k]).sort((a, b) => a - b)[0];
        const best = (xs, k) => Math.max(...xs.map((x) => x[k]));
        const least = (xs, k) => Math.min(...xs.map((x) => x.cpu[k]));
        rows.push({
          size,
          bytes: info.sizes[size],
          concurrency,
          direct: { p50: med(direct, 'p50'), p99: med(direct, 'p99'), rps: best(direct, 'rps'), cpu: { client: least(direct, 'client'), source: least(direct, 'source') } },
          proxied: { p50: med(proxied, 'p50'), p99: med(proxied, 'p99'), rps: best(proxied, 'rps'), cpu: { client: least(proxied, 'client'), source: least(proxied, 'source'), proxy: least(proxied, 'proxy') } },
          forwarded: { p50: med(forwarded, 'p50'), rps: best(forwarded, 'rps'), cpu: { proxy: least(forwarded, 'proxy') } },
        });
      }
    }
  } finally {
    child.kill();
  }
  return rows;
}
