import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer } from '@psoxy/core';
import { BIN, psoxy } from './helpers.js';

const dir = () => mkdtempSync(join(tmpdir(), 'psoxy-cli-bulk-'));
const p = new Pseudonymizer({ salt: 'salt' });
const HRIS = 'EMPLOYEE_ID,EMAIL,DEPARTMENT\r\n1,alice@company.com,Engineering\r\n2,bob@company.com,"Sales, EMEA"\r\n';
const LOOKUP_RULES = 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [EMPLOYEE_ID]\ncolumnsToDuplicate: {EMPLOYEE_ID: EMPLOYEE_ID_ORIG}\ncolumnsToRedact: [EMAIL]\n';

describe('psoxy pseudonymize', () => {
  const d = dir();
  writeFileSync(join(d, 'hris.csv'), HRIS);
  writeFileSync(join(d, 'lookup.yaml'), LOOKUP_RULES);

  it('writes the sanitized file to stdout and exits 0', () => {
    const r = psoxy(['pseudonymize', '--rules', join(d, 'lookup.yaml'), '--salt', 'salt', '--no-shuffle', join(d, 'hris.csv')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`EMPLOYEE_ID,DEPARTMENT,EMPLOYEE_ID_ORIG\r\n${p.pseudonymToken('1')},Engineering,1\r\n${p.pseudonymToken('2')},"Sales, EMEA",2\r\n`);
  });

  it('takes the salt from PSOXY_SALT, stdin for -, and the shortcut flags', () => {
    const r = psoxy(['pseudonymize', '--pseudonymize', 'EMAIL', '--redact', 'DEPARTMENT', '--format', 'URL_SAFE_TOKEN', '--no-shuffle', '-'], { input: HRIS, env: { PSOXY_SALT: 'salt' } });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[1]).toBe(`1,${p.pseudonymToken('alice@company.com')}`);
  });

  it('writes gzip with -o name.gz, reads gzip input', () => {
    writeFileSync(join(d, 'in.csv.gz'), gzipSync(HRIS));
    const out = join(d, 'out.csv.gz');
    const r = psoxy(['pseudonymize', '--rules', join(d, 'lookup.yaml'), '--salt', 'salt', join(d, 'in.csv.gz'), '-o', out]);
    expect(r.code).toBe(0);
    const lines = gunzipSync(readFileSync(out)).toString().split('\r\n');
    expect(lines[0]).toBe('EMPLOYEE_ID,DEPARTMENT,EMPLOYEE_ID_ORIG');
    expect(lines.slice(1, 3).sort()).toEqual([`${p.pseudonymToken('1')},Engineering,1`, `${p.pseudonymToken('2')},"Sales, EMEA",2`].sort());
  });

  it('selects multi-type rules by --object-path (default: the file name)', () => {
    writeFileSync(join(d, 'multi.yaml'), 'fileRules:\n  /exports/{day}/users.ndjson:\n    format: NDJSON\n    transforms: [{pseudonymize: $.email}]\n');
    writeFileSync(join(d, 'users.ndjson'), '{"email":"alice@company.com"}\n');
    const ok = psoxy(['pseudonymize', '--rules', join(d, 'multi.yaml'), '--salt', 'salt', '--object-path', 'exports/2024-01-01/users.ndjson', join(d, 'users.ndjson')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`{"email":"${p.pseudonymToken('alice@company.com')}"}\n`);
    const none = psoxy(['pseudonymize', '--rules', join(d, 'multi.yaml'), '--salt', 'salt', join(d, 'users.ndjson')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: invalid input: users\.ndjson: no applicable rules/);
  });

  it('fails with the file and line, exit 2, and writes nothing', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},u${i}@company.com,Eng`).join('\n');
    writeFileSync(join(d, 'bad.csv'), `EMPLOYEE_ID,EMAIL,DEPARTMENT\n${rows}\n"unclosed,x,y\n`);
    const out = join(d, 'never.csv');
    const r = psoxy(['pseudonymize', '--rules', join(d, 'lookup.yaml'), '--salt', 'salt', join(d, 'bad.csv'), '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid input: bad\.csv:3002: malformed CSV: the file ends inside a quoted value/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(d).filter((f) => f.includes('psoxy'))).toEqual([]);
    const toStdout = psoxy(['pseudonymize', '--rules', join(d, 'lookup.yaml'), '--salt', 'salt', join(d, 'bad.csv')]);
    expect(toStdout.code).toBe(2);
    expect(toStdout.stdout).toBe('');
  });

  it.each([
    [['--salt', 's'], /no rules given/],
    [['--rules', 'nope.yaml', '--salt', 's'], /file not found: nope\.yaml/],
    [['--pseudonymize', 'a'], /a salt is required/],
    [['--pseudonymize', 'a', '--salt', 's', '--object-path', 'x.ndjson'], /name CSV columns/],
    // a list naming no column would pass the file through as it is
    [['--pseudonymize', ',', '--salt', 's'], /name no column/],
    [['--connector', 'slack-discovery-api', '--format', 'JSON', '--salt', 's'], /--format=JSON cannot also be provided when using --connector/],
    [['--pseudonymize', 'email', '--salt', 's', '-o', join(tmpdir(), 'psoxy-no-such-dir', 'out.csv')], /file not found: .*psoxy-no-such-dir\/out\.csv \(check the path/],
  ])('explains a usage mistake: %j', (args, re) => {
    const r = psoxy(['pseudonymize', ...args, join(d, 'hris.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
  });

  it('refuses to write over its input', () => {
    const d = dir();
    writeFileSync(join(d, 'hris.csv'), HRIS);
    const r = psoxy(['pseudonymize', '--pseudonymize', 'EMAIL', '--salt', 's', join(d, 'hris.csv'), '-o', join(d, 'hris.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the input file: write the sanitized file elsewhere/);
    expect(readFileSync(join(d, 'hris.csv'), 'utf8')).toBe(HRIS);
  });

  it('refuses invalid rules with their location', () => {
    writeFileSync(join(d, 'broken.yaml'), 'columnsToPseudonymize: [a]\ncolumnsToRedct: [b]\n');
    const r = psoxy(['pseudonymize', '--rules', join(d, 'broken.yaml'), '--salt', 's', join(d, 'hris.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid rules: .*broken\.yaml.*columnsToRedct/);
  });
});

describe('psoxy bulk', () => {
  it('sanitizes every file of a folder, with a lookup table beside it', () => {
    const d = dir();
    mkdirSync(join(d, 'in/hris'), { recursive: true });
    writeFileSync(join(d, 'in/hris/2024-01.csv'), HRIS);
    writeFileSync(join(d, 'rules.yaml'), 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [EMPLOYEE_ID, EMAIL]\n');
    writeFileSync(join(d, 'extra.yaml'), `- destinationBucketName: ${join(d, 'lookup')}\n  rules:\n${LOOKUP_RULES.replace(/^/gm, '    ')}`);
    const r = psoxy(['bulk', '--rules', join(d, 'rules.yaml'), '--additional-transforms', join(d, 'extra.yaml'), '-i', join(d, 'in'), '-o', join(d, 'out'), '--salt', 'salt', '--no-shuffle']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sanitized hris\/2024-01\.csv -> .*out\/hris\/2024-01\.csv, .*lookup\/hris\/2024-01\.csv/);
    expect(readFileSync(join(d, 'out/hris/2024-01.csv'), 'utf8').split('\r\n')[1]).toBe(`${p.pseudonymToken('1')},${p.pseudonymToken('alice@company.com')},Engineering`);
    expect(readFileSync(join(d, 'lookup/hris/2024-01.csv'), 'utf8').split('\r\n')[1]).toBe(`${p.pseudonymToken('1')},Engineering,1`);
  });

  it('refuses two transforms writing the same files (the lookup table would replace the sanitized file)', () => {
    const d = dir();
    mkdirSync(join(d, 'in'));
    writeFileSync(join(d, 'in/a.csv'), HRIS);
    writeFileSync(join(d, 'rules.yaml'), 'columnsToPseudonymize: [EMAIL]\n');
    writeFileSync(join(d, 'extra.yaml'), `- destinationBucketName: ${join(d, 'out')}\n  rules:\n${LOOKUP_RULES.replace(/^/gm, '    ')}`);
    const r = psoxy(['bulk', '--rules', join(d, 'rules.yaml'), '--additional-transforms', join(d, 'extra.yaml'), '-i', join(d, 'in'), '-o', join(d, 'out'), '--salt', 'salt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/two transforms write to .*out: one output would overwrite the other/);
    expect(existsSync(join(d, 'out/a.csv'))).toBe(false);
  });

  it('reports a bad file, writes nothing for it, exits 2; refuses output inside input', () => {
    const d = dir();
    mkdirSync(join(d, 'in'));
    writeFileSync(join(d, 'in/good.csv'), HRIS);
    writeFileSync(join(d, 'in/bad.csv'), 'EMPLOYEE_ID,EMAIL\n1\n');
    writeFileSync(join(d, 'rules.yaml'), 'columnsToPseudonymize: [EMAIL]\n');
    const r = psoxy(['bulk', '--rules', join(d, 'rules.yaml'), '-i', join(d, 'in'), '-o', join(d, 'out'), '--salt', 'salt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/failed bad\.csv: invalid input: bad\.csv:2: the row has 1 values/);
    expect(readdirSync(join(d, 'out'))).toEqual(['good.csv']);
    const inside = psoxy(['bulk', '--rules', join(d, 'rules.yaml'), '-i', join(d, 'in'), '-o', join(d, 'in/out'), '--salt', 'salt']);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/must not be the input folder or inside it/);
  });

  it('--watch sanitizes files as they arrive and stops on SIGINT', async () => {
    const d = dir();
    mkdirSync(join(d, 'in'));
    writeFileSync(join(d, 'rules.yaml'), 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [EMAIL]\n');
    const child = spawn(process.execPath, [BIN, 'bulk', '--rules', join(d, 'rules.yaml'), '-i', join(d, 'in'), '-o', join(d, 'out'), '--watch', '--interval', '50'], {
      env: { ...process.env, PSOXY_SALT: 'salt' },
    });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/watching/);
      writeFileSync(join(d, 'in/new.csv'), 'EMAIL\nalice@company.com\n');
      await expect.poll(() => existsSync(join(d, 'out/new.csv')), { timeout: 10_000 }).toBe(true);
      expect(readFileSync(join(d, 'out/new.csv'), 'utf8')).toBe(`EMAIL\n${p.pseudonymToken('alice@company.com')}\n`);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/stopping/);
  });
});

describe('psoxy pseudonymize --connector', () => {
  it("uses a connector's bulk rules (Slack's discovery export)", () => {
    const d = dir();
    mkdirSync(join(d, 'export-2024-W10'));
    writeFileSync(join(d, 'export-2024-W10/users.ndjson.gz'), gzipSync('{"id":"U01","name":"ada","profile":{"email":"ada@acme.example"}}\n'));
    const r = psoxy(['pseudonymize', '--connector', 'slack-discovery-api', '--object-path', 'export-2024-W10/users.ndjson.gz', '--salt', 'salt', join(d, 'export-2024-W10/users.ndjson.gz')]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ id: 'U01', name: null, profile: { email: p.pseudonymToken('ada@acme.example') } });
    const none = psoxy(['pseudonymize', '--connector', 'gcal', '--salt', 'salt', join(d, 'export-2024-W10/users.ndjson.gz')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/connector 'gcal' has no bulk rules/);
  });
});
