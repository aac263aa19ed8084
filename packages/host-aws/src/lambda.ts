import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ChainSecretStore, ConfigError, type Connector, EnvSecretStore, type BulkOutcome, type SecretStore, composeBulk, composeProxy, nodeHttpFetch, secretPrefix, streamLogger } from '@psoxy/core';
import { lambdaApiHandler } from './api.js';
import { type S3Event, s3BulkHandler } from './s3.js';
import type { HttpEvent, HttpResultV1, HttpResultV2 } from './events.js';
import { SecretsManagerStore } from './secrets-manager.js';
import { SsmLease, SsmSecretStore } from './ssm.js';

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
/**
 * Psoxy's secret lookup on AWS: the instance prefix (`PATH_TO_INSTANCE_CONFIG`, e.g. `/PSOXY_GCAL_`),
 * then the shared one (`PATH_TO_SHARED_CONFIG`, `/`), then the environment; SSM Parameter Store,
 * or Secrets Manager with `SECRETS_STORE=aws_secrets_manager` (whose names carry no leading slash).
 */
export function awsSecrets(
  env: Record<string, string | undefined>,
  connector: Connector | undefined,
  ssm: SSMClient,
  secretsManager: () => SecretsManagerClient,
): { secrets: SecretStore; instance: string } {
  const instance = env.PATH_TO_INSTANCE_CONFIG ?? (connector ? `/${secretPrefix(connector.id)}` : '/PSOXY_');
  const shared = env.PATH_TO_SHARED_CONFIG ?? '/';
  const kind = (env.SECRETS_STORE ?? 'aws_ssm_parameter_store').toLowerCase();
  let store: (prefix: string) => SecretStore;
  if (kind === 'aws_ssm_parameter_store') store = (prefix) => new SsmSecretStore(ssm, { prefix });
  else if (kind === 'aws_secrets_manager') {
    const sm = secretsManager();
    store = (prefix) => new SecretsManagerStore(sm, { prefix: prefix.replace(/^\/+/, '') });
  } else throw new ConfigError([`SECRETS_STORE '${env.SECRETS_STORE}' is not one of aws_ssm_parameter_store, aws_secrets_manager`]);
  return { secrets: new ChainSecretStore([store(instance), ...(shared !== instance ? [store(shared)] : []), new EnvSecretStore(env)]), instance };
}

/** Builds once per container, on first use; a failed build is retried by the next event. */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= build().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));
}

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

export interface S3BulkOptions {
  /** The connector whose bulk rules apply when `RULES` is not set. */
  connector?: Connector;
  env?: Record<string, string | undefined>;
  s3?: S3Client;
  ssm?: SSMClient;
  secretsManager?: SecretsManagerClient;
}

/**
 * The Lambda entry point of a bulk connector, as Psoxy deploys it: on each S3 event, every object
 * is sanitized into `OUTPUT_BUCKET` (and the `ADDITIONAL_TRANSFORMS` destinations) with `RULES`
 * (env or SSM, else the connector's bulk rules); the salt from the same secret lookup as the API
 * functions. Configuration is read once per container.
 */
export function createS3BulkHandler(o: S3BulkOptions = {}): (event: S3Event) => Promise<BulkOutcome[]> {
  const env = o.env ?? process.env;
  const ready = once(async () => {
    const ssm = o.ssm ?? new SSMClient({});
    const { secrets } = awsSecrets(env, o.connector, ssm, () => o.secretsManager ?? new SecretsManagerClient({}));
    const config = await composeBulk({ connector: o.connector, env, secrets, instanceId: env.AWS_LAMBDA_FUNCTION_NAME ?? 'psoxy-bulk' });
    return s3BulkHandler(o.s3 ?? new S3Client({}), config);
  });
  return async (event) => (await ready())(event);
}
