import {
  BulkDataError,
  ConfigError,
  InvalidTokenError,
  MissingSecretError,
  SecretStoreError,
  JsonSyntaxError,
  PseudonymizationError,
  RulesError,
  SanitizeError,
  SchemaFilterError,
  TransformError,
} from '@psoxy/core';

/** Exit codes other tools rely on. */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  /** Invalid rules, invalid input, missing configuration, bad usage. */
  INVALID: 2,
  /** The rules block the request. */
  BLOCKED: 3,
} as const;

/** An error caused by what the user gave us: printed without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.INVALID,
  ) {
    super(message);
  }
}

/** Maps an error to the message and exit code the CLI shows (never a stack for user mistakes). */
export function describeError(e: unknown): { message: string; exitCode: number } {
  if (e instanceof UserError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof RulesError) return { message: `invalid rules: ${e.message}`, exitCode: EXIT.INVALID };
  if (e instanceof ConfigError || e instanceof MissingSecretError || e instanceof SecretStoreError) {
    return { message: e.message, exitCode: EXIT.INVALID };
  }
  if (e instanceof BulkDataError) return { message: `invalid input: ${e.message}`, exitCode: EXIT.INVALID };
  if (e instanceof JsonSyntaxError) return { message: `invalid input: ${e.message}`, exitCode: EXIT.INVALID };
  if (e instanceof SanitizeError) return { message: `invalid input: ${e.message}`, exitCode: EXIT.INVALID };
  if (e instanceof PseudonymizationError || e instanceof TransformError || e instanceof SchemaFilterError) {
    return { message: `cannot sanitize: ${e.message}`, exitCode: EXIT.INVALID };
  }
  if (e instanceof InvalidTokenError) return { message: `invalid token: ${e.message}`, exitCode: EXIT.INVALID };
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return { message: `file not found: ${err.path ?? err.message}`, exitCode: EXIT.INVALID };
  if (err?.code === 'EISDIR') return { message: `expected a file but got a directory: ${err.path ?? ''}`, exitCode: EXIT.INVALID };
  if (err?.code === 'EACCES') return { message: `permission denied: ${err.path ?? err.message}`, exitCode: EXIT.INVALID };
  const detail = process.env.DEBUG ? `\n${err?.stack ?? String(e)}` : ' (set DEBUG=1 for details)';
  return { message: `internal error: ${err?.message ?? String(e)}${detail}`, exitCode: EXIT.INTERNAL };
}
