import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { type AwsCredentials, type SigV4Request, signV4 } from '../src/sigv4.js';

/** The hash constructor the AWS SDK's signer takes (what `@smithy/hash-node` provides), on node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
class NodeSha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

/** The Authorization header and signed headers the AWS SDK's signer makes for the same request. */
async function sdkSignature(req: SigV4Request, creds: AwsCredentials, service: string, region: string, now: Date, s3 = false): Promise<Record<string, string>> {
  const url = new URL(req.url);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const had = query[k];
    query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  // S3's client signs paths as sent and the payload's hash as a header
  const signer = new SignatureV4({ service, region, credentials: creds, sha256: NodeSha256, applyChecksum: s3, uriEscapePath: !s3 });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // as it will be sent: percent-encoded
      path: url.pathname,
      query,
      headers: { ...req.headers, host: url.host },
      body: req.body,
    },
    { signingDate: now },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

// made-up credentials: any secret signs; the test compares our signature with the SDK's for it
const creds: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret/only+for+signing+tests' };
const now = new Date('2026-12-01T02:45:07.123Z');

const cases: [string, SigV4Request, AwsCredentials?][] = [
  ['an SSM call', { method: 'POST', url: 'https://ssm.us-east-1.amazonaws.com/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameters' }, body: '{"Names":["/PSOXY_SALT"],"WithDecryption":true}' }],
  ['temporary credentials (a Lambda role)', { method: 'POST', url: 'https://secretsmanager.eu-west-1.amazonaws.com/', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' }, body: '{"SecretId":"psoxy/zoom"}' }, { ...creds, sessionToken: 'IQoJb3JpZ2luX2VjE//session+token==' }],
  ['a non-default port (a local endpoint)', { method: 'POST', url: 'http://127.0.0.1:4583/', headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' }],
  ['a query string with repeated, unsorted and reserved characters', { method: 'GET', url: "https://example.amazonaws.com/?b=2&a=z&a=y&Param%201=v%2Fw&tilde=~x&star=*!'()", headers: {}, body: '' }],
  ['a path with double slashes and escapes', { method: 'GET', url: 'https://example.amazonaws.com/a//b/c/d%20e/f%2Fg/', headers: {}, body: '' }],
  ['header values with runs of spaces and a unicode body', { method: 'PUT', url: 'https://example.amazonaws.com/x', headers: { 'X-Custom': '  a   b\tc  ', 'content-type': 'text/plain; charset=utf-8' }, body: 'Zoë 🦊 naïve' }],
];

describe('SigV4 signing', () => {
  it.each(cases)('signs %s exactly as the AWS SDK does', async (_name, req, c = creds) => {
    const ours = signV4(req, c, { service: 'ssm', region: 'us-east-1' }, now);
    const sdk = await sdkSignature(req, c, 'ssm', 'us-east-1', now);
    expect(ours.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261201\/us-east-1\/ssm\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe('20261201T024507Z');
    expect(ours['x-amz-security-token']).toBe(c.sessionToken);
  });

  it.each([
    ['an object with metadata and a gzip body', 'https://side-out.s3.us-east-1.amazonaws.com/results/20261105/req-42', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0])],
    ['a path-style key with escapes', 'http://127.0.0.1:4569/bucket/a%20b/c%2Bd/e~f', new Uint8Array(0)],
  ])('signs an S3 PutObject (%s) exactly as the AWS SDK does', async (_name, url, body) => {
    const req: SigV4Request = { method: 'PUT', url, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-amz-meta-path': '/api/users' }, body };
    const ours = signV4(req, creds, { service: 's3', region: 'us-east-1' }, now);
    const sdk = await sdkSignature(req, creds, 's3', 'us-east-1', now, true);
    expect(ours['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(sdk['x-amz-content-sha256']).toBe(ours['x-amz-content-sha256']);
    expect(ours.authorization).toBe(sdk.authorization);
  });

  it('reuses the derived key within a day, and derives a new one for another day or secret', () => {
    const keys = new Map<string, Buffer>();
    const req = cases[0]?.[1] as SigV4Request;
    const a = signV4(req, creds, { service: 'ssm', region: 'us-east-1' }, now, keys);
    expect(keys.size).toBe(1);
    expect(signV4(req, creds, { service: 'ssm', region: 'us-east-1' }, now, keys)).toEqual(a);
    expect(keys.size).toBe(1);
    const tomorrow = signV4(req, creds, { service: 'ssm', region: 'us-east-1' }, new Date('2026-12-02T00:00:01Z'), keys);
    const rotated = signV4(req, { ...creds, secretAccessKey: 'another' }, { service: 'ssm', region: 'us-east-1' }, now, keys);
    expect(keys.size).toBe(3);
    // a cached key is never served for other credentials: the signatures differ
    expect(new Set([a.authorization, tomorrow.authorization, rotated.authorization]).size).toBe(3);
    expect(rotated.authorization).toBe(signV4(req, { ...creds, secretAccessKey: 'another' }, { service: 'ssm', region: 'us-east-1' }, now).authorization);
  });

  it('changes the signature when anything signed changes', () => {
    const req = cases[0]?.[1] as SigV4Request;
    const sig = (r: SigV4Request, region = 'us-east-1') => signV4(r, creds, { service: 'ssm', region }, now).authorization;
    const base = sig(req);
    expect(sig({ ...req, body: `${req.body} ` })).not.toBe(base);
    expect(sig({ ...req, url: 'https://ssm.us-east-2.amazonaws.com/' })).not.toBe(base);
    expect(sig({ ...req, headers: { ...req.headers, 'x-amz-target': 'AmazonSSM.PutParameter' } })).not.toBe(base);
    expect(sig(req, 'eu-west-1')).not.toBe(base);
  });
});
