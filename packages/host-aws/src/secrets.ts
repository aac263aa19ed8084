import { ConfigError, type Connector, type HttpClient, type Logger, type SecretStore, layeredSecrets, secretPrefix } from '@psoxy/core';
import { AwsJsonClient } from './aws-json.js';
import { SecretsManagerStore } from './secrets-manager.js';
import { SsmParameterReader, SsmSecretStore } from './ssm.js';

/**
 * Psoxy's secret lookup on AWS: the instance prefix (`PATH_TO_INSTANCE_CONFIG`, e.g. `/PSOXY_GCAL_`),
 * then the shared one (`PATH_TO_SHARED_CONFIG`, `/`), then the environment; SSM Parameter Store,
 * or Secrets Manager with `SECRETS_STORE=aws_secrets_manager` (whose names carry no leading slash).
 */
export function awsSecrets(
  env: Record<string, string | undefined>,
  connector: Connector | undefined,
  clients: { ssm?: AwsJsonClient | undefined; secretsManager?: AwsJsonClient | undefined; http: HttpClient; log?: Logger | undefined },
): { secrets: SecretStore; config: SecretStore; instance: string; ssm: AwsJsonClient } {
  // SSM is also where the token-refresh lease lives, whichever store holds the secrets
  const ssm = clients.ssm ?? new AwsJsonClient({ service: 'ssm', env, http: clients.http });
  // As Psoxy: the instance namespace defaults to the function's name (`psoxy-gcal` -> `PSOXY_GCAL_`),
  // and a namespace with a `/` in it is a path, rooted at `/`. (A root-level SSM name is the same
  // parameter with or without its leading `/`.)
  const fn = env.AWS_LAMBDA_FUNCTION_NAME?.trim();
  const instance = namespace(env.PATH_TO_INSTANCE_CONFIG) ?? (fn ? `/${fn.toUpperCase().replaceAll('-', '_')}_` : connector ? `/${secretPrefix(connector.id)}` : '/PSOXY_');
  const shared = namespace(env.PATH_TO_SHARED_CONFIG) ?? '/';
  const kind = (env.SECRETS_STORE ?? 'aws_ssm_parameter_store').toLowerCase();
  let store: (prefix: string, cacheTtlMs: number) => SecretStore;
  // one reader for both prefixes: a cold start's reads go out as one or two GetParameters calls
  const reader = new SsmParameterReader(ssm);
  const ssmStore = (prefix: string, cacheTtlMs: number) => new SsmSecretStore(ssm, { prefix, cacheTtlMs, reader, log: clients.log });
  if (kind === 'aws_ssm_parameter_store') {
    store = ssmStore;
  }
  else if (kind === 'aws_secrets_manager') {
    const sm = clients.secretsManager ?? new AwsJsonClient({ service: 'secretsmanager', env, http: clients.http });
    store = (prefix, cacheTtlMs) => new SecretsManagerStore(sm, { prefix: prefix.replace(/^\/+/, ''), cacheTtlMs, log: clients.log });
  } else throw new ConfigError([`SECRETS_STORE '${env.SECRETS_STORE}' is not one of aws_ssm_parameter_store, aws_secrets_manager`]);
  const secrets = layeredSecrets(store, instance, shared, env);
  // As Psoxy: only secrets move to Secrets Manager; general settings kept in a store (RULES,
  // ADDITIONAL_TRANSFORMS) are always SSM parameters. Reading RULES from the wrong store would
  // find none and fall back to the connector's (broader) default rules.
  const config = store === ssmStore ? secrets : layeredSecrets(ssmStore, instance, shared, env);
  return { secrets, config, instance, ssm };
}

/** A configured namespace as Psoxy reads it: one with a `/` in it but not first gets a leading `/`. */
function namespace(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.includes('/') && !value.startsWith('/') ? `/${value}` : value;
}
