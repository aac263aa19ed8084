import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from '../src/runtime/index.js';

let base = '';
const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    seen.push({ method: req.method, headers: req.headers, body });
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'x-ratelimit-remaining': '7' });
      res.end(gzipSync('{"a":"gzip"}'));
    } else if (u.pathname === '/br') {
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(brotliCompressSync('{"a":"br"}'));
    } else if (u.pathname === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    } else if (u.pathname === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else if (u.pathname === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.destroy(), 20);
    } else {
      res.writeHead(201, { 'set-cookie': ['a=1', 'b=2'] });
      res.end(`echo ${body}`);
    }
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const f = nodeHttpFetch();

describe('nodeHttpFetch', () => {
  it('sends method, headers and body; returns status, headers and body', async () => {
    const res = await f(new Request(`${base}/echo`, { method: 'POST', headers: { 'x-test': '1', 'content-type': 'text/plain' }, body: 'hello' }));
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('echo hello');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: 'hello', headers: { 'x-test': '1', 'accept-encoding': 'gzip, deflate, br' } });
  });
  it('decodes gzip and br bodies', async () => {
    const g = await f(`${base}/gzip`);
    expect(await g.json()).toEqual({ a: 'gzip' });
    expect(g.headers.get('x-ratelimit-remaining')).toBe('7');
    expect(await (await f(`${base}/br`)).json()).toEqual({ a: 'br' });
  });
  it('never follows a redirect', async () => {
    const res = await f(`${base}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
  });
  it('rejects with the abort reason when the signal fires', async () => {
    const e = await f(`${base}/slow`, { signal: AbortSignal.timeout(50) }).catch((x: unknown) => x);
    expect((e as Error).name).toBe('TimeoutError');
  });
  it('fails a body cut short', async () => {
    const res = await f(`${base}/cut`);
    await expect(res.text()).rejects.toThrow();
  });
  it('fails like fetch when the source cannot be reached (cause.code)', async () => {
    const e = (await f('http://127.0.0.1:1/x').catch((x: unknown) => x)) as TypeError & { cause?: { code?: string } };
    expect(e).toBeInstanceOf(TypeError);
    expect(e.cause?.code).toBe('ECONNREFUSED');
  });
});
