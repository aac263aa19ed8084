import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { Pseudonymizer, compileRestRules, decodeUtf8, loadRestRules, parseJson, sanitizeResponse, writeJsonPretty } from '@psoxy/core';
import { PsoxyCommand } from '../lib/base.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const RULES = new URL('calendar-rules.yaml', EXAMPLES);
const RESPONSE = new URL('calendar-events.json', EXAMPLES);
const ALLOWED_URL = 'https://www.googleapis.com/calendar/v3/calendars/primary/events?maxResults=2';
const BLOCKED_URL = 'https://www.googleapis.com/calendar/v3/calendars/primary/acl';

export default class Demo extends PsoxyCommand {
  static override summary = 'Show what psoxy does, on bundled example data (no network, no secrets).';

  static override description = `Sanitizes a bundled Google Calendar events page (data written for this demo) with a bundled rule file in Psoxy's YAML dialect, and shows the upstream's response beside what psoxy returns, plus a request the rules block.

The demo uses a fixed, public salt and encryption key: never use them for real data.`;

  static override examples = ['<%= config.bin %> <%= command.id %>'];

  static override flags = {
    salt: Flags.string({ description: 'Salt to use instead of the demo salt.', default: 'psoxy-demo-salt' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const rulesText = decodeUtf8(await readFile(RULES));
    const body = decodeUtf8(await readFile(RESPONSE));
    const rules = compileRestRules(loadRestRules(rulesText, { source: 'calendar-rules.yaml' }));
    const pseudonymizer = new Pseudonymizer({ salt: flags.salt, encryptionKey: 'psoxy-demo-key' });
    const out = (s = '') => process.stdout.write(`${s}\n`);
    const rule = (title: string) => out(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);

    out('psoxy demo: the upstream API response, and what the analytics vendor gets instead.');
    out(`rules:    ${RULES.pathname} (${rules.endpoints.length} endpoints)`);
    out(`salt:     ${flags.salt === 'psoxy-demo-salt' ? 'psoxy-demo-salt (demo only)' : '(given)'}; fingerprint ${pseudonymizer.saltFingerprint}`);

    rule(`GET ${ALLOWED_URL}`);
    const allowed = sanitizeResponse({ rules, pseudonymizer, url: ALLOWED_URL, body });
    if (allowed.blocked) throw new Error(`demo rules unexpectedly block ${ALLOWED_URL}: ${allowed.reason}`);
    const left = writeJsonPretty(parseJson(body)).split('\n');
    const right = writeJsonPretty(parseJson(allowed.body)).split('\n');
    const width = process.stdout.columns ?? 0;
    if (width >= 150) {
      const col = Math.floor((width - 3) / 2);
      const fit = (s: string) => (s.length > col ? `${s.slice(0, col - 1)}…` : s.padEnd(col));
      out(`${fit('upstream returned')} │ ${fit('psoxy returns (sanitized)')}`);
      for (let i = 0; i < Math.max(left.length, right.length); i++) out(`${fit(left[i] ?? '')} │ ${right[i] ?? ''}`);
    } else {
      out('upstream returned:');
      out(left.join('\n'));
      out('\npsoxy returns (sanitized):');
      out(right.join('\n'));
    }
    out(`\nmatched endpoint: ${allowed.endpoint}`);
    out('emails became t~ pseudonyms (domain kept), event ids t~ hashes, the page token a reversible p~ token;');
    out('titles were reduced to allowed words, descriptions, locations and names removed.');

    rule(`GET ${BLOCKED_URL}`);
    const blocked = sanitizeResponse({ rules, pseudonymizer, url: BLOCKED_URL, body });
    out(blocked.blocked ? `blocked (${blocked.status}): ${blocked.reason}` : 'unexpectedly allowed');
    out('\nTry it on your own data:');
    out('  psoxy sanitize --rules <rules.yaml> --url <url> --salt <salt> <response.json>');
  }
}
