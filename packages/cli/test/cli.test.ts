import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { isJsonObject, jsonDiff, parseJson, parseJsonDocuments } from '@psoxy/core';
import { loadConformance, read } from '../../core/test/conformance.js';
import { EXAMPLES, psoxy, servePsoxy } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'psoxy-cli-'));
const rulesFile = join(EXAMPLES, 'demo-rules.yaml');
const eventsFile = join(EXAMPLES, 'calendar-events.json');
const eventsUrl = 'https://www.googleapis.com/calendar/v3/calendars/primary/events';

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/commands/sanitize.js', import.meta.url)))) {
    throw new Error('the CLI is not built: run `pnpm run build` (npm test does it for you)');
  }
});

describe('psoxy --help', () => {
  it('lists the commands', () => {
    const r = psoxy(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sanitize/);
    expect(r.stdout).toMatch(/demo/);
    expect(r.stdout).toMatch(/rules/);
  });

  it.each([['sanitize'], ['serve'], ['demo'], ['pseudonymize'], ['bulk'], ['connectors'], ['connectors', 'show'], ['rules', 'validate'], ['rules', 'schema']])('psoxy %s --help is complete', (...cmd) => {
    const r = psoxy([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/USAGE/);
    expect(r.stdout).toMatch(/DESCRIPTION/);
    expect(r.stdout).toMatch(/EXAMPLES/);
  });
});

describe('psoxy sanitize', () => {
  it('prints the sanitized body and exits 0', () => {
    const r = psoxy(['sanitize', '--rules', rulesFile, '--url', eventsUrl, '--salt', 's', '--encryption-key', 'k', eventsFile]);
    expect(r.code).toBe(0);
    const out = parseJson(r.stdout);
    expect(r.stdout).not.toMatch(/ada\.lovelace|Charles|Babbage|confidential/);
    expect(r.stdout).toContain('9007199254740993');
    expect(isJsonObject(out)).toBe(true);
  });

  it('takes the salt and key from PSOXY_SALT / PSOXY_ENCRYPTION_KEY and reads stdin with -', () => {
    const a = psoxy(['sanitize', '--rules', rulesFile, '--url', eventsUrl, '--salt', 's', '--encryption-key', 'k', eventsFile]);
    const b = psoxy(['sanitize', '--rules', rulesFile, '--url', eventsUrl, '-'], {
      input: read0(eventsFile),
      env: { PSOXY_SALT: 's', PSOXY_ENCRYPTION_KEY: 'k' },
    });
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('takes EMAIL_DOMAIN_HANDLING / EMAIL_CANONICALIZATION in any case, as Psoxy, and names a bad value', () => {
    const args = ['sanitize', '--rules', rulesFile, '--url', eventsUrl, '--salt', 's', '--encryption-key', 'k', eventsFile];
    const upper = psoxy([...args, '--email-domain-handling', 'TOKENIZE']);
    const lower = psoxy(args, { env: { EMAIL_DOMAIN_HANDLING: 'tokenize', EMAIL_CANONICALIZATION: 'strict' } });
    expect(lower.code, lower.stderr).toBe(0);
    expect(lower.stdout).toBe(upper.stdout);
    expect(lower.stdout).toMatch(/@h~/);
    const bad = psoxy([...args, '--email-domain-handling', 'hide']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--email-domain-handling \(EMAIL_DOMAIN_HANDLING\): 'hide' is not one of PRESERVE, TOKENIZE, ENCRYPT, REDACT/);
    expect(bad.stdout).toBe('');
  });

  it('exits 3 with "blocked: <why>" when the rules block the request', () => {
    const r = psoxy(['sanitize', '--rules', rulesFile, '--url', 'https://www.googleapis.com/calendar/v3/calendars/primary/acl', '--salt', 's', eventsFile]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^blocked: no endpoint rule allows GET \/calendar\/v3\/calendars\/primary\/acl/);
    const q = psoxy(['sanitize', '--rules', rulesFile, '--url', `${eventsUrl}?q=secret`, '--salt', 's', eventsFile]);
    expect(q.code).toBe(3);
    expect(q.stderr).toMatch(/^blocked: query parameter 'q' is not allowed/);
  });

  it.each([
    ['invalid JSON input', ['{"items": ['], /invalid input: response is not valid JSON: invalid JSON at line 1/],
    ['a missing salt', null, /a salt is required: pass --salt/],
  ])('exits 2 on %s, without a stack trace', (_what, input, message) => {
    const args = ['sanitize', '--rules', rulesFile, '--url', eventsUrl];
    const r = input ? psoxy([...args, '--salt', 's', '-'], { input: input[0] }) : psoxy([...args, eventsFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on invalid rules, naming the location', () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'endpoints:\n  - pathTemplate: /x\n    transforms:\n      - !<pseudonymize>\n        jsonPath: ["$.a"]\n');
    const r = psoxy(['sanitize', '--rules', bad, '--url', 'https://h/x', '--salt', 's', eventsFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid rules: .*bad\.yaml:\d+:\d+ endpoints\[0\] \(\/x\) > transforms\[0\] \(pseudonymize\): unknown property 'jsonPath'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a missing file, a missing flag or an unknown flag', () => {
    expect(psoxy(['sanitize', '--rules', join(tmp, 'nope.yaml'), '--url', eventsUrl, '--salt', 's', eventsFile])).toMatchObject({ code: 2 });
    const missing = psoxy(['sanitize', '--url', eventsUrl]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Exactly one of the following must be provided: --connector, --rules/);
    const unknown = psoxy(['sanitize', '--rules', rulesFile, '--url', eventsUrl, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Nonexistent flag: --bogus/);
  });

  it('fails closed when a transform cannot be applied: nothing on stdout', () => {
    const rules = join(tmp, 'rev.yaml');
    writeFileSync(rules, 'endpoints:\n  - pathTemplate: /x\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.a"]\n        includeReversible: true\n');
    const r = psoxy(['sanitize', '--rules', rules, '--url', 'https://h/x', '--salt', 's', '-'], { input: '{"a":"secret","b":1}' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/PSOXY_ENCRYPTION_KEY/);
  });
});

describe('psoxy rules', () => {
  it('validate summarizes a valid file and rejects an invalid one', () => {
    const ok = psoxy(['rules', 'validate', rulesFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok: 4 endpoint\(s\)/);
    const bad = join(tmp, 'bad2.yaml');
    writeFileSync(bad, 'endpoints:\n  - pathRegex: "[a-z&&[^e]]"\n');
    const r = psoxy(['rules', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/intersection/);
  });

  it('validate checks bulk rules too: each rule set compiled and summarized, the first problem located', () => {
    const multi = join(tmp, 'bulk-multi.yaml');
    writeFileSync(
      multi,
      [
        'fileRules:',
        '  /export/{file}.csv:',
        '    columnsToPseudonymize: [EMAIL]',
        '    columnsToRedact: [NAME]',
        '  /export/{file}.ndjson:',
        '    format: NDJSON',
        '    transforms:',
        '      - pseudonymize: "$.user.email"',
        '',
      ].join('\n'),
    );
    const ok = psoxy(['rules', 'validate', multi]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('fileRules > /export/{file}.csv: CSV columns: pseudonymize EMAIL; redact NAME (pseudonyms as JSON)');
    expect(ok.stdout).toContain('fileRules > /export/{file}.ndjson: records (NDJSON): pseudonymize');
    expect(ok.stdout).toMatch(/ok: bulk rules, 2 rule set\(s\)/);
    const bad = join(tmp, 'bulk-bad.yaml');
    writeFileSync(bad, 'fileRules:\n  /x/{f}.ndjson:\n    format: NDJSON\n    transforms:\n      - redact: "$.a["\n');
    const r = psoxy(['rules', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bulk-bad\.yaml fileRules > \/x\/\{f\}\.ndjson > transforms\[0\] \(redact\)/);
    const regex = join(tmp, 'bulk-regex.yaml');
    writeFileSync(regex, 'fieldsToTransform:\n  OUT:\n    newName: OUT\n    sourceColumn: IN\n    transforms:\n      - filter: "[a-z&&[^e]]"\n');
    const rr = psoxy(['rules', 'validate', regex]);
    expect(rr.code).toBe(2);
    expect(rr.stderr).toMatch(/fieldsToTransform > OUT > transforms\[0\].*intersection/);
  });

  it('schema prints a JSON Schema', () => {
    const r = psoxy(['rules', 'schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).$schema).toMatch(/draft-07/);
  });
});

describe('psoxy demo', () => {
  it('runs the proxy before a sample source and shows a sanitized call, a blocked call and a health check', () => {
    const r = psoxy(['demo', '--once']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the source returned/);
    expect(r.stdout).toMatch(/psoxy returned \(200\)/);
    expect(r.stdout).toMatch(/403 Forbidden; X-Psoxy-Error: BLOCKED_BY_RULES/);
    expect(r.stdout).toMatch(/asked the source for: GET \/admin\/directory\/v1\/users\/108234567890123456789/);
    expect(r.stdout).toMatch(/200: \{\n {2}"bundleFilename":null,\n {2}"callerIp":"127\.0\.0\.1"/);
    expect(r.stdout).toMatch(/"rules":"\(the rules in effect: \d+ lines of YAML\)"/);
    // what the vendor got holds no identity from the source
    const sanitized = r.stdout.split('psoxy returned (200):')[1]?.split('──')[0] ?? '';
    expect(sanitized).not.toMatch(/lovelace|babbage|hopper|confidential|Room 4/i);
  });
});

const conformance = loadConformance();
describe.skipIf(!conformance)('psoxy sanitize reproduces the Psoxy conformance cases', () => {
  const c = conformance as NonNullable<typeof conformance>;
  // One case per suite through the real binary (the engine runs all of them in @psoxy/core's tests).
  const perSuite = [...new Map((conformance?.cases ?? []).map((x) => [x.suite, x])).values()];
  it.each(perSuite.map((x) => [x.suite, x] as const))('%s', (_suite, x) => {
    const r = psoxy(['sanitize', '--rules', `${c.dir}${x.rules}`, '--url', x.url, '--method', x.method, `${c.dir}${x.original}`], {
      env: { PSOXY_SALT: c.salt, PSOXY_ENCRYPTION_KEY: c.encryptionKey },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = parseJsonDocuments(r.stdout)[0] ?? null;
    const diff = jsonDiff(got, parseJson(read(c, x.expected)));
    expect(diff, diff).toBeUndefined();
  });
});

function read0(file: string): string {
  return spawnSync('cat', [file], { encoding: 'utf8' }).stdout;
}

/** A source on 127.0.0.1 answering every call with a one-event calendar page. */
async function calendarUpstream() {
  const { createServer } = await import('node:http');
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'calendar#events', items: [{ id: 'e1', creator: { email: 'ada@example.org' } }] }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  return { upstream, port: (upstream.address() as { port: number }).port };
}

describe('psoxy serve', () => {
  it('serves a Psoxy rule file in front of a target, logs one line per request, and stops on SIGINT', async () => {
    const { upstream, port } = await calendarUpstream();
    const served = await servePsoxy(['serve', '--rules', rulesFile, '--target', `http://127.0.0.1:${port}`, '--allow-http-target', '--port', '0', '--salt', 's', '--encryption-key', 'k']);
    try {
      const url = served.url;
      const res = await fetch(`${url}/calendar/v3/calendars/primary/events?maxResults=1`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toContain('ada@example.org');
      expect((await fetch(`${url}/calendar/v3/calendars/primary/acl`)).status).toBe(403);
      expect(await served.stop()).toBe(0);
      expect(served.stdout()).toMatch(/stopping/);
      const stderr = served.stderr();
      const lines = stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^GET \/calendar\/v3\/calendars\/primary\/events 200 ms=\d+$/);
      expect(lines[1]).toMatch(/^GET \/calendar\/v3\/calendars\/primary\/acl 403 ms=\d+ error=BLOCKED_BY_RULES/);
      expect(stderr).not.toMatch(/maxResults|ada@|\bs\b=/);
    } finally {
      served.kill();
      upstream.close();
      upstream.closeAllConnections();
    }
  });

  it('writes side outputs and asynchronous results to local folders, and processes what it queued before it stops', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { gunzipSync } = await import('node:zlib');
    const { upstream, port } = await calendarUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'psoxy-outputs-'));
    const served = await servePsoxy([
      'serve', '--rules', rulesFile, '--target', `http://127.0.0.1:${port}`, '--allow-http-target', '--port', '0', '--salt', 's',
      '--async-output', join(dir, 'async'), '--side-output-sanitized', `file://${join(dir, 'sanitized')}`,
    ]);
    try {
      const res = await fetch(`${served.url}/calendar/v3/calendars/primary/events?maxResults=1`, { headers: { prefer: 'respond-async' } });
      expect(res.status).toBe(202);
      const { asyncOutputLocation } = (await res.json()) as { asyncOutputLocation: string };
      expect(asyncOutputLocation).toMatch(/^file:\/\/.*\/async\/\d{8}\/[\w-]+$/);
      expect(await served.stop()).toBe(0);
      const result = gunzipSync(readFileSync(fileURLToPath(asyncOutputLocation))).toString();
      expect(result).toContain('"kind":"calendar#events"');
      expect(result).not.toContain('ada@example.org');
      expect(JSON.parse(readFileSync(`${fileURLToPath(asyncOutputLocation)}.metadata.json`, 'utf8'))).toMatchObject({ contentEncoding: 'gzip', metadata: { HTTP_METHOD: 'GET' } });
      // the processing's answer was copied to the sanitized side output too
      const [day] = readdirSync(join(dir, 'sanitized'));
      expect(readdirSync(join(dir, 'sanitized', day as string)).filter((f) => !f.endsWith('.json'))).toHaveLength(1);
    } finally {
      served.kill();
      upstream.close();
      upstream.closeAllConnections();
    }
    const bucket = psoxy(['serve', '--rules', rulesFile, '--target', 'https://www.googleapis.com', '--salt', 's', '--port', '0', '--side-output-original', 's3://bucket/']);
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toMatch(/SIDE_OUTPUT_ORIGINAL=s3:\/\/bucket\/: this host writes outputs to local folders/);
  });

  it('explains a missing target, an http target and an unknown connector', () => {
    expect(psoxy(['serve', '--rules', rulesFile, '--salt', 's']).stderr).toMatch(/no target: pass --target <base-url> or set TARGET_HOST/);
    expect(psoxy(['serve', '--rules', rulesFile, '--salt', 's', '--target', 'http://127.0.0.1:1']).stderr).toMatch(/pass --allow-http-target/);
    const c = psoxy(['serve', '--connector', 'nope', '--salt', 's']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/unknown connector 'nope'/);
    const salt = psoxy(['serve', '--rules', rulesFile, '--target', 'https://www.googleapis.com']);
    expect(salt.code).toBe(2);
    expect(salt.stderr).toMatch(/PSOXY_SALT is not set/);
    // a scheme other than https, and credentials in the URL (never echoed)
    expect(psoxy(['serve', '--rules', rulesFile, '--salt', 's', '--target', 'ftp://files.example']).stderr).toMatch(/--target ftp:\/\/files\.example is a ftp:\/\/ URL/);
    const creds = psoxy(['serve', '--rules', rulesFile, '--salt', 's', '--target', 'https://user:hunter2@api.example']);
    expect(creds.code).toBe(2);
    expect(creds.stderr).not.toContain('hunter2');
  });

  it('stops at the start when the source\'s credentials are missing, or the --secrets file is', () => {
    const missing = psoxy(['serve', '--connector', 'gcal', '--salt', 's', '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the source's credentials are missing: SERVICE_ACCOUNT_KEY; set them as environment variables \(<NAME> or PSOXY_GCAL_<NAME>\) or in --secrets <file>/);
    const file = psoxy(['serve', '--rules', rulesFile, '--target', 'https://www.googleapis.com', '--salt', 's', '--secrets', 'no-such-secrets.json', '--port', '0']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/--secrets no-such-secrets\.json: no such file/);
  });
});
