import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import {
  InProcessLease,
  MemorySecretStore,
  Pseudonymizer,
  compileRestRules,
  createProxy,
  decodeUtf8,
  loadRestRules,
  nodeHttpClient,
  parseJson,
  serveNode,
  streamLogger,
  writeJsonPretty,
} from '@psoxy/core';
import { PsoxyCommand } from '../lib/base.js';
import { EXAMPLES, startSampleUpstream } from '../lib/sample-upstream.js';

const DEMO_SALT = 'psoxy-demo-salt';
const DEMO_KEY = 'psoxy-demo-key';

export default class Demo extends PsoxyCommand {
  static override summary = 'Run the proxy on this machine in front of a sample source, and show what it does.';

  static override description = `Starts a sample source (a small Google Calendar and Admin directory, data written for this demo) and the proxy in front of it, on 127.0.0.1, with a bundled rule file in Psoxy's YAML dialect. Then makes a few calls as an analytics vendor would: a sanitized call shown beside what the source returned, a call with a reversible pseudonym that the proxy decrypts, a call the rules block, and a health check. Then it keeps serving and prints how to call it, until Ctrl-C (or exits at once with --once).

No network, no cloud and no real secrets: the demo's salt and key are public and for this demo only.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --once', '<%= config.bin %> <%= command.id %> --port 8080'];

  static override flags = {
    once: Flags.boolean({ description: 'Show the calls and exit instead of serving.', default: false }),
    port: Flags.integer({ char: 'p', description: 'Port for the proxy (0: any free port).', default: 0, min: 0, max: 65535 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const out = (s = '') => process.stdout.write(`${s}\n`);
    const rule = (title: string) => out(`\n── ${title} ${'─'.repeat(Math.max(0, 76 - title.length))}`);
    const pretty = (text: string) => {
      try {
        return writeJsonPretty(parseJson(text));
      } catch {
        return text;
      }
    };
    const sideBySide = (leftTitle: string, left: string, rightTitle: string, right: string) => {
      const l = left.split('\n');
      const r = right.split('\n');
      const width = process.stdout.columns ?? 0;
      if (width >= 150) {
        const col = Math.floor((width - 3) / 2);
        const fit = (s: string) => (s.length > col ? `${s.slice(0, col - 1)}…` : s.padEnd(col));
        out(`${fit(leftTitle)} │ ${rightTitle}`);
        for (let i = 0; i < Math.max(l.length, r.length); i++) out(`${fit(l[i] ?? '')} │ ${r[i] ?? ''}`);
      } else {
        out(`${leftTitle}:`);
        out(left);
        out(`\n${rightTitle}:`);
        out(right);
      }
    };

    const upstream = await startSampleUpstream();
    const rulesText = decodeUtf8(await readFile(new URL('demo-rules.yaml', EXAMPLES)));
    const rules = compileRestRules(loadRestRules(rulesText, { source: 'demo-rules.yaml' }));
    const pseudonymizer = new Pseudonymizer({ salt: DEMO_SALT, encryptionKey: DEMO_KEY });
    const requestLog: string[] = [];
    let live = false; // once serving, log lines go to stderr as they come
    const handler = createProxy({
      rules,
      pseudonymizer,
      target: upstream.url,
      allowInsecureTarget: true,
      secrets: new MemorySecretStore({ PSOXY_SALT: DEMO_SALT, PSOXY_ENCRYPTION_KEY: DEMO_KEY }),
      lease: new InProcessLease(),
      http: nodeHttpClient(),
      source: 'demo (gcal + gdirectory)',
      log: streamLogger({ write: (line) => (live ? process.stderr.write(`${line}\n`) : requestLog.push(line)) }),
    });
    const proxy = await serveNode(handler, { port: flags.port });
    try {
      out('psoxy demo: an analytics vendor calls the proxy; the proxy calls the source and sanitizes.');
      out(`  sample source (stands in for Google's APIs): ${upstream.url}`);
      out(`  psoxy proxy:                                 ${proxy.url}`);
      out(`  rules: ${new URL('demo-rules.yaml', EXAMPLES).pathname} (${rules.endpoints.length} endpoints)`);
      out(`  salt: ${DEMO_SALT} (public, demo only); salt fingerprint ${pseudonymizer.saltFingerprint}`);

      const events = '/calendar/v3/calendars/primary/events?maxResults=2';
      rule(`GET ${events}`);
      const original = await (await fetch(`${upstream.url}${events}`)).text();
      const res = await fetch(`${proxy.url}${events}`);
      const sanitized = await res.text();
      sideBySide('the source returned', pretty(original), `psoxy returned (${res.status})`, pretty(sanitized));
      out('\nemails became t~ pseudonyms (domains kept), event ids t~ hashes, the page token a reversible');
      out('p~ token; titles were reduced to allowed words; descriptions, locations and names removed.');

      rule('GET /admin/directory/v1/users, then one user by its reversible pseudonym');
      const users = JSON.parse(await (await fetch(`${proxy.url}/admin/directory/v1/users`)).text()) as { users: { id: string; primaryEmail: string }[] };
      for (const u of users.users) out(`  id ${u.id}\n  primaryEmail ${u.primaryEmail}`);
      const first = users.users[0]?.id ?? '';
      const byToken = `/admin/directory/v1/users/${first}`;
      const one = await fetch(`${proxy.url}${byToken}`);
      out(`\nGET ${byToken.slice(0, 60)}… -> ${one.status}`);
      out(`the proxy decrypted the p~ token and asked the source for: ${upstream.requests.at(-1)}`);
      out(pretty(await one.text()));

      const blocked = '/calendar/v3/calendars/primary/acl';
      rule(`GET ${blocked}`);
      const b = await fetch(`${proxy.url}${blocked}`);
      out(`${b.status} ${b.statusText}; X-Psoxy-Error: ${b.headers.get('x-psoxy-error')}; body: ${JSON.stringify(await b.text())}`);
      out('(the rules allow no such endpoint: the source was never called)');
      const q = `${events}&q=salary`;
      const bq = await fetch(`${proxy.url}${q}`);
      out(`GET ${q} -> ${bq.status} (query parameter 'q' is not allowed)`);

      rule('health check (any request with X-Psoxy-Health-Check)');
      const health = await fetch(`${proxy.url}/`, { headers: { 'X-Psoxy-Health-Check': 'true' } });
      // the rules in effect come back as YAML: shown here by their size only
      const report = JSON.parse(await health.text()) as Record<string, unknown>;
      if (typeof report.rules === 'string') report.rules = `(the rules in effect: ${report.rules.trimEnd().split('\n').length} lines of YAML)`;
      out(`${health.status}: ${pretty(JSON.stringify(report))}`);

      rule('the proxy logged one line per request (never bodies or query values)');
      for (const line of requestLog) out(`  ${line}`);

      if (flags.once) return;
      rule('try it');
      out(`curl -s '${proxy.url}${events}'`);
      out(`curl -si '${proxy.url}${blocked}'`);
      out(`curl -s -H 'X-Psoxy-Health-Check: 1' '${proxy.url}/'`);
      out('\nserving until Ctrl-C ...');
      live = true;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    } finally {
      await proxy.close();
      await upstream.close();
    }
  }
}
