import { ConfigError, type WorkloadIdentity } from '@psoxy/core';
import type { AwsJsonClient } from './aws-json.js';

type Env = Record<string, string | undefined>;

/**
 * The function's workload identity as Psoxy makes it on AWS for Microsoft 365: an OpenID token of
 * a Cognito developer identity (`GetOpenIdTokenForDeveloperIdentity` with `IDENTITY_POOL_ID`,
 * `IDENTITY_ID` and the login `{DEVELOPER_NAME_ID: CLIENT_ID}`), which Entra ID trusts through a
 * federated credential (issuer cognito-identity.amazonaws.com, audience the pool, subject the
 * identity). No secret is stored anywhere. Undefined when `IDENTITY_POOL_ID` is not set.
 */
export function cognitoDeveloperIdentity(client: AwsJsonClient, env: Env): WorkloadIdentity | undefined {
  const pool = env.IDENTITY_POOL_ID;
  if (!pool) return undefined;
  const missing = ['IDENTITY_ID', 'DEVELOPER_NAME_ID', 'CLIENT_ID'].filter((n) => !env[n]);
  if (missing.length > 0) throw new ConfigError(missing.map((n) => `${n} is required with IDENTITY_POOL_ID (the Cognito developer identity Entra ID trusts)`));
  const input = { IdentityPoolId: pool, IdentityId: env.IDENTITY_ID, Logins: { [env.DEVELOPER_NAME_ID as string]: env.CLIENT_ID } };
  return {
    description: `Cognito developer identity ${env.IDENTITY_ID} of pool ${pool}`,
    async token() {
      const r = await client.call<{ Token?: string }>('GetOpenIdTokenForDeveloperIdentity', input);
      if (!r.Token) throw new Error(`Cognito returned no token for identity ${env.IDENTITY_ID}`);
      return r.Token;
    },
  };
}
