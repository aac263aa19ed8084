import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

/** Runs the built CLI with a clean Psoxy environment. */
export function psoxy(args: string[], opts: { input?: string | Buffer; env?: Record<string, string | undefined>; cwd?: string } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, PSOXY_SALT: undefined, PSOXY_ENCRYPTION_KEY: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { input: opts.input ?? '', encoding: 'utf8', env: env as NodeJS.ProcessEnv, cwd: opts.cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `psoxy serve` running in its own process, once it printed the URL it listens on. */
export interface ServingPsoxy {
  url: string;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, for cleanup after a failure. */
  kill(): void;
}

/** Starts `psoxy <args>` (a serve command with `--port 0`) and waits for `listening on <url>` (15 s). */
export async function servePsoxy(args: string[], env: Record<string, string | undefined> = {}): Promise<ServingPsoxy> {
  const merged: Record<string, string | undefined> = { ...process.env, PSOXY_SALT: undefined, PSOXY_ENCRYPTION_KEY: undefined, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const child = spawn(process.execPath, [BIN, ...args], { env: merged as NodeJS.ProcessEnv });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    err += c;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`psoxy printed no URL within 15 s:\n${out}\n${err}`)), 15_000);
    const look = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', look);
    child.on('exit', () => {
      clearTimeout(t);
      reject(new Error(`psoxy exited before listening:\n${out}\n${err}`));
    });
  });
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
