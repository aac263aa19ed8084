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
  const fsProblem = fileSystemProblem(err);
  if (fsProblem) return { message: fsProblem, exitCode: EXIT.INVALID };
  const detail = process.env.DEBUG ? `\n${err?.stack ?? String(e)}` : ' (set DEBUG=1 for details)';
  return { message: `internal error: ${err?.message ?? String(e)}${detail}`, exitCode: EXIT.INTERNAL };
}

/** A path as the user gave it: our own temporary files (`.name.psoxy-<random>.tmp`) named by the file they stand for. */
function userPath(path: string | undefined): string {
  if (!path) return '(a path given)';
  return path.replace(/(^|\/)\.([^/]*?)\.psoxy-[^/]*\.tmp$/, '$1$2');
}

/**
 * The file system's and network's refusals that come from what the user asked for (a path that is
 * a file where a folder is needed, a folder that cannot be written, an address this machine does
 * not have), as one line saying what to change; undefined for anything else.
 */
function fileSystemProblem(err: (NodeJS.ErrnoException & { dest?: string; hostname?: string }) | undefined): string | undefined {
  const path = userPath(err?.path ?? err?.dest);
  switch (err?.code) {
    case 'ENOENT':
      return `file not found: ${path} (check the path; an output's folder must exist)`;
    case 'EISDIR':
      return `expected a file but got a folder: ${path}`;
    case 'ENOTDIR':
      return `a path goes through a file where a folder is needed: ${path}`;
    case 'EEXIST':
      return `already exists and is not a folder: ${path} (choose another output folder)`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `not allowed to read or write ${path} (check its permissions, or choose another path)`;
    case 'ENOSPC':
      return `no space left on the device while writing ${path}`;
    case 'EADDRINUSE':
      return `port ${(err as { port?: number }).port ?? ''} is in use: pass --port <n> (or --port 0 for any free port)`;
    case 'EADDRNOTAVAIL':
      return `this machine has no address ${(err as { address?: string }).address ?? ''} to listen on: use --host 127.0.0.1 or one of its own addresses`;
    case 'ENOTFOUND':
      return `no such host: ${err.hostname ?? err.message} (use --host 127.0.0.1, or an address or name this machine has)`;
    default:
      return undefined;
  }
}
