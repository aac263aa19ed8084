/** `X-Psoxy-Error` values (Psoxy's ErrorCauses, plus a few of ours). */
export type ErrorCause =
  | 'BLOCKED_BY_RULES'
  | 'HTTPS_REQUIRED'
  | 'UNAUTHORIZED_IP_ADDRESS'
  | 'INVALID_REQUEST'
  | 'FAILED_TO_BUILD_URL'
  | 'TOKENIZED_REQUEST_PARAMETER_INVALID'
  | 'RULES_INVALID'
  | 'CONFIGURATION_FAILURE'
  | 'CONNECTION_SETUP'
  | 'CONNECTION_TO_SOURCE'
  | 'SOURCE_API_READ_TIMEOUT'
  | 'SOURCE_AUTH_FAILED'
  | 'SOURCE_AUTH_RECONNECT_REQUIRED'
  | 'REDIRECT_NOT_FOLLOWED'
  | 'RESPONSE_TOO_LARGE'
  | 'API_ERROR'
  | 'ASYNC_HANDLER_DISPATCH'
  | 'SANITIZATION_FAILED'
  | 'UNKNOWN';

/** A failure with the status and cause the caller sees; `message` is safe to return (no data, no secrets). */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  constructor(
    readonly status: number,
    readonly cause_: ErrorCause,
    message: string,
    /** Write no body at all (Psoxy blocks with an empty body). */
    readonly emptyBody = false,
  ) {
    super(message);
  }
}
