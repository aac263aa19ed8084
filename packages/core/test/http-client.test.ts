import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient, HttpClientError, fetchHttpClient, nodeHttpClient } from '../src/http/index.js';

let base = '';
const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'x-ratelimit-remaining': '7' });
      res.end(gzipSync('{"a":"gzip"}'));
    } else if (u.pathname === '/br') {
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(brotliCompressSync('{"a":"br"}'));
    } else if (u.pathname === '/bad-gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('not gzip at all');
    } else if (u.pathname === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    } else if (u.pathname === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else if (u.pathname === '/stall') {
      // answers at once, then never finishes the body
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
    } else if (u.pathname === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.destroy(), 20);
    } else if (u.pathname === '/big-declared') {
      res.writeHead(200, { 'content-length': '5000' });
      res.end('x'.repeat(5000));
    } else if (u.pathname === '/big-chunked') {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
      res.end();
    } else if (u.pathname === '/empty') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(201, { 'set-cookie': ['a=1', 'b=2'], 'x-multi': ['1', '2'] });
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

const failure = async (p: Promise<unknown>): Promise<HttpClientError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HttpClientError);
  return e as HttpClientError;
};

describe.each([
  ['nodeHttpClient', nodeHttpClient()],
  ['fetchHttpClient(fetch)', fetchHttpClient(globalThis.fetch)],
] as [string, HttpClient][])('%s', (_name, http) => {
  it('sends method, headers and body; returns status, lower-case headers (repeats joined) and body', async () => {
    const res = await http({ method: 'POST', url: `${base}/echo?q=1`, headers: { 'x-test': '1', 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers['x-multi']).toBe('1, 2');
    expect(await res.text()).toBe('echo hello');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/echo?q=1', body: 'hello', headers: { 'x-test': '1', 'content-type': 'text/plain' } });
  });
  it('sends a byte body as it is', async () => {
    const res = await http({ method: 'PUT', url: `${base}/echo`, headers: {}, body: new Uint8Array([0x68, 0xc3, 0xa9]) });
    expect(await res.text()).toBe('echo hé');
  });
  it('decodes gzip and br bodies', async () => {
    const g = await http({ method: 'GET', url: `${base}/gzip`, headers: {} });
    expect(g.headers['x-ratelimit-remaining']).toBe('7');
    expect(await g.text()).toBe('{"a":"gzip"}');
    expect(await (await http({ method: 'GET', url: `${base}/br`, headers: {} })).text()).toBe('{"a":"br"}');
  });
  it('a corrupt encoding fails the read', async () => {
    const res = await http({ method: 'GET', url: `${base}/bad-gzip`, headers: {} });
    expect((await failure(res.bytes())).kind).toBe('truncated');
  });
  it('never follows a redirect', async () => {
    const res = await http({ method: 'GET', url: `${base}/redirect`, headers: {} });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/elsewhere');
    res.discard();
  });
  it('a 204 has an empty body', async () => {
    const res = await http({ method: 'GET', url: `${base}/empty`, headers: {} });
    expect(res.status).toBe(204);
    expect((await res.bytes()).length).toBe(0);
  });
  it('times out waiting for the answer', async () => {
    const e = await failure(http({ method: 'GET', url: `${base}/slow`, headers: {}, timeoutMs: 50 }));
    expect(e.kind).toBe('timeout');
  });
  it('the time budget covers the body too', async () => {
    const res = await http({ method: 'GET', url: `${base}/stall`, headers: {}, timeoutMs: 100 });
    expect(res.status).toBe(200);
    expect((await failure(res.bytes())).kind).toBe('timeout');
  });
  it('fails a body cut short, with nothing partial', async () => {
    const res = await http({ method: 'GET', url: `${base}/cut`, headers: {} });
    expect((await failure(res.text())).kind).toBe('truncated');
  });
  it('refuses a body over the limit: declared, or as it streams', async () => {
    const declared = await http({ method: 'GET', url: `${base}/big-declared`, headers: {} });
    expect((await failure(declared.bytes(4999))).kind).toBe('too-large');
    const chunked = await http({ method: 'GET', url: `${base}/big-chunked`, headers: {} });
    expect((await failure(chunked.bytes(9999))).kind).toBe('too-large');
    const exact = await http({ method: 'GET', url: `${base}/big-chunked`, headers: {} });
    expect((await exact.bytes(10000)).length).toBe(10000);
  });
  it('a body is read once', async () => {
    const res = await http({ method: 'GET', url: `${base}/echo`, headers: {} });
    await res.bytes();
    await expect(res.bytes()).rejects.toThrow(/already read/);
  });
  it('a discarded body frees the connection for the next call', async () => {
    for (let i = 0; i < 80; i++) (await http({ method: 'GET', url: `${base}/big-chunked`, headers: {} })).discard();
    expect((await http({ method: 'GET', url: `${base}/echo`, headers: {} })).status).toBe(201);
  });
  it('says the source cannot be reached, with the system code', async () => {
    // a port that was just free (fetch refuses port 1 outright)
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await failure(http({ method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {} }));
    expect(e.kind).toBe('connection');
    expect(e.code).toBe('ECONNREFUSED');
  });
});

describe('nodeHttpClient', () => {
  it('asks for compressed answers unless told otherwise', async () => {
    const http = nodeHttpClient();
    await (await http({ method: 'GET', url: `${base}/echo`, headers: {} })).bytes();
    expect(seen.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
    await (await http({ method: 'GET', url: `${base}/echo`, headers: { 'accept-encoding': 'gzip' } })).bytes();
    expect(seen.at(-1)?.headers['accept-encoding']).toBe('gzip');
  });
  it('sends the path and query as given, without the fragment, whatever the case of the scheme', async () => {
    const http = nodeHttpClient();
    await (await http({ method: 'GET', url: `${base}/a%2Fb/c?x=%20y&z#frag`, headers: {} })).bytes();
    expect(seen.at(-1)?.url).toBe('/a%2Fb/c?x=%20y&z');
    await (await http({ method: 'GET', url: `${base}?q=1`, headers: {} })).bytes();
    expect(seen.at(-1)?.url).toBe('/?q=1');
    await (await http({ method: 'GET', url: `${base.replace('http:', 'HTTP:')}/upper`, headers: {} })).bytes();
    expect(seen.at(-1)?.url).toBe('/upper');
  });
  it('refuses credentials in the URL and URLs it cannot read', async () => {
    const http = nodeHttpClient();
    await expect(http({ method: 'GET', url: base.replace('http://', 'http://user:pw@'), headers: {} })).rejects.toThrow(/credentials/);
    await expect(http({ method: 'GET', url: '/relative', headers: {} })).rejects.toThrow(/not a valid URL/);
  });
  it('refuses a request Node cannot write, and leaves no timer behind', async () => {
    const http = nodeHttpClient();
    const timers = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await expect(http({ method: 'GET', url: `${base}/echo`, headers: { 'x-bad': 'a\r\nb' }, timeoutMs: 60_000 })).rejects.toThrow(/Invalid character/);
    await expect(http({ method: 'GET', url: `${base}/a b`, headers: {}, timeoutMs: 60_000 })).rejects.toThrow(/unescaped/i);
    expect(timers()).toBe(before);
  });
  it('refuses other protocols', async () => {
    await expect(nodeHttpClient()({ method: 'GET', url: 'file:///etc/passwd', headers: {} })).rejects.toThrow(/unsupported protocol/);
  });
});
