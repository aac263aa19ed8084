/** Logging as the proxy uses it: four levels, structured fields, never bodies or secrets. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Field names whose values are never written, whatever a caller passes. */
const SECRET_FIELD = /secret|token|password|authorization|key|salt|assertion|cookie/i;

function scrub(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_FIELD.test(k) && v !== undefined && v !== null ? '[redacted]' : v;
  return out;
}

/**
 * A logger writing one line per event to a stream: JSON lines (for cloud log ingestion) or plain
 * text (for a terminal). Fields whose names look like secrets are redacted.
 */
export function streamLogger(
  opts: {
    level?: LogLevel;
    json?: boolean;
    write?: (line: string) => void;
    clock?: () => number;
    /** JSON lines: reshapes each record (`{time, level, msg, ...fields}`) for a log service's field names. */
    shape?: (record: { time: string; level: string; msg: string } & LogFields) => Record<string, unknown>;
  } = {},
): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = opts.clock ?? Date.now;
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const f = scrub(fields);
    if (opts.json) {
      const record = { time: new Date(clock()).toISOString(), level, msg, ...f };
      write(JSON.stringify(opts.shape ? opts.shape(record) : record));
    } else {
      const extra = f
        ? Object.entries(f)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`)
            .join(' ')
        : '';
      write(`${level === 'info' ? '' : `${level}: `}${msg}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Discards everything (tests, libraries). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
