import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ChainSecretStore, ConfigError, type Connector, EnvSecretStore, type SecretStore, composeProxy, nodeHttpFetch, streamLogger } from '@psoxy/core';
import { lambdaApiHandler } from './api.js';
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
export function createLambdaApiHandler(o: LambdaApiOptions = {}): (event: HttpEvent) => Promise<HttpResultV1 | HttpResultV2> {
  const env = o.env ?? process.env;
  let ready: Promise<(event: HttpEvent) => Promise<HttpResultV1 | HttpResultV2>> | undefined;
  const build = async () => {
    const ssm = o.ssm ?? new SSMClient({});
    const instance = env.PATH_TO_INSTANCE_CONFIG ?? (o.connector ? `/PSOXY_${o.connector.id.toUpperCase().replace(/-/g, '_')}_` : '/PSOXY_');
    const shared = env.PATH_TO_SHARED_CONFIG ?? '/';
    // SECRETS_STORE as Psoxy names it; Secrets Manager names carry no leading slash
    const kind = (env.SECRETS_STORE ?? 'aws_ssm_parameter_store').toLowerCase();
    let store: (prefix: string) => SecretStore;
    if (kind === 'aws_ssm_parameter_store') store = (prefix) => new SsmSecretStore(ssm, { prefix });
    else if (kind === 'aws_secrets_manager') {
      const sm = o.secretsManager ?? new SecretsManagerClient({});
      store = (prefix) => new SecretsManagerStore(sm, { prefix: prefix.replace(/^\/+/, '') });
    } else throw new ConfigError([`SECRETS_STORE '${env.SECRETS_STORE}' is not one of aws_ssm_parameter_store, aws_secrets_manager`]);
    const secrets = new ChainSecretStore([store(instance), ...(shared !== instance ? [store(shared)] : []), new EnvSecretStore(env)]);
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
  return async (event) => {
    ready ??= build().catch((e: unknown) => {
      ready = undefined;
      throw e;
    });
    return (await ready)(event);
  };
}
