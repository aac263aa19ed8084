import { oauth2ClientCredentials, oauth2RefreshToken } from '../auth/oauth2.js';
import { basicAuth, bearerToken } from '../auth/static.js';
import type { AuthStrategy } from '../auth/types.js';
import { ConfigError } from './config.js';

type Env = Record<string, string | undefined>;

/** Psoxy's `SOURCE_AUTH_STRATEGY_IDENTIFIER` values this module builds from settings alone. */
export const GENERIC_SOURCE_AUTH = ['oauth2_access_token', 'oauth2_refresh_token', 'basic_auth'] as const;

/** Strategies whose grant needs a connector's code: which connector to serve instead. */
const NEEDS_CONNECTOR: Record<string, string> = {
  gcp_service_account_key: 'a Google Workspace connector (gcal, gdirectory, gdrive, ...), which signs with the service account key',
  claude_admin_api_key: 'a connector for the Claude Admin API (none is installed here)',
  windsurf_service_key: 'a connector for Windsurf (none is installed here)',
};

const NEEDS_CONNECTOR_GRANT: Record<string, string> = {
  certificate_credentials: 'the github connector (a GitHub App installation token)',
  workload_identity_federation: 'a Microsoft 365 connector (msft-entra-id, outlook-cal, ...)',
  refresh_token_via_query_parameter: 'a connector for the source (Gong is not installed here)',
};

/**
 * The source auth of a function that serves no connector (`RULES` and `TARGET_HOST` only), from
 * Psoxy's settings: `SOURCE_AUTH_STRATEGY_IDENTIFIER` and, for `oauth2_refresh_token`,
 * `REFRESH_ENDPOINT`, `GRANT_TYPE` (`refresh_token`, default; `client_credentials` with
 * `CREDENTIALS_FLOW=client_secret`; `account_credentials`), `TOKEN_SCOPE`, `USE_SHARED_TOKEN`.
 * Credentials (`ACCESS_TOKEN`, `CLIENT_ID`, `CLIENT_SECRET`, `REFRESH_TOKEN`, `ACCOUNT_ID`,
 * `BASIC_AUTH_USER_ID`, `BASIC_AUTH_PASSWORD`) are read from the secret store when used.
 * Undefined when the identifier is not set: the source is called without credentials.
 */
export function sourceAuthFromEnv(env: Env, opts: { allowInsecureTokenEndpoint?: boolean | undefined } = {}): AuthStrategy | undefined {
  const id = env.SOURCE_AUTH_STRATEGY_IDENTIFIER?.trim().toLowerCase();
  if (!id) return undefined;
  switch (id) {
    case 'oauth2_access_token':
      return bearerToken({ secret: 'ACCESS_TOKEN' });
    case 'basic_auth':
      return basicAuth();
    case 'oauth2_refresh_token':
      return refreshTokenAuth(env, opts.allowInsecureTokenEndpoint === true);
  }
  const connector = NEEDS_CONNECTOR[id];
  if (connector) throw new ConfigError([`SOURCE_AUTH_STRATEGY_IDENTIFIER=${id} needs ${connector}; serve it instead of RULES alone`]);
  throw new ConfigError([`SOURCE_AUTH_STRATEGY_IDENTIFIER=${env.SOURCE_AUTH_STRATEGY_IDENTIFIER} is not one of ${[...GENERIC_SOURCE_AUTH, ...Object.keys(NEEDS_CONNECTOR)].join(', ')}`]);
}

function refreshTokenAuth(env: Env, allowInsecure: boolean): AuthStrategy {
  const problems: string[] = [];
  const endpoint = env.REFRESH_ENDPOINT?.trim();
  let tokenUrl = '';
  if (!endpoint) problems.push('REFRESH_ENDPOINT is required with SOURCE_AUTH_STRATEGY_IDENTIFIER=oauth2_refresh_token: the URL of the source\'s token endpoint');
  else {
    try {
      const u = new URL(endpoint);
      if (u.protocol !== 'https:' && !(allowInsecure && u.protocol === 'http:')) problems.push(`REFRESH_ENDPOINT=${endpoint} must be an https:// URL`);
      tokenUrl = u.href;
    } catch {
      problems.push(`REFRESH_ENDPOINT=${endpoint} is not a URL`);
    }
  }
  const responseType = env.TOKEN_RESPONSE_TYPE?.trim();
  // the GitHub answer ({token, expires_at}) is read whatever the setting; any other is unknown
  if (responseType && !/^(GITHUB_ACCESS_TOKEN|CANONICAL)$/i.test(responseType)) problems.push(`TOKEN_RESPONSE_TYPE=${responseType} is not supported (the standard answer and GitHub's are read)`);
  const grant = (env.GRANT_TYPE?.trim() || 'refresh_token').toLowerCase();
  // Psoxy shares the access token between instances by default only for account_credentials
  const shared = env.USE_SHARED_TOKEN?.trim() ? env.USE_SHARED_TOKEN.trim().toLowerCase() === 'true' : grant === 'account_credentials';
  const tuning = { sharedTokenSecret: shared ? 'ACCESS_TOKEN' : undefined, leaseName: 'OAUTH_REFRESH_TOKEN' };
  let strategy: AuthStrategy | undefined;
  switch (grant) {
    case 'refresh_token':
      strategy = oauth2RefreshToken({ name: 'source', tokenUrl, clientAuth: 'body', ...tuning });
      break;
    case 'client_credentials': {
      const flow = (env.CREDENTIALS_FLOW?.trim() || 'jwt_assertion').toLowerCase();
      if (flow !== 'client_secret') {
        problems.push(`GRANT_TYPE=client_credentials with CREDENTIALS_FLOW=${flow}: a certificate (JWT assertion) flow needs a Microsoft 365 connector; set CREDENTIALS_FLOW=client_secret to send the client secret`);
        break;
      }
      strategy = oauth2ClientCredentials({ name: 'source', tokenUrl, clientAuth: 'body', scope: env.TOKEN_SCOPE?.trim() || undefined, ...tuning });
      break;
    }
    case 'account_credentials':
      strategy = oauth2ClientCredentials({ name: 'source', tokenUrl, grantType: 'account_credentials', clientAuth: 'basic', secretParams: { account_id: 'ACCOUNT_ID' }, ...tuning });
      break;
    default: {
      const connector = NEEDS_CONNECTOR_GRANT[grant];
      problems.push(
        connector
          ? `GRANT_TYPE=${grant} needs ${connector}; serve it instead of RULES alone`
          : `GRANT_TYPE=${env.GRANT_TYPE} is not one of refresh_token, client_credentials, account_credentials`,
      );
    }
  }
  if (problems.length > 0 || !strategy) throw new ConfigError(problems);
  return strategy;
}
