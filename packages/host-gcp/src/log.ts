import { type LogLevel, type Logger, streamLogger } from '@psoxy/core';

const SEVERITY: Record<string, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/**
 * The proxy's logger on Cloud Run functions: core's JSON lines (secret-looking fields redacted),
 * with the `severity` and `message` fields Cloud Logging reads from structured lines.
 */
export function gcpLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  return streamLogger({
    level: opts.level,
    json: true,
    write: opts.write ?? ((line: string) => process.stdout.write(`${line}\n`)),
    shape: ({ level, msg, ...fields }) => ({ severity: SEVERITY[level] ?? 'DEFAULT', message: msg, ...fields }),
  });
}
