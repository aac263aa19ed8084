// ALLOWED_DATA_ACCESS_IP_BLOCKS: who may call the proxy, checked after the health check and
// before anything reaches the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeHandler } from '../../src/proxy/index.js';
import { ipAllowed, parseIpBlocks } from '../../src/proxy/ip.js';
import { json, startUpstream, testProxy } from './harness.js';

describe('parseIpBlocks / ipAllowed', () => {
  const allowed = (ip: string | undefined, spec: string) => ipAllowed(ip, parseIpBlocks(spec));

  it('matches IPv4 addresses and CIDR blocks', () => {
    expect(allowed('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(allowed('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(allowed('192.168.1.129', '192.168.1.128/25')).toBe(true);
    expect(allowed('192.168.1.127', '192.168.1.128/25')).toBe(false);
    expect(allowed('203.0.113.7', '198.51.100.1, 203.0.113.7')).toBe(true);
    expect(allowed('203.0.113.8', '203.0.113.7')).toBe(false);
    expect(allowed('1.2.3.4', '0.0.0.0/0')).toBe(true);
  });

  it('matches IPv6, and an IPv4-mapped IPv6 caller as its IPv4 address', () => {
    expect(allowed('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(allowed('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(allowed('[2001:db8::1]', '2001:db8::1')).toBe(true);
    expect(allowed('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(true);
    // an IPv6 block never admits an IPv4 caller, nor the reverse
    expect(allowed('10.0.0.1', '::/0')).toBe(false);
    expect(allowed('2001:db8::1', '0.0.0.0/0')).toBe(false);
  });

  it('admits no caller whose address is unknown or not an address', () => {
    expect(allowed(undefined, '0.0.0.0/0')).toBe(false);
    expect(allowed('localhost', '0.0.0.0/0')).toBe(false);
  });

  it('refuses entries that are not addresses or blocks, naming them', () => {
    expect(() => parseIpBlocks('10.0.0.0/8, example.com')).toThrow(/'example\.com'/);
    expect(() => parseIpBlocks('10.0.0.0/33')).toThrow(/prefix length in '10\.0\.0\.0\/33'/);
    expect(() => parseIpBlocks('10.0.0.0/8x')).toThrow(/prefix length/);
    expect(() => parseIpBlocks('2001:db8::/129')).toThrow(/prefix length/);
  });
});

describe('the proxy behind an IP allowlist', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const proxyWith = (allowedIpBlocks: string): ExchangeHandler => testProxy(upstream.url, 'endpoints:\n  - pathTemplate: /api/users\n', { allowedIpBlocks }).exchange;
  const call = (h: ExchangeHandler, clientIp: string, headers: Record<string, string> = {}) =>
    h({ method: 'GET', target: '/api/users', headers, body: null, clientIp, origin: 'https://psoxy.example' });
  const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString();

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => json(res, 200, { users: [] }));
  });
  afterAll(() => upstream.close());

  it('refuses a caller outside the blocks (403) without calling the source, and serves one inside', async () => {
    const h = proxyWith('10.0.0.0/8');
    const before = upstream.hits.length;
    const out = await call(h, '192.0.2.1');
    expect(out.status).toBe(403);
    expect(out.headers['x-psoxy-error']).toBe('UNAUTHORIZED_IP_ADDRESS');
    expect(text(out.body)).toMatch(/^Client IP is not authorized to access this proxy instance\./);
    expect(upstream.hits.length).toBe(before);
    expect((await call(h, '10.9.8.7')).status).toBe(200);
  });

  it('answers the health check for any caller, saying whether it is authorized (412 when not)', async () => {
    const h = proxyWith('10.0.0.0/8');
    const outside = await call(h, '192.0.2.1', { 'x-psoxy-health-check': 'true' });
    expect(outside.status).toBe(412);
    const report = JSON.parse(text(outside.body));
    expect(report).toMatchObject({ callerIp: '192.0.2.1', clientIpAuthorized: false });
    expect(report.warningMessages.join('\n')).toMatch(/192\.0\.2\.1\) is not authorized/);
    const inside = await call(h, '10.0.0.1', { 'x-psoxy-health-check': 'true' });
    expect(inside.status).toBe(200);
    expect(JSON.parse(text(inside.body))).toMatchObject({ clientIpAuthorized: true });
  });

  it('treats a list with no block in it as no list, as Psoxy does (it locked every caller out before)', async () => {
    const h = proxyWith(' , ');
    expect((await call(h, '192.0.2.1')).status).toBe(200);
    const health = JSON.parse(text((await call(h, '192.0.2.1', { 'x-psoxy-health-check': 'true' })).body));
    expect(health).not.toHaveProperty('clientIpAuthorized');
  });
});
