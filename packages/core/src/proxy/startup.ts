import { MissingSecretError, SecretStoreError } from '../runtime/secrets.js';
import { ConfigError } from './config.js';
import { type ExchangeHandler, PSOXY_TS_VERSION, type ProxyResponse } from './handler.js';
import { healthResponse } from './health.js';

/** What a host answers (status 500) while its proxy cannot start. */
export interface StartupFailure {
  error: 'CONFIGURATION_FAILURE';
  message: string;
  problems?: string[];
}

/**
 * The body of a host's answer while the proxy cannot start: what is wrong when it is
 * configuration (the messages name settings and secrets, never secret values), a pointer to the
 * logs otherwise (an unexpected error may say more than a caller should read).
 */
export function startupFailure(e: unknown): StartupFailure {
  if (e instanceof ConfigError) return { error: 'CONFIGURATION_FAILURE', message: e.message, problems: e.problems };
  if (e instanceof MissingSecretError || e instanceof SecretStoreError) return { error: 'CONFIGURATION_FAILURE', message: e.message };
  return { error: 'CONFIGURATION_FAILURE', message: 'the proxy could not start; see the function logs' };
}

/**
 * The health check's answer while the proxy cannot start: 412 with Psoxy's fields, as Psoxy's
 * health check fails (rather than the function) when, say, the salt is missing, so that a
 * deployment check reads what is wrong from the usual place.
 */
export function startupHealthCheck(e: unknown, clientIp: string | undefined): ProxyResponse {
  const failure = startupFailure(e);
  const missing = e instanceof ConfigError ? e.missing : [];
  // what a proxy that did not start cannot know is null
  return healthResponse(
    {
      bundleFilename: null,
      callerIp: clientIp ?? 'unknown',
      configPropertiesLastModified: {},
      configuredHost: null,
      configuredSource: null,
      javaSourceCodeVersion: null,
      missingConfigProperties: missing,
      nonDefaultSalt: !missing.includes('PSOXY_SALT'),
      pseudonymImplementation: 'v0.4',
      pseudonymizeAppIds: false,
      saltSha256Hash: null,
      sourceAuthGrantType: null,
      sourceAuthStrategy: null,
      version: PSOXY_TS_VERSION,
      warningMessages: failure.problems ?? [failure.message],
    },
    false,
  );
}

/**
 * What a host serves while its proxy cannot start: the health check's 412 (above) to a health
 * check, a 500 `CONFIGURATION_FAILURE` with {@link startupFailure}'s body to anything else.
 */
export function startupFailureExchange(e: unknown): ExchangeHandler {
  return async (request) => {
    if (request.headers['x-psoxy-health-check'] !== undefined) return startupHealthCheck(e, request.clientIp);
    return {
      status: 500,
      headers: { 'content-type': 'application/json', 'x-psoxy-error': 'CONFIGURATION_FAILURE' },
      body: Buffer.from(JSON.stringify(startupFailure(e)), 'utf8'),
    };
  };
}
