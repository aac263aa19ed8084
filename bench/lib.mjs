// Shared helpers for benchmarks: timing with warm-up, medians, and RESULTS.md sections.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Runs the given functions interleaved (so drift hits all alike) and returns median ms of each.
 * With `samples`, every run's times too (run i of each function ran back to back).
 */
export function timeInterleaved(fns, { warmup = 3, runs = 15, samples: wantSamples = false } = {}) {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const n of names) fns[n]();
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      globalThis.gc?.();
      const t = process.hrtime.bigint();
      fns[n]();
      samples[n].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const medians = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
  return wantSamples ? { ...medians, samples } : medians;
}

/**
 * Median over runs of a/b, each run's pair measured back to back: on a VM whose speed drifts
 * by tens of percent within seconds, steadier than the ratio of the two medians.
 */
export function medianRatio(a, b) {
  return median(a.map((x, i) => x / b[i]));
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, Node ${process.version}`;
}

/** Replaces (or appends) the section between `<!-- name -->` markers in bench/RESULTS.md. */
export function recordSection(file, name, markdown) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nWritten by `pnpm bench` (bench/run.mjs); each ratio is measured against a baseline in the same run.\n';
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}
