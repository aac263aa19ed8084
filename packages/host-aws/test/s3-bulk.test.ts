import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Pseudonymizer, loadBulkRules, parseAdditionalTransforms } from '@psoxy/core';
import { type FakeSsm, startFakeSsm } from '@psoxy/testkit';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsJsonClient, type S3Event, createS3BulkHandler, decodeS3Key, s3BulkHandler } from '../src/index.js';

let server: S3rver;
let s3: S3Client;
const p = new Pseudonymizer({ salt: 'salt' });

beforeAll(async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3rver-')), configureBuckets: ['hris-in', 'hris-out', 'lookup-out'].map((name) => ({ name, configs: [] })) });
  const { port } = (await server.run()) as { port: number };
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates flexible checksums (aws-chunked uploads)
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  s3.destroy();
  await server.close();
});

const RULES = 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [employee_id, email]\ncolumnsToRedact: [name]\n';
const handler = () =>
  s3BulkHandler(s3, {
    instanceId: 'psoxy-hris',
    version: 'test',
    rulesText: RULES,
    pseudonymizer: p,
    shuffle: false,
    transforms: [
      { destinationBucketName: 'hris-out', rules: loadBulkRules(RULES) },
      ...parseAdditionalTransforms('- destinationBucketName: lookup-out\n  rules:\n    pseudonymFormat: URL_SAFE_TOKEN\n    columnsToPseudonymize: [employee_id]\n    columnsToDuplicate: {employee_id: employee_id_orig}\n    columnsToRedact: [name, email]\n'),
    ],
  });
const event = (bucket: string, key: string): S3Event => ({
  Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/') } } }],
});
const text = async (bucket: string, key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToByteArray() ?? []);

describe('S3 bulk on s3rver', () => {
  it('put object -> handler -> sanitized object (gzip, Psoxy metadata) and lookup table', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'hris-in', Key: 'weekly/hr export.csv', Body: 'employee_id,email,name,dept\n1,ada@acme.example,Ada,R&D\n', ContentType: 'text/csv' }));
    const outcomes = await handler()(event('hris-in', 'weekly/hr export.csv'));
    expect(outcomes[0]?.outputs.map((o) => `${o.bucket}/${o.key}`)).toEqual(['hris-out/weekly/hr export.csv', 'lookup-out/weekly/hr export.csv']);
    const out = gunzipSync(await text('hris-out', 'weekly/hr export.csv')).toString();
    expect(out).toBe(`employee_id,email,dept\n${p.pseudonymToken('1')},${p.pseudonymToken('ada@acme.example')},R&D\n`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'hris-out', Key: 'weekly/hr export.csv' }));
    expect(head.ContentEncoding).toBe('gzip');
    expect(head.Metadata?.['psoxy-instance-id']).toBe('psoxy-hris');
    expect(head.Metadata?.['psoxy-original-object-key']).toBe('hris-in/weekly/hr export.csv');
    const lookup = gunzipSync(await text('lookup-out', 'weekly/hr export.csv')).toString();
    expect(lookup).toBe(`employee_id,dept,employee_id_orig\n${p.pseudonymToken('1')},R&D,1\n`);
  });

  it('skips its own outputs (loop guard), and writes nothing for a bad file', async () => {
    expect((await handler()(event('hris-out', 'weekly/hr export.csv')))[0]?.skipped).toMatch(/written by this instance/);
    const rows = Array.from({ length: 20000 }, (_, i) => `${i},u${i}@acme.example,N,D`).join('\n');
    await s3.send(new PutObjectCommand({ Bucket: 'hris-in', Key: 'bad.csv', Body: `employee_id,email,name,dept\n${rows}\n"unclosed\n` }));
    await expect(handler()(event('hris-in', 'bad.csv'))).rejects.toThrow(/bad\.csv.*malformed CSV/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'hris-out' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).not.toContain('bad.csv');
  });

  it('decodes notification keys', () => {
    expect(decodeS3Key('weekly/hr+export%282%29.csv')).toBe('weekly/hr export(2).csv');
  });
});

describe('createS3BulkHandler (configuration as Psoxy deploys it)', () => {
  let ssmServer: FakeSsm;
  beforeAll(async () => {
    ssmServer = await startFakeSsm();
    ssmServer.put({ '/PSOXY_HRIS_RULES': RULES, '/PSOXY_SALT': 'salt' });
  });
  afterAll(() => ssmServer.close());
  const ssm = () => new AwsJsonClient({ service: 'ssm', endpoint: ssmServer.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });

  it('reads RULES and the salt from SSM, OUTPUT_BUCKET and ADDITIONAL_TRANSFORMS from the environment', async () => {
    const env = {
      AWS_LAMBDA_FUNCTION_NAME: 'psoxy-hris',
      PATH_TO_INSTANCE_CONFIG: '/PSOXY_HRIS_',
      OUTPUT_BUCKET: 'hris-out',
      OUTPUT_BASE_PATH: 'sanitized/',
      INPUT_BASE_PATH: 'incoming/',
      COMPRESS_OUTPUT_ALWAYS: 'false',
      ADDITIONAL_TRANSFORMS: '- destinationBucketName: lookup-out\n  rules:\n    columnsToPseudonymize: [employee_id]\n    columnsToDuplicate: {employee_id: employee_id_orig}\n    columnsToRedact: [name, email]\n',
    };
    await s3.send(new PutObjectCommand({ Bucket: 'hris-in', Key: 'incoming/x.csv', Body: 'employee_id,email,name\n7,bo@acme.example,Bo\n', ContentType: 'text/csv' }));
    const outcomes = await createS3BulkHandler({ env, s3, ssm: ssm() })(event('hris-in', 'incoming/x.csv'));
    expect(outcomes[0]?.outputs).toEqual([
      { bucket: 'hris-out', key: 'sanitized/x.csv', compressed: false },
      { bucket: 'lookup-out', key: 'x.csv', compressed: false },
    ]);
    expect((await text('hris-out', 'sanitized/x.csv')).toString()).toBe(`employee_id,email\n${p.pseudonymToken('7')},${p.pseudonymToken('bo@acme.example')}\n`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'hris-out', Key: 'sanitized/x.csv' }));
    expect(head.Metadata?.['psoxy-instance-id']).toBe('psoxy-hris');
    expect(head.Metadata?.['psoxy-salt-sha']).toBe(p.saltFingerprint);
  });

  it('in Lambda, starts during the init phase (rules and salt read before the first event); a failure there is met by the event', async () => {
    const env = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', AWS_LAMBDA_FUNCTION_NAME: 'psoxy-hris', PATH_TO_INSTANCE_CONFIG: '/PSOXY_HRIS_', OUTPUT_BUCKET: 'hris-out' };
    // outside Lambda, nothing is read until an event comes (checked first: a Lambda start below
    // goes on reading in the background)
    const quiet = ssmServer.calls.length;
    createS3BulkHandler({ env: { ...env, AWS_EXECUTION_ENV: undefined }, s3, ssm: ssm() });
    await new Promise((r) => setTimeout(r, 100));
    expect(ssmServer.calls.length).toBe(quiet);
    const before = ssmServer.calls.length;
    createS3BulkHandler({ env, s3, ssm: ssm() });
    await expect.poll(() => ssmServer.calls.slice(before).some((c) => c.includes('/PSOXY_HRIS_RULES'))).toBe(true);
    const broken = createS3BulkHandler({ env: { ...env, PATH_TO_INSTANCE_CONFIG: '/PSOXY_NONE_' }, s3, ssm: ssm() });
    await expect(broken(event('hris-in', 'incoming/x.csv'))).rejects.toThrow(/RULES is not set/);
  });

  it('names every configuration problem before reading any object', async () => {
    const h = createS3BulkHandler({ env: { PATH_TO_INSTANCE_CONFIG: '/PSOXY_NONE_', COMPRESS_OUTPUT_ALWAYS: 'maybe', BULK_OUTPUT_FORMAT: 'XML' }, s3, ssm: ssm() });
    const err = await h(event('hris-in', 'incoming/x.csv')).catch((e: Error) => e);
    expect(String(err)).toMatch(/OUTPUT_BUCKET is not set/);
    expect(String(err)).toMatch(/COMPRESS_OUTPUT_ALWAYS=maybe/);
    expect(String(err)).toMatch(/BULK_OUTPUT_FORMAT=XML/);
    expect(String(err)).toMatch(/RULES is not set/);
  });
});
