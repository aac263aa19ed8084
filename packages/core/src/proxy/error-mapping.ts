import { MissingSecretError } from '../runtime/secrets.js';
import { ReconnectSourceError, SourceAuthError } from '../auth/types.js';
import { HttpClientError } from '../http/types.js';
import type { Logger } from '../runtime/logger.js';
import { type ErrorCause, ProxyError } from './errors.js';

// What the caller is told when a step of the proxy fails: Psoxy's error causes and statuses,
// with messages that name the failing step and never a secret or the source's own answer.

/** Authenticating to the source failed. */
export function authError(e: unknown): ProxyError {
  if (e instanceof ProxyError) return e;
  if (e instanceof ReconnectSourceError) return new ProxyError(502, 'SOURCE_AUTH_RECONNECT_REQUIRED', e.message);
  if (e instanceof MissingSecretError) return new ProxyError(500, 'CONNECTION_SETUP', e.message);
  if (e instanceof SourceAuthError) return new ProxyError(502, 'SOURCE_AUTH_FAILED', e.message);
  return new ProxyError(502, 'SOURCE_AUTH_FAILED', `authenticating to the source failed: ${(e as Error).message}`);
}

export function fetchError(e: unknown): ProxyError {
  if (e instanceof HttpClientError && e.kind === 'timeout') {
    return new ProxyError(504, 'SOURCE_API_READ_TIMEOUT', 'the source did not answer in time');
  }
  const code = e instanceof HttpClientError ? e.code : undefined;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return new ProxyError(503, 'CONNECTION_TO_SOURCE', 'the source could not be reached');
  }
  return new ProxyError(502, 'CONNECTION_TO_SOURCE', 'the source could not be reached');
}

/** Reading the source's body failed: nothing partial is ever sanitized or returned. */
export function bodyError(e: unknown, limit: number): ProxyError {
  if (e instanceof HttpClientError) {
    if (e.kind === 'too-large') return new ProxyError(502, 'RESPONSE_TOO_LARGE', `the source's response is larger than the limit of ${limit} bytes`);
    if (e.kind === 'timeout') return new ProxyError(504, 'SOURCE_API_READ_TIMEOUT', 'the source did not finish its response in time');
  }
  return new ProxyError(502, 'CONNECTION_TO_SOURCE', 'the source closed the connection before the response was complete');
}

export function asProxyError(e: unknown, log: Logger): ProxyError {
  if (e instanceof ProxyError) return e;
  if (e instanceof MissingSecretError) return new ProxyError(500, 'CONNECTION_SETUP', e.message);
  const cause: ErrorCause = 'UNKNOWN';
  log.error('unexpected error', { reason: (e as Error)?.message });
  return new ProxyError(500, cause, 'Unknown internal proxy error; review logs');
}
