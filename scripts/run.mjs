#!/usr/bin/env node
// Bootstraps the workspace on a machine that has only Node.js and npm, then runs one task:
//   node scripts/run.mjs demo | test | bench
// It uses pnpm from PATH when present, else the pinned pnpm through npx (no global install needed),
// installs the locked dependencies, builds, and runs the task.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // pnpm@x.y.z
const task = process.argv[2];
const extra = process.argv.slice(3);
const tasks = ['demo', 'test', 'bench'];
if (!tasks.includes(task)) {
  console.error(`usage: node scripts/run.mjs <${tasks.join('|')}> [args...]`);
  process.exit(2);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
function must(cmd, args, what) {
  const code = run(cmd, args);
  if (code !== 0) {
    console.error(`\n[psoxy] ${what} failed (exit ${code}).`);
    process.exit(code);
  }
}

// pnpm: the one on PATH if it is the pinned major, else the pinned version via npx.
const wantedMajor = pinned.split('@')[1].split('.')[0];
const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
const pnpm = onPath.status === 0 && onPath.stdout.trim().split('.')[0] === wantedMajor ? ['pnpm'] : ['npx', '-y', pinned];
const quiet = process.env.CI ? [] : ['--reporter=silent'];

must(pnpm[0], [...pnpm.slice(1), 'install', '--frozen-lockfile', ...quiet], 'installing dependencies');
must(pnpm[0], [...pnpm.slice(1), 'run', 'build'], 'building');

let code = 0;
if (task === 'demo') {
  code = run(process.execPath, [join(root, 'packages/cli/bin/run.js'), 'demo', ...extra]);
} else if (task === 'test') {
  must(pnpm[0], [...pnpm.slice(1), 'exec', 'biome', 'lint', '.'], 'lint');
  must(pnpm[0], [...pnpm.slice(1), 'exec', 'tsc', '-p', 'tsconfig.test.json', '--noEmit'], 'type-checking the tests');
  code = run(pnpm[0], [...pnpm.slice(1), 'exec', 'vitest', 'run', ...extra]);
} else if (task === 'bench') {
  code = run(process.execPath, ['--expose-gc', join(root, 'bench/run.mjs'), ...extra]);
}
if (!existsSync(join(root, 'node_modules'))) code ||= 1;
process.exit(code);
