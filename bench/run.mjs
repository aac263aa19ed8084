// pnpm bench: runs every benchmark, prints ratios against baselines measured in the same run, and
// records them in bench/RESULTS.md.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, recordSection } from './lib.mjs';
import { benchBulk } from './bulk.bench.mjs';
import { benchBundles } from './bundle.bench.mjs';
import { benchProxy } from './proxy.bench.mjs';
import { benchPseudonymize } from './pseudonymize.bench.mjs';
import { benchSanitize } from './sanitize.bench.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, 'RESULTS.md');
const only = process.argv[2];
if (!existsSync(join(here, '.data', 'github-pulls.json'))) await import('./generate.mjs');
const date = new Date().toISOString().slice(0, 10);
const fmt = (x, d = 2) => x.toFixed(d);

if (!only || only === 'sanitize') {
  const rows = benchSanitize(here);
  const table = [
    '| response | size | JSON.parse+stringify | sanitize | **ratio** | of which parse | of which write |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.mb, 1)} MB | ${fmt(r.baseline, 1)} ms | ${fmt(r.sanitize, 1)} ms | **${fmt(r.ratio)}** | ${fmt(r.parse, 1)} ms | ${fmt(r.write, 1)} ms |`),
  ].join('\n');
  console.log(`\nSanitize (budget: ratio <= 2.0, aim <= 1.3)\n${table}`);
  recordSection(
    results,
    'sanitize',
    `## Sanitize: API response -> sanitized response\n\n${date}, ${machine()}. Times: medians of 15 interleaved runs; ratio: median over the runs of sanitize time / (JSON.parse + JSON.stringify) time of the same text, measured back to back. Budget <= 2.0, aim <= 1.3.\n\n${table}`,
  );
}

if (!only || only === 'pseudonymize') {
  const rows = benchPseudonymize();
  const table = [
    '| values | raw `crypto.hash` /s | raw `createHash` /s | psoxy pseudonyms /s | **ratio** vs `crypto.hash` | ratio vs `createHash` | floor: `crypto.hash(value + salt)` vs `crypto.hash` |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.rawPerSec).toLocaleString('en')} | ${Math.round(r.classicPerSec).toLocaleString('en')} | ${Math.round(r.psoxyPerSec).toLocaleString('en')} | **${fmt(r.ratio)}** | ${fmt(r.classicRatio)} | ${fmt(r.saltedRatio)} |`,
    ),
  ].join('\n');
  console.log(`\nPseudonymizer (budget: >= 0.8 of raw)\n${table}`);
  recordSection(
    results,
    'pseudonymize',
    `## Pseudonymizer: pseudonyms per second\n\n${date}, ${machine()}. 200 000 distinct values, medians of 21 interleaved runs; ratio: median over the runs of psoxy rate / raw SHA-256 rate of the same strings (measured back to back), against the fastest raw call (one-shot \`crypto.hash\`, base64url) and the classic \`createHash().digest()\`. A pseudonym also appends the salt, prefixes \`t~\` and, for emails, recognizes and canonicalizes the address (RFC 2822) and keeps the domain. The last column is the floor for any pseudonymizer that matches Psoxy's: the same strings with the salt appended, hashed and nothing more. Budget >= 0.8.\n\n${table}`,
  );
}

if (!only || only === 'proxy') {
  const rows = await benchProxy();
  const ms = (x) => `${x.toFixed(2)} ms`;
  const us = (x) => `${Math.round(x)} µs`;
  const table = [
    '| response | clients | direct p50 / p99 | proxied p50 / p99 | **p50 added** | direct req/s | proxied req/s | **throughput ratio** | CPU per request: direct (client + source) | proxied (client + source + **proxy**) | bare forwarding proxy: p50 added, req/s (ratio), CPU per request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.size === '10k' ? '10 KB' : '1 MB'} (${(r.bytes / 1024).toFixed(0)} KiB) | ${r.concurrency} | ${ms(r.direct.p50)} / ${ms(r.direct.p99)} | ${ms(r.proxied.p50)} / ${ms(r.proxied.p99)} | **${ms(r.proxied.p50 - r.direct.p50)}** | ${Math.round(r.direct.rps)} | ${Math.round(r.proxied.rps)} | **${fmt(r.proxied.rps / r.direct.rps)}** | ${us(r.direct.cpu.client)} + ${us(r.direct.cpu.source)} | ${us(r.proxied.cpu.client)} + ${us(r.proxied.cpu.source)} + **${us(r.proxied.cpu.proxy)}** | ${ms(r.forwarded.p50 - r.direct.p50)}, ${Math.round(r.forwarded.rps)} (${fmt(r.forwarded.rps / r.direct.rps)}), ${us(r.forwarded.cpu.proxy)} |`,
    ),
  ].join('\n');
  console.log(`\nProxy overhead (budget at 10 KB: p50 added <= 2 ms, throughput >= 0.5 of direct)\n${table}`);
  recordSection(
    results,
    'proxy',
    `## Proxy: overhead over calling the source directly\n\n${date}, ${machine()}. A loopback source (Node http) serving calendar pages, called directly and through \`psoxy\` (gcal rules: redactions, deep-scan pseudonymization, regexes) from a keep-alive client; source, proxy and clients each in their own process (on 2 cores). Alternating rounds; p50/p99 of the better round; CPU time per request of each process (the least of the rounds). The last column is the reference for any proxy: a bare Node http proxy (keep-alive client, body read whole, no parsing or rules) between the same client and source, in the same rounds. Budget at 10 KB: p50 added <= 2 ms, throughput >= 0.5 of direct.\n\n${table}`,
  );
}

if (!only || only === 'bulk') {
  // `pnpm bench bulk 100` for the 100 MB file only
  const sizes = process.argv[3] ? process.argv.slice(3).map(Number) : [100, 1024];
  const rows = await benchBulk(here, sizes);
  const mbps = (bytes, ms) => `${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(1)} MB/s`;
  const table = [
    '| file | csv-parse -> csv-stringify | psoxy sanitize | **ratio** | peak RSS baseline | **peak RSS psoxy** |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${(r.bytes / 1024 / 1024).toFixed(0)} MB, ${r.runs} run(s) | ${(r.baselineMs / 1000).toFixed(1)} s (${mbps(r.bytes, r.baselineMs)}) | ${(r.psoxyMs / 1000).toFixed(1)} s (${mbps(r.bytes, r.psoxyMs)}) | **${fmt(r.ratio)}** | ${r.baselineRss.toFixed(0)} MB | **${r.psoxyRss.toFixed(0)} MB** |`,
    ),
  ].join('\n');
  console.log(`\nBulk CSV (budget: ratio <= 2.0, peak RSS <= 256 MB)\n${table}`);
  recordSection(
    results,
    'bulk',
    `## Bulk: sanitizing a CSV file\n\n${date}, ${machine()}. Generated HRIS export, 10 columns: \`employee_id\` and \`email\` pseudonymized (unique per row, so every row costs two salted SHA-256), \`full_name\` redacted, CSV quoting in some cells; rows shuffled in chunks of 500 as in production. Each run is a fresh process reading from and writing to disk; ratio = psoxy time / (csv-parse -> csv-stringify of the same file), median of alternating runs. Budget: ratio <= 2.0, peak RSS <= 256 MB.\n\n${table}`,
  );
}

if (!only || only === 'bundle') {
  // `pnpm bench bundle zoom asana` for some connectors; PSOXY_BENCH_PROFILE_DIR=<dir> keeps CPU profiles
  const rows = await benchBundles({ ids: process.argv.slice(3), profileDir: process.env.PSOXY_BENCH_PROFILE_DIR });
  const ms = (x) => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(0)} ms`);
  const table = [
    '| connector | zip | code loaded at start | GCP zip | Node started | bare handler: first response | bundle loaded | **bundle: first response** | ratio to bare | first status |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.id} | **${(r.zipBytes / 1024).toFixed(0)} KiB** | ${(r.entryBytes / 1024).toFixed(0)} KiB | ${(r.gcpZipBytes / 1024).toFixed(0)} KiB | ${ms(r.cold.started)} | ${ms(r.bare.first)} | ${ms(r.cold.loaded)} | **${ms(r.cold.first)}** | ${fmt(r.cold.first / r.bare.first)} | ${r.cold.status} |`,
    ),
  ].join('\n');
  const failed = rows.filter((r) => r.cold.status !== 200).map((r) => `- ${r.id}: ${r.cold.status} ${r.cold.body}`);
  console.log(`\nBundles and cold start (budget: <= 1.5 MB zipped, <= 250 ms to the first response)\n${table}${failed.length ? `\n${failed.join('\n')}` : ''}`);
  recordSection(
    results,
    'bundle',
    `## Bundles: size and cold start (AWS; GCP zip sizes beside)\n\n${date}, ${machine()}. \`psoxy bundle --host aws\` for each connector; each zip is unpacked and loaded in a fresh Node process, which is handed one Function URL event (the connector's first example call) and times, from its own start (\`performance.now()\`), when the module was loaded and when the first response was ready: the auth dance (token endpoint, SSM reads and write-back) against loopback HTTPS fakes included. The baseline is a bare handler (fetch the same source over HTTPS, return the body) loaded the same way, started alternately with each bundle; medians of 7 of each. Budget: <= 1.5 MB zipped, <= 250 ms to the first response.\n\n${table}${failed.length ? `\n\nNot 200:\n${failed.join('\n')}` : ''}`,
  );
}
