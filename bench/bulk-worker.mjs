// One bulk benchmark run in a fresh process, so that its peak RSS is its own. Prints JSON.
//   node bulk-worker.mjs baseline <in.csv> <out.csv>   csv-parse -> csv-stringify
//   node bulk-worker.mjs psoxy <in.csv> <out.csv> <rules.yaml>   psoxy bulk sanitizing
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pseudonymizer, loadBulkRules, sanitizeBulk } from '@psoxy/core';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

const [mode, input, output, rulesFile] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
if (mode === 'baseline') {
  await pipeline(createReadStream(input), parse(), stringify(), createWriteStream(output));
} else {
  const rules = loadBulkRules(readFileSync(rulesFile, 'utf8'), { source: rulesFile });
  const pseudonymizer = new Pseudonymizer({ salt: 'bench-salt' });
  const text = sanitizeBulk(createReadStream(input), { rules, objectPath: input, pseudonymizer });
  await pipeline(
    Readable.from((async function* () {
      for await (const s of text) yield Buffer.from(s, 'utf8');
    })()),
    createWriteStream(output),
  );
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
