import { describe, expect, it } from 'vitest';
import { BulkDataError, loadBulkRules, resolveRecordFormat, sanitizeResponse, compileRestRules, loadRestRules } from '../../src/index.js';
import { pseudonymizer, sanitizeText } from './helpers.js';

const RULES = 'format: NDJSON\ntransforms:\n  - redact: foo\n  - pseudonymize: bar\n';
const token = (v: string) => pseudonymizer.pseudonymToken(v) as string;

describe('record rules (spec 4.3)', () => {
  it('NDJSON: redact maps to null, pseudonymize to a URL-safe token (spec vector)', async () => {
    const out = await sanitizeText(RULES, '{"foo":"one","bar":2,"other":"three"}\n\n  {"foo":"x","bar":"alice@company.com"}  \n', { objectPath: 'example.ndjson' });
    expect(out).toBe(
      '{"foo":null,"bar":"t~-hN_i1M1DeMAicDVp6LhFgW9lH7r3_LbOpTlXYWpXVI","other":"three"}\n' +
        '{"foo":null,"bar":"t~0E6I_002nK2IJjv_KCUeFzIUo5rfuISgx7_g-EhfCxE@company.com"}\n',
    );
  });

  it('writes CSV records (spec vector): header from the first record, null empty', async () => {
    const out = await sanitizeText(RULES.replace('NDJSON', 'CSV'), 'foo,bar\na,2\nb,alice@company.com\n', { objectPath: 'example.csv' });
    expect(out).toBe('foo,bar\n,t~-hN_i1M1DeMAicDVp6LhFgW9lH7r3_LbOpTlXYWpXVI\n,t~0E6I_002nK2IJjv_KCUeFzIUo5rfuISgx7_g-EhfCxE@company.com\n');
  });

  it('JSON_ARRAY in and out, element by element, strings and nesting followed', async () => {
    const input = '  [ {"foo":"a, ]}","bar":"u1","n":[1,{"x":"]"}]},\n{"bar":"u2","esc":"q\\"],"} ]  ';
    const out = await sanitizeText(RULES.replace('NDJSON', 'JSON_ARRAY'), [input.slice(0, 17), input.slice(17, 40), input.slice(40)], { objectPath: 'a.json' });
    expect(out).toBe(`[{"foo":null,"bar":"${token('u1')}","n":[1,{"x":"]"}]},{"bar":"${token('u2')}","esc":"q\\"],"}]`);
    expect(await sanitizeText(RULES.replace('NDJSON', 'JSON_ARRAY'), '[]')).toBe('[]');
  });

  it('converts formats with an output format (BULK_OUTPUT_FORMAT)', async () => {
    const out = await sanitizeText(RULES, '{"bar":"u1","foo":"x"}\n', { objectPath: 'a.ndjson', outputFormat: 'JSON_ARRAY' });
    expect(out).toBe(`[{"bar":"${token('u1')}","foo":null}]`);
  });

  it('keeps what no rule touches exactly: big integers, doubles, key order, escapes', async () => {
    const line = '{"2":"b","1":"a","big":12345678901234567890,"d":1.0,"e":1E3,"u":"\\u001f\\u00e9","bar":"u"}';
    const out = await sanitizeText(RULES, `${line}\n`, { objectPath: 'a.ndjson' });
    expect(out).toBe(`${line.replace('"u"}', `"${token('u')}"}`).replace('\\u00e9', 'é').replace('1E3', '1000.0').replace('\\u001f', '\\u001F')}\n`);
  });

  it('tokenize gives reversible p~ tokens; textDigest and textDigestKeywords as REST', async () => {
    const out = await sanitizeText(
      'format: NDJSON\ntransforms:\n  - tokenize: $.id\n  - textDigest: [$.body]\n  - textDigestKeywords: {jsonPaths: $.title, keywords: [plan]}\n',
      '{"id":"abc","body":"two words","title":"The plan, the Plan"}\n',
      { objectPath: 'x.ndjson' },
    );
    const doc = JSON.parse(out);
    expect(pseudonymizer.reverse(doc.id)).toBe('abc');
    expect(JSON.parse(doc.body)).toEqual({ length: 9, word_count: 2 });
    expect(JSON.parse(doc.title)).toEqual({ keywords: { plan: 2 }, length: 18, word_count: 4 });
  });

  it('applies the output schema filter last', async () => {
    const out = await sanitizeText(
      'format: NDJSON\ntransforms: [{pseudonymize: $.user.email}]\noutputSchemaFilter:\n  type: object\n  properties:\n    user: {type: object, properties: {email: {type: string}}}\n',
      '{"user":{"email":"a@b.com","name":"A"},"secret":1}\n',
      { objectPath: 'x.ndjson' },
    );
    expect(out).toBe(`{"user":{"email":"${token('a@b.com')}"}}\n`);
  });

  it('reads an empty `transforms:` as no transforms, as Psoxy does', async () => {
    const input = '{"foo":1,"bar":2,"other":"three"}\n{"foo":4,"bar":5,"other":"six"}\n';
    expect(await sanitizeText('format: NDJSON\ntransforms:\n', input, { objectPath: 'a.ndjson' })).toBe(input);
  });

  it('leaves null and blank values, skips paths that match nothing', async () => {
    expect(await sanitizeText(RULES, '{"bar":null}\n{"bar":"  "}\n{"other":1}\n', { objectPath: 'a.ndjson' })).toBe('{"bar":null}\n{"bar":"  "}\n{"other":1}\n');
  });

  it('fails on a record it cannot pseudonymize, naming the line', async () => {
    await expect(sanitizeText(RULES, '{"bar":"a"}\n{"bar":{"x":1}}\n', { objectPath: 'u.ndjson' })).rejects.toThrow(/^u\.ndjson:2: .*an object/);
    await expect(sanitizeText(RULES, '{"bar":1.5}\n', { objectPath: 'u.ndjson' })).rejects.toThrow(/decimal/);
  });

  it('fails on bad records: invalid JSON, non-objects, unclosed arrays, missing [', async () => {
    const err = (rules: string, text: string, path: string): Promise<Error> =>
      sanitizeText(rules, text, { objectPath: path }).then(
        () => new Error('no error'),
        (e: unknown) => e as Error,
      );
    expect((await err(RULES, '{"a":1}\n{"a":\n', 'b.ndjson')).message).toMatch(/^b\.ndjson:2: invalid JSON/);
    expect((await err(RULES, '[1]\n', 'b.ndjson')).message).toMatch(/^b\.ndjson:1: each record must be one JSON object/);
    const arr = RULES.replace('NDJSON', 'JSON_ARRAY');
    expect((await err(arr, '[{"a":1},', 'b.json')).message).toMatch(/not closed/);
    expect((await err(arr, '[{"a":1},\n]', 'b.json')).message).toMatch(/^b\.json:2: a trailing comma/);
    expect((await err(arr, '{"a":1}', 'b.json')).message).toMatch(/must start with \[/);
    expect((await err(arr, '[{"a":1}] x', 'b.json')).message).toMatch(/after the end/);
    expect(await err(RULES.replace('NDJSON', 'PARQUET'), 'PAR1', 'b.parquet')).toBeInstanceOf(BulkDataError);
    // CSV records as Psoxy's reader has them: a short row or a nameless column is an error
    const csv = RULES.replace('NDJSON', 'CSV');
    expect((await err(csv, 'foo,bar\n1,2\n3\n', 'b.csv')).message).toMatch(/^b\.csv:3: the row has 1 values for 2 columns/);
    expect((await err(csv, 'foo,bar,\n1,2,3\n', 'b.csv')).message).toMatch(/^b\.csv:1: a header name is missing \(column 3\)/);
  });

  it('needs an encryption key to tokenize', async () => {
    const { Pseudonymizer } = await import('../../src/pseudonym/index.js');
    await expect(sanitizeText('format: NDJSON\ntransforms: [{tokenize: $.id}]', '{"id":"a"}\n', { p: new Pseudonymizer({ salt: 's' }) })).rejects.toThrow(/encryption key/);
  });

  it('resolves AUTO by content type, then extension', () => {
    expect(resolveRecordFormat('AUTO', 'a/b.csv.gz')).toBe('CSV');
    expect(resolveRecordFormat('AUTO', 'a/b.jsonl')).toBe('NDJSON');
    expect(resolveRecordFormat('AUTO', 'a/b.json')).toBe('JSON_ARRAY');
    expect(resolveRecordFormat('AUTO', 'a/b.csv', 'application/x-ndjson')).toBe('NDJSON');
    expect(resolveRecordFormat('AUTO', 'a/b', 'application/json; charset=utf-8')).toBe('JSON_ARRAY');
    expect(resolveRecordFormat('AUTO', 'a.v2/b')).toBe('NDJSON');
  });
});

describe('multi-type rules (spec 4.4)', () => {
  const MULTI = `fileRules:
  /export/{week}/users*.ndjson:
    format: NDJSON
    transforms: [{pseudonymize: $.email}]
  /export/{week}/hris.csv:
    columnsToRedact: [name]
  /nested/{file}:
    fileRules:
      "a-{x}.csv": {columnsToRedact: [a]}
      "b.csv": {columnsToRedact: [b]}
`;
  it('chooses by the full object key; * is a literal asterisk', async () => {
    expect(await sanitizeText(MULTI, 'id,name\n1,Al\n', { objectPath: 'export/2024-01/hris.csv' })).toBe('id\n1\n');
    expect(await sanitizeText(MULTI, '{"email":"x"}\n', { objectPath: 'export/2024-01/users*.ndjson' })).toBe(`{"email":"${token('x')}"}\n`);
    await expect(sanitizeText(MULTI, '{"email":"x"}\n', { objectPath: 'export/2024-01/users-1.ndjson' })).rejects.toThrow(/no applicable rules.*users-1/);
    await expect(sanitizeText(MULTI, 'a\n', { objectPath: 'Export/2024-01/hris.csv' })).rejects.toThrow(/no applicable rules/);
  });
  it('matches nested rules against the last parameter', async () => {
    expect(await sanitizeText(MULTI, 'a,b\n1,2\n', { objectPath: 'nested/a-1.csv' })).toBe('b\n2\n');
    expect(await sanitizeText(MULTI, 'a,b\n1,2\n', { objectPath: 'nested/b.csv' })).toBe('a\n1\n');
  });
  it('names the rule that is wrong', () => {
    expect(() => loadBulkRules('fileRules:\n  x.csv:\n    columnsToRedact: [a]\n    bogus: 1\n', { source: 'm.yaml' })).toThrow(/bogus/);
    expect(() => loadBulkRules('endpoints: []', { source: 'r.yaml' })).toThrow(/REST API rules/);
  });
});

describe('bulk pseudonyms equal API pseudonyms', () => {
  it('a CSV cell and a JSON response field with the same value get the same token', async () => {
    const rest = compileRestRules(
      loadRestRules(`endpoints:\n  - pathTemplate: /users\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$.users[*].email"]\n`),
    );
    const api = sanitizeResponse({ rules: rest, pseudonymizer, method: 'GET', url: 'https://x.test/users', body: '{"users":[{"email":"Alice.Smith+hr@Company.com"}]}' });
    const apiToken = JSON.parse(api.blocked ? '{}' : api.body).users[0].email;
    const csv = await sanitizeText('pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [email]', 'email\nAlice.Smith+hr@Company.com\n');
    expect(csv).toBe(`email\n${apiToken}\n`);
    const nd = await sanitizeText('format: NDJSON\ntransforms: [{pseudonymize: $.email}]', '{"email":"Alice.Smith+hr@Company.com"}\n', { objectPath: 'u.ndjson' });
    expect(JSON.parse(nd).email).toBe(apiToken);
  });
});
