import { ConfigError, type Connector, type HttpClient, buildOnce, composeProxy, nodeHttpClient, startupFailureExchange, streamLogger } from '@psoxy/core';
import { lambdaApiHandler } from './api.js';
import type { HttpEvent, HttpResultV1, HttpResultV2, SqsEvent } from './events.js';
import { AwsJsonClient } from './aws-json.js';
import { S3ResponseOutput, SqsDispatcher } from './outputs.js';
import { cognitoDeveloperIdentity } from './cognito.js';
import { inLambda } from './lambda-env.js';
import { awsSecrets } from './secrets.js';
import { SsmLease } from './ssm.js';

export interface LambdaApiOptions {
  /** The connector this function serves (bundled with it); without one, `RULES` and `TARGET_HOST` say all. */
  connector?: Connector;
  env?: Record<string, string | undefined>;
  /** SSM Parameter Store (default: from the environment Lambda sets). */
  ssm?: AwsJsonClient;
  secretsManager?: AwsJsonClient;
  /** Cognito identity pools, for Microsoft 365's workload identity (default: from the environment). */
  cognito?: AwsJsonClient;
  /** The asynchronous mode's queue (default: from the environment Lambda sets). */
  sqs?: AwsJsonClient;
  /** How the function calls the source, token endpoints and AWS (default: `nodeHttpClient()`). */
  http?: HttpClient;
  /** Tests only: a loopback http source. */
  allowInsecureTarget?: boolean;
}

/**
 * The Lambda entry point for an API connector, as Psoxy deploys it: configuration from the
 * environment (Psoxy's names), secrets from SSM Parameter Store under the instance prefix
 * (`PATH_TO_INSTANCE_CONFIG`, e.g. `/PSOXY_GCAL_`) then the shared one (`PATH_TO_SHARED_CONFIG`,
 * e.g. `/`, where `PSOXY_SALT` lives), then the environment; token refreshes leased through SSM.
 * `SECRETS_STORE=aws_secrets_manager` reads Secrets Manager instead. The proxy is built once per
 * container: in Lambda during the init phase, elsewhere on the first event.
 */
type LambdaResult = HttpResultV1 | HttpResultV2 | { batchItemFailures: [] };

export function createLambdaApiHandler(o: LambdaApiOptions = {}): (event: HttpEvent | SqsEvent) => Promise<LambdaResult> {
  const env = o.env ?? process.env;
  const log = streamLogger({ json: true });
  const build = async () => {
    // one keep-alive client for the source and AWS alike; it never loads the Web classes (undici),
    // ~35 ms of a cold start
    const http = o.http ?? nodeHttpClient();
    const { secrets, config, instance, ssm } = awsSecrets(env, o.connector, { ssm: o.ssm, secretsManager: o.secretsManager, http, log });
    // Psoxy's asynchronous mode: requests queued in SQS, processed by this same function
    const queueUrl = env.ASYNC_API_REQUEST_QUEUE_URL?.trim() || undefined;
    if (queueUrl && !env.ASYNC_OUTPUT_DESTINATION?.trim()) throw new ConfigError(['ASYNC_API_REQUEST_QUEUE_URL is set, but ASYNC_OUTPUT_DESTINATION is not: set both for the asynchronous mode, or neither']);
    const asyncDispatcher = queueUrl ? new SqsDispatcher(o.sqs ?? new AwsJsonClient({ service: 'sqs', env, http }), queueUrl) : undefined;
    const { handler } = await composeProxy({
      connector: o.connector,
      env,
      secrets,
      config,
      lease: new SsmLease(ssm, instance),
      http,
      log,
      allowInsecureTarget: o.allowInsecureTarget,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      workloadIdentity: env.IDENTITY_POOL_ID ? cognitoDeveloperIdentity(o.cognito ?? new AwsJsonClient({ service: 'cognito-identity', env, http }), env) : undefined,
      output: (uri) => new S3ResponseOutput(uri, { env, http, log }),
      asyncDispatcher,
    });
    return lambdaApiHandler(handler.exchange, { queue: Boolean(asyncDispatcher && env.ASYNC_OUTPUT_DESTINATION?.trim()), log });
  };
  // In Lambda, start during the init phase: it runs at full CPU and before the first event is
  // handed over. A failure here is answered (and retried) by that event instead.
  const ready = buildOnce(build, { startNow: inLambda(env) });
  return async (event) => {
    let serve: (event: HttpEvent | SqsEvent) => Promise<LambdaResult>;
    try {
      serve = await ready();
    } catch (e) {
      log.error('psoxy could not start', { reason: (e as Error).message });
      // a 500 naming the problem; a health check gets its 412, as Psoxy's
      return lambdaApiHandler(startupFailureExchange(e))(event);
    }
    return serve(event);
  };
}
