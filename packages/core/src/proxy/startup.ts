import { MissingSecretError, SecretStoreError } from '../runtime/secrets.js';
import { ConfigError } from './config.js';

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
