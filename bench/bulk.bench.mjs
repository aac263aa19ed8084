// Bulk benchmark: a generated HRIS CSV (10 columns, 2 pseudonymized, 1 redacted) sanitized by
// psoxy against a plain csv-parse -> csv-stringify pass over the same file, each run in a fresh
// process (so peak RSS is that run's own), alternating.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeHrisCsv } from './bulk-data.mjs';
import { median } from './lib.mjs';

function run(here, mode, input, output) {
  const args = [join(here, 'bulk-worker.mjs'), mode, input, output, join(here, 'rules', 'hris-bulk.yaml')];
  const r = JSON.parse(execFileSync(process.execPath, args, { cwd: here, encoding: 'utf8', maxBuffer: 1 << 20 }));
  rmSync(output, { force: true });
  return r;
}

export async function benchBulk(here, sizes = [100, 1024]) {
  const rows = [];
  for (const mb of sizes) {
    const input = join(here, '.data', `hris-${mb}mb.csv`);
    if (!existsSync(input)) {
      console.log(`generating ${input} ...`);
      await writeHrisCsv(input, mb);
    }
    const bytes = statSync(input).size;
    const out = join(here, '.data', 'bulk-out.csv');
    const runs = mb <= 128 ? 3 : 1;
    const base = [];
    const psoxy = [];
    for (let i = 0; i < runs; i++) {
      base.push(run(here, 'baseline', input, out));
      psoxy.push(run(here, 'psoxy', input, out));
    }
    const b = median(base.map((r) => r.ms));
    const p = median(psoxy.map((r) => r.ms));
    rows.push({
      mb,
      bytes,
      baselineMs: b,
      psoxyMs: p,
      ratio: p / b,
      baselineRss: Math.max(...base.map((r) => r.maxRssMB)),
      psoxyRss: Math.max(...psoxy.map((r) => r.maxRssMB)),
      runs,
    });
    console.log(`  ${mb} MB: baseline ${(b / 1000).toFixed(1)} s, psoxy ${(p / 1000).toFixed(1)} s`);
  }
  return rows;
}
