import { type Connector, composeProxy, nodeHttpFetch, streamLogger } from '@psoxy/core';
import { lambdaApiHandler } from './api.js';
import type { HttpEvent, HttpResultV1, HttpResultV2 } from './events.js';
import { AwsJsonClient } from './aws-json.js';
import { cognitoDeveloperIdentity } from './cognito.js';
import { awsSecrets, once } from './secrets.js';
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
  fetch?: typeof fetch;
  /** Tests only: a loopback http source. */
  allowInsecureTarget?: boolean;
}

/**
 * The Lambda entry point for an API connector, as Psoxy deploys it: configuration from the
 * environment (Psoxy's names), secrets from SSM Parameter Store under the instance prefix
 * (`PATH_TO_INSTANCE_CONFIG`, e.g. `/PSOXY_GCAL_`) then the shared one (`PATH_TO_SHARED_CONFIG`,
 * e.g. `/`, where `PSOXY_SALT` lives), then the environment; token refreshes leased through SSM.
 * `SECRETS_STORE=aws_secrets_manager` reads Secrets Manager instead. The proxy is built once per
 * container, on the first event.
 */
export function createLambdaApiHandler(o: LambdaApiOptions = {}): (event: HttpEvent) => Promise<HttpResultV1 | HttpResultV2> {
  const env = o.env ?? process.env;
  const build = async () => {
    // one keep-alive client for the source and AWS alike: cheaper to start than the built-in fetch
    const http = o.fetch ?? nodeHttpFetch();
    const ssm = o.ssm ?? new AwsJsonClient({ service: 'ssm', env, fetch: http });
    const { secrets, instance } = awsSecrets(env, o.connector, ssm, () => o.secretsManager ?? new AwsJsonClient({ service: 'secretsmanager', env, fetch: http }));
    const { handler } = await composeProxy({
      connector: o.connector,
      env,
      secrets,
      lease: new SsmLease(ssm, instance),
      fetch: http,
      log: streamLogger({ json: true }),
      allowInsecureTarget: o.allowInsecureTarget,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      workloadIdentity: env.IDENTITY_POOL_ID ? cognitoDeveloperIdentity(o.cognito ?? new AwsJsonClient({ service: 'cognito-identity', env, fetch: http }), env) : undefined,
    });
    return lambdaApiHandler(handler);
  };
  const ready = once(build);
  return async (event) => (await ready())(event);
}

