import { ConfigError, type HttpClient, type HttpResponse, isOk, lowerCaseHeaders, nodeHttpClient } from '@psoxy/core';
import { type AwsCredentials, type SigV4Scope, signV4 } from './sigv4.js';

type Env = Record<string, string | undefined>;

/** An AWS service's answer that is an error: its `__type` code (e.g. `ParameterNotFound`), message and status. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
  }
}

export type { AwsCredentials } from './sigv4.js';

/** The function role's credentials, where Lambda puts them; a ConfigError naming `service` without them. */
export function credentialsFromEnv(env: Env, service: string): AwsCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError([`no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): Lambda sets them from the function's role; elsewhere set them to call ${service}`]);
  }
  return { accessKeyId, secretAccessKey, sessionToken };
}

/** Whether a failed AWS call may pass if made again: throttling, the service's own errors, the network. */
function retryable(e: unknown): boolean {
  return e instanceof AwsServiceError ? e.status >= 500 || e.status === 429 || RETRYABLE.test(e.code) : !(e instanceof ConfigError);
}

/** Runs `attempt` up to `attempts` times while it fails with what may pass, with jittered exponential backoff. */
export async function retrying<T>(attempts: number, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!retryable(e) || n >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 50 * 4 ** (n - 1) * (0.5 + Math.random())));
    }
  }
}

/**
 * Signs a request with SigV4 and sends it: `host` is left to the client (it is the URL's, which
 * was signed), and a signed request goes to its endpoint or nowhere (the client follows no redirect).
 */
export function sendSigned(
  http: HttpClient,
  req: { method: string; url: string; headers: Record<string, string>; body: string | Uint8Array },
  signing: { credentials: AwsCredentials; scope: SigV4Scope; now: Date; signingKeys: Map<string, Buffer> },
  timeoutMs: number,
): Promise<HttpResponse> {
  const { host: _host, ...sent } = signV4(req, signing.credentials, signing.scope, signing.now, signing.signingKeys);
  return http({ method: req.method, url: req.url, headers: lowerCaseHeaders(sent), body: req.body, timeoutMs });
}

/** The caller's role may not do this (IAM): `AccessDeniedException`. */
export const isAccessDenied = (e: unknown): boolean => e instanceof AwsServiceError && e.code === 'AccessDeniedException';

/**
 * The JSON-protocol services the hosts call: SSM Parameter Store, Secrets Manager, Cognito
 * identity pools (JSON 1.1), and SQS for the asynchronous mode (JSON 1.0).
 */
const SERVICES = {
  ssm: { target: 'AmazonSSM', endpointEnv: 'AWS_ENDPOINT_URL_SSM', json: '1.1' },
  secretsmanager: { target: 'secretsmanager', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', json: '1.1' },
  'cognito-identity': { target: 'AWSCognitoIdentityService', endpointEnv: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY', json: '1.1' },
  sqs: { target: 'AmazonSQS', endpointEnv: 'AWS_ENDPOINT_URL_SQS', json: '1.0' },
} as const;

export interface AwsJsonClientOptions {
  service: keyof typeof SERVICES;
  /** Where region, credentials and endpoint overrides come from (Lambda sets them): default `process.env`. */
  env?: Env;
  region?: string;
  credentials?: AwsCredentials;
  /** Default: the service's `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_SSM`...), `AWS_ENDPOINT_URL`, else the regional endpoint. */
  endpoint?: string;
  /** Default: a keep-alive node:https client of its own. */
  http?: HttpClient;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Attempts for throttling, 5xx and network failures (default 3), with jittered backoff. */
  attempts?: number;
  /** Milliseconds since the epoch, for the signature's date (default `Date.now`). */
  clock?: () => number;
}

/** Largest answer read: a parameter page or a secret is at most a few hundred kilobytes. */
const RESPONSE_LIMIT = 8 * 1024 * 1024;

const RETRYABLE = /Throttl|TooManyRequests|RequestLimitExceeded|InternalServerError|ServiceUnavailable|InternalError/;

/**
 * A client for AWS's JSON protocols (1.1 and 1.0) (POST `/`, `X-Amz-Target: <Service>.<Operation>`, SigV4):
 * the few SSM, Secrets Manager, Cognito and SQS operations a psoxy function makes. Written here instead of
 * using the AWS SDK's clients because our need differs: an API function's cold start has a
 * 250 ms budget, and the SDK's SSM client alone adds ~370 KB of code, ~70 ms to load and ~35 ms
 * to its first call on a small machine. Signing is {@link signV4}; credentials come from the
 * environment, where Lambda puts the function role's.
 */
export class AwsJsonClient {
  readonly service: keyof typeof SERVICES;
  readonly endpoint: string;
  private readonly region: string;
  private readonly env: Env;
  private readonly http: HttpClient;
  private credentials: AwsCredentials | undefined;
  /** Derived signing keys (four chained HMACs each), reused until the date or credentials change. */
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(private readonly opts: AwsJsonClientOptions) {
    this.service = opts.service;
    this.env = opts.env ?? process.env;
    const region = opts.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
    if (!region) throw new ConfigError([`AWS_REGION is not set: the region of the ${opts.service} service to call (Lambda sets it)`]);
    this.region = region;
    this.endpoint = (opts.endpoint ?? this.env[SERVICES[opts.service].endpointEnv] ?? this.env.AWS_ENDPOINT_URL ?? `https://${opts.service}.${region}.amazonaws.com`).replace(/\/+$/, '');
    this.http = opts.http ?? nodeHttpClient();
    this.credentials = opts.credentials;
  }

  private creds(): AwsCredentials {
    this.credentials ??= credentialsFromEnv(this.env, this.service);
    return this.credentials;
  }

  /** Calls `operation` with `input`; resolves with the parsed answer, rejects with {@link AwsServiceError} or a network error. */
  call<T>(operation: string, input: object): Promise<T> {
    return retrying(this.opts.attempts ?? 3, () => this.attempt<T>(operation, input));
  }

  private async attempt<T>(operation: string, input: object): Promise<T> {
    const url = `${this.endpoint}/`;
    const body = JSON.stringify(input);
    const res = await sendSigned(
      this.http,
      { method: 'POST', url, headers: { 'content-type': `application/x-amz-json-${SERVICES[this.service].json}`, 'x-amz-target': `${SERVICES[this.service].target}.${operation}` }, body },
      { credentials: this.creds(), scope: { service: this.service, region: this.region }, now: new Date(this.opts.clock?.() ?? Date.now()), signingKeys: this.signingKeys },
      this.opts.timeoutMs ?? 5000,
    );
    const text = await res.text(RESPONSE_LIMIT);
    if (isOk(res.status)) return (text ? JSON.parse(text) : {}) as T;
    let code = `HTTP ${res.status}`;
    let message = text.slice(0, 200);
    try {
      const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      // `__type` may carry a namespace: `com.amazonaws.ssm#ParameterNotFound`
      if (body.__type) code = body.__type.split('#').pop() as string;
      message = body.message ?? body.Message ?? message;
    } catch {
      // not JSON (a proxy or load balancer answered): keep the status and text
    }
    throw new AwsServiceError(code, message, res.status);
  }
}
