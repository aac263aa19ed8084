import { createSign, generateKeyPairSync } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import * as functions from '@google-cloud/functions-framework';
import { silentLogger } from '@psoxy/core';
import { type FakeGcs, type FakePubSub, type FakeSecretManager, startFakeGcs, startFakePubSub, startFakeSecretManager, startFakeUpstream, startLoopback } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsObjectStore, GoogleIdTokenVerifier, createGcpApiFunction, topicPath } from '../src/index.js';
import { serveRegistered } from './serve.js';

const SERVICE_URL = 'https://psoxy-slack-abc123-uc.a.run.app';
// the push subscription's service account (Psoxy's Terraform: the function's own)
const PUSHER = 'psoxy-slack@test-project.iam.gserviceaccount.com';
const RULES = 'endpoints:\n  - pathTemplate: /api/users\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.users[*].email"]\n';

/** A Google-like signer of ID tokens, and its certificates endpoint. */
function signer(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: Record<string, unknown>) => {
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const s = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey).toString('base64url');
    return `${head}.${body}.${s}`;
  };
  return { kid, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), sign };
}

let sm: FakeSecretManager;
let gcs: FakeGcs;
let pubsub: FakePubSub;
let certs: { url: string; close(): Promise<void> };
let certFetches = 0;
const google = signer('google-key-1');
const stranger = signer('google-key-1');

beforeAll(async () => {
  sm = await startFakeSecretManager();
  sm.put('psoxy_PSOXY_SALT', ['salt']);
  sm.put('PSOXY_SLACK_SERVICE_URL', [SERVICE_URL]);
  gcs = await startFakeGcs();
  pubsub = await startFakePubSub();
  certs = await startLoopback((_req, res) => {
    certFetches++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    res.end(JSON.stringify({ [google.kid]: google.publicPem }));
  });
});
afterAll(async () => {
  await sm.close();
  await gcs.close();
  await pubsub.close();
  await certs.close();
});

const now = () => Math.floor(Date.now() / 1000);
const pushToken = (over: Record<string, unknown> = {}, by = google) =>
  by.sign({ iss: 'https://accounts.google.com', aud: SERVICE_URL, iat: now(), exp: now() + 3600, email: PUSHER, email_verified: true, ...over });

function register(name: string, env: Record<string, string> = {}) {
  functions.http(
    name,
    createGcpApiFunction({
      env: { K_SERVICE: 'psoxy-slack', RULES, ASYNC_OUTPUT_DESTINATION: 'gs://async-out/results/', ASYNC_PUB_SUB_QUEUE: 'psoxy-slack-async-output', ...env },
      secretManager: { project: sm.project, endpoint: sm.url, accessToken: async () => sm.token },
      storage: new GcsObjectStore({ endpoint: gcs.url, accessToken: async () => gcs.token }),
      pubsub: { endpoint: pubsub.url, accessToken: async () => pubsub.token, pushServiceAccount: PUSHER },
      idTokens: new GoogleIdTokenVerifier({ certsUrl: certs.url }),
      allowInsecureTarget: true,
      log: silentLogger,
    }),
  );
  return serveRegistered(name);
}

const push = (url: string, body: string, headers: Record<string, string>) =>
  fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)', ...headers }, body });

describe('the asynchronous mode on Cloud Run functions (Pub/Sub push)', () => {
  it('answers 202, publishes the request, and processes the push of it, writing the sanitized result to Cloud Storage', async () => {
    const upstream = await startFakeUpstream([
      { path: '/api/users', body: { users: [{ email: 'ada@acme.example' }] }, times: 1 },
      { path: '/api/users', status: 503, body: { error: 'unavailable' } },
    ]);
    const fn = await register('slack-async', { TARGET_HOST: upstream.url });
    try {
      const accepted = await fetch(`${fn.url}/api/users`, { headers: { prefer: 'respond-async', authorization: 'Bearer caller-token' } });
      expect(accepted.status).toBe(202);
      const context = (await accepted.json()) as { requestId: string; asyncOutputLocation: string };
      expect(accepted.headers.get('location')).toBe(context.asyncOutputLocation);
      expect(context.asyncOutputLocation).toMatch(/^gs:\/\/async-out\/results\/\d{8}\/[\w-]+$/);
      expect(upstream.requests).toHaveLength(0);
      const message = pubsub.messages.at(-1);
      if (!message) throw new Error('nothing published');
      expect(message.topic).toBe('projects/test-project/topics/psoxy-slack-async-output');
      // the caller's token does not travel through the queue
      expect(Buffer.from(message.data, 'base64').toString()).not.toContain('caller-token');

      // a push whose token is not Google's for this function gets nothing done
      for (const bad of [
        undefined,
        pushToken({ aud: 'https://elsewhere.a.run.app' }),
        pushToken({ iss: 'https://evil.example' }),
        pushToken({ exp: now() - 3600, iat: now() - 7200 }),
        pushToken({}, stranger),
        'not.a.jwt',
        // Google signs ID tokens for this URL for any account that asks: only the subscription's may push
        pushToken({ email: 'someone@other-project.iam.gserviceaccount.com' }),
        pushToken({ email_verified: false }),
        pushToken({ email: undefined }),
      ]) {
        const res = await push(fn.url, pubsub.pushBody(message), bad ? { authorization: `Bearer ${bad}` } : {});
        expect(res.status).toBe(401);
      }
      expect(upstream.requests).toHaveLength(0);

      const done = await push(fn.url, pubsub.pushBody(message), { authorization: `Bearer ${pushToken()}`, 'x-goog-delivery-attempt': '1' });
      expect(done.status).toBe(204);
      expect(upstream.requests).toHaveLength(1);
      const key = context.asyncOutputLocation.replace('gs://', '');
      const written = JSON.parse(gunzipSync(gcs.objects.get(key)?.data ?? Buffer.alloc(0)).toString());
      expect(written.users[0].email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      // certificates fetched once, and kept for as long as Google says
      expect(certFetches).toBe(1);

      // a message delivered too many times is acknowledged without being processed
      const dropped = await push(fn.url, pubsub.pushBody(message), { authorization: `Bearer ${pushToken()}`, 'x-goog-delivery-attempt': '4' });
      expect(dropped.status).toBe(204);
      expect(upstream.requests).toHaveLength(1);
      // a failure is answered 500, so that Pub/Sub delivers it again (the source answers 503 now)
      const failed = await push(fn.url, pubsub.pushBody(message), { authorization: `Bearer ${pushToken()}` });
      expect(failed.status).toBe(500);
      // one that cannot pass (a request the rules refuse) is acknowledged: Pub/Sub would redeliver it for days
      const data = JSON.parse(Buffer.from(message.data, 'base64').toString());
      const refused = { ...message, data: Buffer.from(JSON.stringify({ ...data, target: '/api/admin' })).toString('base64') };
      expect((await push(fn.url, pubsub.pushBody(refused), { authorization: `Bearer ${pushToken()}` })).status).toBe(204);
      // and an unreadable one
      expect((await push(fn.url, '{"message":{"data":"bm90IGpzb24="}}', { authorization: `Bearer ${pushToken()}` })).status).toBe(204);
    } finally {
      await fn.close();
      await upstream.close();
    }
  });

  it('refuses to start without SERVICE_URL (the audience of the push tokens)', async () => {
    const fn = await register('slack-async-no-url', { TARGET_HOST: 'https://slack.com', PATH_TO_INSTANCE_CONFIG: 'NO_URL_' });
    try {
      const res = await fetch(`${fn.url}/api/users`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { problems: string[] }).problems).toEqual([expect.stringMatching(/SERVICE_URL/)]);
    } finally {
      await fn.close();
    }
    expect(topicPath('projects/my-project/topics/t-1', 'other')).toBe('projects/my-project/topics/t-1');
    expect(topicPath('t-1', 'my-project')).toBe('projects/my-project/topics/t-1');
    expect(() => topicPath('projects/x', 'p')).toThrow(/not a Pub\/Sub topic/);
  });
});
