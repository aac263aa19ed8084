import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type Connector, composeProxy, nodeHttpFetch, streamLogger } from '@psoxy/core';
import { lambdaApiHandler } from './api.js';
import type { HttpEvent, HttpResultV1, HttpResultV2 } from './events.js';
import { awsSecrets, once } from './secrets.js';
import { SsmLease } from './ssm.js';

export interface LambdaApiOptions {
  /** The connector this function serves (bundled with it); without one, `RULES` and `TARGET_HOST` say all. */
  connector?: Connector;
  env?: Record<string, string | undefined>;
  ssm?: SSMClient;
  secretsManager?: SecretsManagerClient;
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
    const ssm = o.ssm ?? new SSMClient({});
    const { secrets, instance } = awsSecrets(env, o.connector, ssm, () => o.secretsManager ?? new SecretsManagerClient({}));
    const { handler } = await composeProxy({
      connector: o.connector,
      env,
      secrets,
      lease: new SsmLease(ssm, instance),
      fetch: o.fetch ?? nodeHttpFetch(),
      log: streamLogger({ json: true }),
      allowInsecureTarget: o.allowInsecureTarget,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    });
    return lambdaApiHandler(handler);
  };
  const ready = once(build);
  return async (event) => (await ready())(event);
}

