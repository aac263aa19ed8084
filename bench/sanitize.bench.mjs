// Sanitize time / (JSON.parse + JSON.stringify) time of the same bytes, for large realistic
// responses with their rules; and the engine's own phases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pseudonymizer, compileRestRules, loadRestRules, parseJsonDocumentsAuto, writeJsonNative } from '@psoxy/core';
import { medianRatio, timeInterleaved } from './lib.mjs';

const SCENARIOS = [
  { name: 'calendar events page', file: 'calendar-events.json', rules: 'gcal.yaml', url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events' },
  { name: 'GitHub pulls list', file: 'github-pulls.json', rules: 'github.yaml', url: 'https://api.github.com/repos/acme-corp/platform/pulls?per_page=100' },
  { name: 'directory users page', file: 'directory-users.json', rules: 'gdirectory.yaml', url: 'https://admin.googleapis.com/admin/directory/v1/users?customer=my_customer' },
];

export function benchSanitize(here, { runs = 15 } = {}) {
  const pseudonymizer = new Pseudonymizer({ salt: 'bench-salt', encryptionKey: 'bench-key' });
  const rows = [];
  for (const s of SCENARIOS) {
    const text = readFileSync(join(here, '.data', s.file), 'utf8');
    const rules = compileRestRules(loadRestRules(readFileSync(join(here, 'rules', s.rules), 'utf8')));
    const m = rules.match({ method: 'GET', url: s.url });
    if (!m.allowed || !m.endpoint) throw new Error(`bench rules do not allow ${s.url}`);
    const endpoint = m.endpoint;
    const ctx = { pseudonymizer };
    const t = timeInterleaved(
      {
        baseline: () => JSON.stringify(JSON.parse(text)),
        sanitize: () => rules.sanitize(endpoint, text, ctx),
        parse: () => parseJsonDocumentsAuto(text),
        write: () => writeJsonNative(parseJsonDocumentsAuto(text).docs[0], false),
      },
      { runs, samples: true },
    );
    rows.push({
      name: s.name,
      mb: text.length / 1024 / 1024,
      baseline: t.baseline,
      sanitize: t.sanitize,
      ratio: medianRatio(t.samples.sanitize, t.samples.baseline),
      parse: t.parse,
      write: t.write - t.parse,
    });
  }
  return rows;
}
