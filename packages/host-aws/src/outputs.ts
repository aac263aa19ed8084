import {
  type AsyncDispatcher,
  type HttpClient,
  type Logger,
  type OutputMeta,
  type ProcessingContext,
  type QueuedRequest,
  type ResponseOutput,
  ConfigError,
  PROCESSING_CONTEXT_ATTRIBUTE,
  fitMetadata,
  isOk,
  nodeHttpClient,
} from '@psoxy/core';
import { type AwsCredentials, type AwsJsonClient, AwsServiceError, credentialsFromEnv, retrying, sendSigned } from './aws-json.js';

type Env = Record<string, string | undefined>;

/** S3 allows 2 KB of user metadata per object, names and values together. */
const S3_METADATA_LIMIT = 2048;

// a prefix made of these needs no encoding in a URL or a signature
const PLAIN_PREFIX = /^[A-Za-z0-9._\-/]*$/;

/** `s3://bucket[/prefix]` as a bucket and a prefix ending with `/` (or empty). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri.trim());
  if (!m) throw new Error('expected an S3 URI, s3://<bucket>[/<prefix>]');
  const path = (m[2] ?? '').replace(/^\/+/, '');
  if (!PLAIN_PREFIX.test(path) || path.split('/').some((s) => s === '.' || s === '..')) throw new Error('the prefix may hold letters, digits and . _ - / only');
  return { bucket: m[1] as string, prefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

export interface S3ResponseOutputOptions {
  /** Region, credentials and endpoint overrides (Lambda sets them): default `process.env`. */
  env?: Env | undefined;
  /** Default: a keep-alive node:https client of its own. */
  http?: HttpClient | undefined;
  credentials?: AwsCredentials | undefined;
  /** Default: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` (path-style), else the bucket's regional endpoint. */
  endpoint?: string | undefined;
  log?: Logger | undefined;
  /** Per attempt, of three (default 10 s: a side output holds up the caller's answer). */
  timeoutMs?: number | undefined;
}

/**
 * A response output in S3 (Psoxy's side outputs and asynchronous results): one signed PutObject per
 * output. Signed here (see {@link signV4}) rather than through the AWS SDK's S3 client, for the
 * reason the SSM client is: an API function's cold start, which that client's code would lengthen
 * (the bulk functions, which stream large files, do use it).
 */
export class S3ResponseOutput implements ResponseOutput {
  readonly uri: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly region: string;
  private readonly base: string;
  private readonly http: HttpClient;
  private readonly env: Env;
  private credentials: AwsCredentials | undefined;
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(
    uri: string,
    private readonly opts: S3ResponseOutputOptions = {},
  ) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}/${prefix}`;
    this.env = opts.env ?? process.env;
    const region = this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
    if (!region) throw new ConfigError(['AWS_REGION is not set: the region of the S3 buckets to write to (Lambda sets it)']);
    this.region = region;
    const endpoint = (opts.endpoint ?? this.env.AWS_ENDPOINT_URL_S3 ?? this.env.AWS_ENDPOINT_URL)?.replace(/\/+$/, '');
    // path-style against an endpoint override and for buckets with dots (whose virtual host names
    // TLS certificates do not cover); virtual-hosted otherwise, as S3 prefers
    this.base = endpoint ? `${endpoint}/${bucket}` : bucket.includes('.') ? `https://s3.${region}.amazonaws.com/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`;
    this.http = opts.http ?? nodeHttpClient();
    this.credentials = opts.credentials;
  }

  async write(key: string, body: Uint8Array, meta: OutputMeta): Promise<void> {
    if (!PLAIN_PREFIX.test(key)) throw new Error(`not a plain object key: ${key}`);
    const { metadata, dropped } = fitMetadata(meta.metadata, S3_METADATA_LIMIT);
    if (dropped.length > 0) this.opts.log?.warn("output metadata over S3's 2 KB limit; left out", { dropped: dropped.join(',') });
    const headers: Record<string, string> = { 'content-type': meta.contentType, 'content-encoding': meta.contentEncoding };
    for (const [k, v] of Object.entries(metadata)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
    const url = `${this.base}/${this.prefix}${key}`;
    const credentials = (this.credentials ??= credentialsFromEnv(this.env, 's3'));
    try {
      // throttling, S3's own errors and the network are retried; a refusal (access, no such bucket) is not
      await retrying(3, async () => {
        const signing = { credentials, scope: { service: 's3', region: this.region }, now: new Date(), signingKeys: this.signingKeys };
        const res = await sendSigned(this.http, { method: 'PUT', url, headers, body }, signing, this.opts.timeoutMs ?? 10_000);
        const text = await res.text(64 * 1024);
        if (!isOk(res.status)) throw new AwsServiceError(/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`, text.slice(0, 200), res.status);
      });
    } catch (e) {
      throw new Error(`S3 PutObject s3://${this.bucket}/${this.prefix}${key} failed: ${e instanceof AwsServiceError ? e.code : (e as Error).message}`);
    }
  }
}

/**
 * Queues `Prefer: respond-async` requests in SQS (`ASYNC_API_REQUEST_QUEUE_URL`), the queue that
 * invokes this same function: the request as JSON in the message body, its processing context in
 * the `processingContext` attribute, as Psoxy sends it.
 */
export class SqsDispatcher implements AsyncDispatcher {
  constructor(
    private readonly sqs: AwsJsonClient,
    private readonly queueUrl: string,
  ) {}

  async dispatch(request: QueuedRequest, context: ProcessingContext): Promise<void> {
    await this.sqs.call('SendMessage', {
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(request),
      MessageAttributes: { [PROCESSING_CONTEXT_ATTRIBUTE]: { DataType: 'String', StringValue: JSON.stringify(context) } },
    });
  }
}
