import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type FakeSqs, type FakeSsm, startFakeSqs, startFakeSsm, startFakeUpstream } from '@psoxy/testkit';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonClient, type HttpEventV2, type HttpResultV2, S3ResponseOutput, type SqsEvent, createLambdaApiHandler, parseS3Uri } from '../src/index.js';
import { functionUrlGet } from './function-url.js';

let server: S3rver;
let s3: S3Client;
let s3Url: string;
let ssm: AwsJsonClient;
let fakeSsm: FakeSsm;
let sqs: FakeSqs;

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/psoxy-slack-async-request-queue';
const RULES = 'endpoints:\n  - pathTemplate: /api/users\n    allowedQueryParams: [limit]\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.users[*].email"]\n      - !<redact>\n        jsonPaths: ["$.users[*].name"]\n';
const USERS = { users: [{ email: 'ada@acme.example', name: 'Ada' }] };

beforeAll(async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3rver-')), configureBuckets: ['async-out', 'side-out'].map((name) => ({ name, configs: [] })) });
  const { port } = (await server.run()) as { port: number };
  s3Url = `http://127.0.0.1:${port}`;
  s3 = new S3Client({
    endpoint: s3Url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  fakeSsm = await startFakeSsm();
  fakeSsm.put({ '/PSOXY_SALT': 'salt', '/PSOXY_ENCRYPTION_KEY': 'key' });
  ssm = new AwsJsonClient({ service: 'ssm', endpoint: fakeSsm.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  sqs = await startFakeSqs();
});
afterAll(async () => {
  s3.destroy();
  await server.close();
  await fakeSsm.close();
  await sqs.close();
});

const objectText = async (bucket: string, key: string) =>
  gunzipSync(Buffer.from((await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray()) ?? [])).toString('utf8');

function handlerFor(upstreamUrl: string, env: Record<string, string> = {}) {
  return createLambdaApiHandler({
    ssm,
    sqs: new AwsJsonClient({ service: 'sqs', endpoint: sqs.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    allowInsecureTarget: true,
    env: {
      PATH_TO_INSTANCE_CONFIG: '/PSOXY_SLACK_',
      PATH_TO_SHARED_CONFIG: '/',
      TARGET_HOST: upstreamUrl,
      RULES,
      ASYNC_OUTPUT_DESTINATION: 's3://async-out/results',
      ASYNC_API_REQUEST_QUEUE_URL: QUEUE,
      SIDE_OUTPUT_SANITIZED: 's3://side-out/',
      // our own signed PutObject against s3rver (which does not check signatures: sigv4.test.ts
      // checks ours against the AWS SDK's signer), read back with the AWS SDK
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      ...env,
    },
  });
}

const asyncEvent = (requestId: string): HttpEventV2 => {
  const e = functionUrlGet('/api/users', 'limit=10');
  e.headers = { ...e.headers, prefer: 'respond-async', authorization: 'AWS4-HMAC-SHA256 Credential=CALLER/20261105/us-east-1/lambda/aws4_request, Signature=abc' };
  e.requestContext = { ...e.requestContext, requestId, timeEpoch: Date.UTC(2026, 10, 5, 12) };
  return e;
};

describe('the asynchronous mode on Lambda (SQS and S3)', () => {
  it('answers 202, queues the request in SQS, and the queue\'s invocation writes the sanitized result to S3', async () => {
    const upstream = await startFakeUpstream([{ path: '/api/users', body: USERS }]);
    try {
      const handler = handlerFor(upstream.url);
      const accepted = (await handler(asyncEvent('req-42'))) as HttpResultV2;
      expect(accepted.statusCode, accepted.body).toBe(202);
      expect(accepted.headers.location).toBe('s3://async-out/results/20261105/req-42');
      expect(JSON.parse(accepted.body)).toMatchObject({ requestId: 'req-42', async: true, asyncOutputLocation: 's3://async-out/results/20261105/req-42' });
      expect(upstream.requests).toHaveLength(0);

      const queued = sqs.messages.filter((m) => m.queueUrl === QUEUE);
      expect(queued).toHaveLength(1);
      // the caller's signature does not travel through the queue
      expect(queued[0]?.body).not.toContain('CALLER');
      expect(JSON.parse(queued[0]?.messageAttributes.processingContext?.stringValue ?? '{}').requestId).toBe('req-42');

      expect(await handler(sqs.event(queued) as SqsEvent)).toEqual({ batchItemFailures: [] });
      expect(upstream.requests).toHaveLength(1);
      const written = JSON.parse(await objectText('async-out', 'results/20261105/req-42'));
      expect(written.users[0].email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(written.users[0].name).toBeUndefined();
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'async-out', Key: 'results/20261105/req-42' }));
      expect(head.ContentEncoding).toBe('gzip');
      expect(head.Metadata).toMatchObject({ http_method: 'GET', path: 'api/users', query_string: 'limit=10' });
    } finally {
      await upstream.close();
    }
  });

  it('fails the invocation for a message it cannot process, so that the queue delivers it again', async () => {
    const upstream = await startFakeUpstream([]);
    try {
      const handler = handlerFor(upstream.url);
      await handler(asyncEvent('req-43'));
      const message = sqs.messages.at(-1);
      if (!message) throw new Error('nothing queued');
      const tampered = { ...message, messageAttributes: { processingContext: { dataType: 'String', stringValue: JSON.stringify({ requestId: 'req-43', requestReceivedAt: '2026-11-05T12:00:00.000Z', async: true, asyncOutputLocation: 's3://elsewhere/x' }) } } };
      await expect(handler(sqs.event([tampered]) as SqsEvent)).rejects.toThrow(/1 of 1 queued request\(s\) failed/);
      await expect(handler(sqs.event([{ ...message, messageAttributes: {} }]) as SqsEvent)).rejects.toThrow(/no processingContext attribute/);
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await upstream.close();
    }
  });

  it('processes a message Psoxy (Java) queued: the original HTTP event in the body', async () => {
    const upstream = await startFakeUpstream([{ path: '/api/users', body: USERS }]);
    try {
      const handler = handlerFor(upstream.url);
      const original = asyncEvent('java-7');
      const context = { requestId: 'java-7', requestReceivedAt: '2026-11-05T12:00:00.000Z', async: true, asyncOutputLocation: 's3://async-out/results/20261105/java-7' };
      const event: SqsEvent = { Records: [{ messageId: 'm-1', eventSource: 'aws:sqs', body: JSON.stringify(original), messageAttributes: { processingContext: { stringValue: JSON.stringify(context), dataType: 'String' } } }] };
      expect(await handler(event)).toEqual({ batchItemFailures: [] });
      expect(JSON.parse(await objectText('async-out', 'results/20261105/java-7')).users[0].email).toMatch(/^t~/);
    } finally {
      await upstream.close();
    }
  });

  it('answers 500 ASYNC_HANDLER_DISPATCH when the queue refuses the message', async () => {
    const upstream = await startFakeUpstream([]);
    sqs.missing.add(`${QUEUE}-gone`);
    try {
      const r = (await handlerFor(upstream.url, { ASYNC_API_REQUEST_QUEUE_URL: `${QUEUE}-gone` })(asyncEvent('req-44'))) as HttpResultV2;
      expect(r.statusCode).toBe(500);
      expect(r.headers['x-psoxy-error']).toBe('ASYNC_HANDLER_DISPATCH');
    } finally {
      await upstream.close();
    }
  });

  it('writes the sanitized side output of a synchronous call', async () => {
    const upstream = await startFakeUpstream([{ path: '/api/users', body: USERS }]);
    try {
      const e = functionUrlGet('/api/users');
      e.requestContext = { ...e.requestContext, requestId: 'sync-1', timeEpoch: Date.UTC(2026, 10, 6, 1) };
      const r = (await handlerFor(upstream.url)(e)) as HttpResultV2;
      expect(r.statusCode).toBe(200);
      expect(await objectText('side-out', '20261106/sync-1')).toBe(r.body);
      // (the asynchronous call of the first test was copied too: every 2xx answer is)
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'side-out' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['20261105/java-7', '20261105/req-42', '20261106/sync-1']);
    } finally {
      await upstream.close();
    }
  });

  it('refuses a queue event when the asynchronous mode is off, and output URIs that are not S3', async () => {
    const upstream = await startFakeUpstream([]);
    try {
      const handler = handlerFor(upstream.url, { ASYNC_OUTPUT_DESTINATION: '', ASYNC_API_REQUEST_QUEUE_URL: '' });
      await expect(handler(sqs.event() as SqsEvent)).rejects.toThrow(/serves HTTP events only/);
      const half = (await handlerFor(upstream.url, { ASYNC_OUTPUT_DESTINATION: '' })(functionUrlGet('/api/users'))) as HttpResultV2;
      expect(half.statusCode).toBe(500);
      expect(half.body).toMatch(/ASYNC_API_REQUEST_QUEUE_URL is set, but ASYNC_OUTPUT_DESTINATION is not/);
      const bad = (await handlerFor(upstream.url, { SIDE_OUTPUT_SANITIZED: 'gs://bucket/' })(functionUrlGet('/api/users'))) as HttpResultV2;
      expect(bad.statusCode).toBe(500);
      expect(bad.body).toMatch(/SIDE_OUTPUT_SANITIZED=gs:\/\/bucket\/: expected an S3 URI/);
    } finally {
      await upstream.close();
    }
    expect(parseS3Uri('s3://bkt/a/b')).toEqual({ bucket: 'bkt', prefix: 'a/b/' });
    // S3's refusal is named
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: s3Url, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    await expect(new S3ResponseOutput('s3://no-such-bucket/x/', { env }).write('k', new Uint8Array([1]), { contentType: 'application/json', contentEncoding: 'gzip', metadata: {} })).rejects.toThrow(
      'S3 PutObject s3://no-such-bucket/x/k failed: NoSuchBucket',
    );
    expect(() => parseS3Uri('s3://Bad_Bucket/')).toThrow(/expected an S3 URI/);
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
  });
});
