import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as functions from '@google-cloud/functions-framework';
import type { ProxyRequest, Pseudonymizer } from '@psoxy/core';
import { type FakeUpstream, type SAMPLE_USERS, startSampleProxy } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp, gcpHttpFunction } from '../src/index.js';
import { serveRegistered } from './serve.js';

let p: Pseudonymizer;
let upstream: FakeUpstream;
let api: { url: string; close(): Promise<void> };
let echo: { url: string; close(): Promise<void> };
const seen: { request: ProxyRequest; body: string }[] = [];

beforeAll(async () => {
  const sample = await startSampleProxy({ source: 'test', functionName: 'psoxy-test' });
  ({ upstream, pseudonymizer: p } = sample);
  const proxy = sample.proxy;
  functions.http('psoxy-api', gcpHttpFunction(proxy.exchange));
  // a handler that shows what the adapter handed over
  functions.http(
    'psoxy-echo',
    gcpHttpFunction(async (request) => {
      const body = typeof request.body === 'function' ? await request.body(1024) : request.body;
      seen.push({ request, body: body ? Buffer.from(body).toString('utf8') : '' });
      return { status: 201, headers: { 'content-type': 'text/plain', 'x-echo': 'yes' }, body: Buffer.from('ok') };
    }),
  );
  api = await serveRegistered('psoxy-api');
  echo = await serveRegistered('psoxy-echo');
});
afterAll(async () => {
  await api.close();
  await echo.close();
  await upstream.close({ verify: false });
});

/** A GET sent and read raw: the path as given (fetch normalizes `%2e%2e`), the body undecoded (fetch gunzips). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    httpRequest({ host: hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('gcpHttpFunction under functions-framework', () => {
  it('GET: the raw query with a p~ token reaches the source reversed; the answer is sanitized', async () => {
    const cursor = encodeURIComponent(p.pseudonymToken('next-page', { includeReversible: true }) as string);
    const res = await fetch(`${api.url}/api/users?limit=1&cursor=${cursor}`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('9');
    const body = (await res.json()) as typeof SAMPLE_USERS;
    expect(body.users[0]?.email).toMatch(/^t~[\w-]{43}@acme\.example$/);
    const sent = upstream.requests.at(-1);
    expect(sent?.target).toBe('/api/users?limit=1&cursor=next-page');
  });

  it('POST: the body bytes as sent, not as the framework parsed them', async () => {
    const raw = '{ "q" :  "ada",\n  "n": 1.50 }';
    const res = await fetch(`${api.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ results: [{ id: 1 }] });
    expect(upstream.requests.at(-1)?.body).toBe(raw);
  });

  it('a body no parser claims (no Content-Type) is read from the stream', async () => {
    const res = await fetch(`${echo.url}/x`, { method: 'PUT', body: new Uint8Array(Buffer.from('plain bytes')) });
    expect(res.status).toBe(201);
    expect(seen.at(-1)?.body).toBe('plain bytes');
    expect(seen.at(-1)?.request.headers['content-type']).toBeUndefined();
  });

  it('gzip answers when the caller accepts gzip', async () => {
    const res = await rawGet(api.url, '/api/users?limit=40', { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect((JSON.parse(gunzipSync(res.body).toString()) as typeof SAMPLE_USERS).users).toHaveLength(40);
  });

  it('blocks what the rules do not allow, before calling the source', async () => {
    const n = upstream.requests.length;
    expect((await fetch(`${api.url}/api/users?limit=1&admin=true`)).status).toBe(403);
    expect((await fetch(`${api.url}/api/admin`)).status).toBe(403);
    expect((await fetch(`${api.url}/api/users`, { method: 'DELETE' })).status).toBe(405);
    expect(upstream.requests.length).toBe(n);
  });

  it('strips a leading /<K_SERVICE> segment (URLs through a load balancer)', async () => {
    const res = await fetch(`${api.url}/psoxy-test/api/users?limit=2`);
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.target).toBe('/api/users?limit=2');
  });

  it('client IP: the second-to-last X-Forwarded-For hop, else the socket peer', async () => {
    const health = async (xff?: string) => {
      const res = await fetch(`${api.url}/`, { headers: { 'x-psoxy-health-check': 'true', ...(xff ? { 'x-forwarded-for': xff } : {}) } });
      return ((await res.json()) as { callerIp: string }).callerIp;
    };
    expect(await health('198.51.100.66, 203.0.113.7, 35.191.2.3')).toBe('203.0.113.7');
    expect(await health('203.0.113.7, 35.191.2.3')).toBe('203.0.113.7');
    expect(await health('203.0.113.7')).toBe('127.0.0.1');
    expect(await health()).toBe('127.0.0.1');
    expect(clientIp(' 10.0.0.1 ,, 10.0.0.2 ', undefined)).toBe('10.0.0.1');
  });

  it('hands over the raw target, method, headers and origin, and writes back status, headers and body', async () => {
    const res = await rawGet(echo.url, '/a/%2e%2e/b?x=%20y&x=2', { 'x-multi': 'one', host: 'psoxy.example' });
    expect(res.status).toBe(201);
    expect(res.headers['x-echo']).toBe('yes');
    expect(res.headers['content-length']).toBe('2');
    expect(res.body.toString()).toBe('ok');
    const got = seen.at(-1)?.request;
    expect(got?.target).toBe('/a/%2e%2e/b?x=%20y&x=2');
    expect(got?.method).toBe('GET');
    expect(got?.body).toBeNull();
    expect(got?.origin).toBe('https://psoxy.example');
    expect(got?.headers['x-multi']).toBe('one');
  });

  it('a request target that is not a path is refused with 400 INVALID_REQUEST', async () => {
    const { port } = new URL(echo.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET http://evil.example/x HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'INVALID_REQUEST', message: 'the request target must be a path (origin-form)' });
  });
});
