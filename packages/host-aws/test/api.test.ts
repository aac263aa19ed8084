import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Pseudonymizer } from '@psoxy/core';
import { type FakeUpstream, startSampleProxy } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpEvent, type HttpResultV1, type HttpResultV2, lambdaApiHandler } from '../src/index.js';

const event = (name: string): HttpEvent => JSON.parse(readFileSync(new URL(`./events/${name}.json`, import.meta.url), 'utf8'));
let p: Pseudonymizer;
let upstream: FakeUpstream;
let handler: ReturnType<typeof lambdaApiHandler>;
beforeAll(async () => {
  const sample = await startSampleProxy();
  ({ upstream, pseudonymizer: p } = sample);
  handler = lambdaApiHandler(sample.proxy.exchange);
});
afterAll(() => upstream.close());

describe('Lambda HTTP events', () => {
  it('Function URL (payload 2.0) GET: raw query with a p~ token reversed, sanitized JSON, headers passed back', async () => {
    const e = event('function-url-get') as HttpEvent & { rawQueryString: string };
    e.rawQueryString = `limit=1&cursor=${encodeURIComponent(p.pseudonymToken('next-page', { includeReversible: true }) as string)}`;
    const r = (await handler(e)) as HttpResultV2;
    expect(r.statusCode).toBe(200);
    expect(r.isBase64Encoded).toBe(false);
    expect(r.headers['x-ratelimit-remaining']).toBe('9');
    const body = JSON.parse(r.body);
    expect(body.users[0].email).toMatch(/^t~[\w-]{43}@acme\.example$/);
    const sent = upstream.requests.at(-1);
    expect(sent?.query.get('cursor')).toBe('next-page');
    expect(sent?.headers.cookie).toBeUndefined();
  });

  it('HTTP API (payload 2.0) POST with a base64 body', async () => {
    const r = (await handler(event('http-api-post-base64'))) as HttpResultV2;
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ results: [{ id: 1 }] });
    expect(upstream.requests.at(-1)?.body).toBe('{"q":"ada"}');
  });

  it('gzip answers go back base64-encoded', async () => {
    const e = event('function-url-get') as HttpEvent & { headers: Record<string, string>; rawQueryString: string };
    e.headers['accept-encoding'] = 'gzip';
    e.rawQueryString = 'limit=40';
    const r = (await handler(e)) as HttpResultV2;
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.isBase64Encoded).toBe(true);
    expect(JSON.parse(gunzipSync(Buffer.from(r.body, 'base64')).toString()).users).toHaveLength(40);
  });

  it('REST API (payload 1.0): multi-value headers both ways', async () => {
    const r = (await handler(event('rest-api-get'))) as HttpResultV1;
    expect(r.statusCode).toBe(200);
    expect(r.multiValueHeaders['x-ratelimit-remaining']).toEqual(['9']);
    expect(JSON.parse(r.body).users[1].email).toMatch(/^t~/);
  });

  it('blocks what the rules do not allow, and path tricks in the raw path', async () => {
    const e = event('function-url-get') as HttpEvent & { rawPath: string; rawQueryString: string };
    e.rawQueryString = 'limit=1&admin=true';
    expect(((await handler(e)) as HttpResultV2).statusCode).toBe(403);
    const traversal = event('function-url-get') as HttpEvent & { rawPath: string };
    traversal.rawPath = '/api/users/%2e%2e/admin';
    expect(((await handler(traversal)) as HttpResultV2).statusCode).toBeGreaterThanOrEqual(400);
    const n = upstream.requests.length;
    const v1 = event('rest-api-get') as HttpEvent & { httpMethod: string };
    v1.httpMethod = 'DELETE';
    expect(((await handler(v1)) as HttpResultV1).statusCode).toBe(405);
    expect(upstream.requests.length).toBe(n);
  });
});

describe('gateway paths', () => {
  /** An HTTP API (payload 2.0) event on `rawPath`, through `stage` and the route `routeKey`. */
  const viaGateway = (rawPath: string, rawQueryString: string, stage: string, routeKey: string) => {
    const e = event('function-url-get') as HttpEvent & { rawPath: string; rawQueryString: string; requestContext: { stage: string; routeKey: string } };
    e.rawPath = rawPath;
    e.rawQueryString = rawQueryString;
    e.requestContext.stage = stage;
    e.requestContext.routeKey = routeKey;
    return e;
  };

  it('removes a named stage and a proxy route prefix (HTTP API, payload 2.0)', async () => {
    const e = viaGateway('/prod/gcal/api/users', 'limit=1', 'prod', 'ANY /gcal/{proxy+}');
    expect(((await handler(e)) as HttpResultV2).statusCode).toBe(200);
    expect(upstream.requests.at(-1)?.path).toBe('/api/users');
  });
  it("removes a plain route key's path too (`ANY /gcal`, the shape Psoxy's adapter assumes)", async () => {
    const e = viaGateway('/default/gcal/api/users', '', 'default', 'ANY /gcal');
    expect(((await handler(e)) as HttpResultV2).statusCode).toBe(200);
    expect(upstream.requests.at(-1)?.path).toBe('/api/users');
    // a route that is not a prefix of the path is left alone
    e.rawPath = '/default/gcalx/api/users';
    const before = upstream.requests.length;
    await handler(e);
    const sent = upstream.requests.slice(before).map((r) => r.path);
    expect(sent).not.toContain('/api/users');
  });

  it('removes the stage and resource prefix (REST API, payload 1.0)', async () => {
    const e = event('rest-api-get') as HttpEvent & { path: string; resource: string; requestContext: { stage: string } };
    e.path = '/prod/gcal/api/users';
    e.resource = '/gcal/{proxy+}';
    expect(((await handler(e)) as HttpResultV1).statusCode).toBe(200);
    expect(upstream.requests.at(-1)?.path).toBe('/api/users');
  });

  it('fails an SQS batch (Psoxy\'s async mode) instead of answering it, so the queue does not drop it', async () => {
    const sqs = { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: '{}' }] } as unknown as HttpEvent;
    const before = upstream.requests.length;
    await expect(handler(sqs)).rejects.toThrow(/HTTP events only; it got aws:sqs records/);
    expect(upstream.requests.length).toBe(before);
  });
});
