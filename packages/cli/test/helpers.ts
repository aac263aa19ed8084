import { spawnSync } from 'node:child_process';
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
