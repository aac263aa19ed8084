import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type BulkHandlerConfig,
  FolderStore,
  type ObjectStore,
  type StoredObject,
  contentTypeFor,
  destinationKey,
  handleBulkObject,
  listKeys,
  loadBulkRules,
  parseAdditionalTransforms,
  watchFolder,
} from '../../src/index.js';
import { pseudonymizer, sanitizeText } from './helpers.js';

const folder = () => mkdtempSync(join(tmpdir(), 'psoxy-bulk-'));
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

const RULES = 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [id]\ncolumnsToRedact: [name]\n';
const LOOKUP = `- destinationBucketName: LOOKUP
  pathWithinBucket: lookup/
  compressOutput: false
  rules:
    pseudonymFormat: URL_SAFE_TOKEN
    columnsToPseudonymize: [id]
    columnsToDuplicate: {id: id_orig}
    columnsToRedact: [name]
`;

function config(out: string, lookup: string, extra: Partial<BulkHandlerConfig> = {}): BulkHandlerConfig {
  return {
    instanceId: 'test-instance',
    inputBasePath: 'inbox/',
    transforms: [
      { destinationBucketName: out, rules: loadBulkRules(RULES) },
      ...parseAdditionalTransforms(LOOKUP.replace('LOOKUP', lookup)),
    ],
    pseudonymizer,
    rulesText: RULES,
    version: 'test',
    shuffle: false,
    ...extra,
  };
}

describe('bucket handler on a folder store', () => {
  it('writes the sanitized file and the lookup table; gzip by default as Psoxy', async () => {
    const [inp, out, lk] = [folder(), folder(), folder()];
    mkdirSync(join(inp, 'inbox'));
    writeFileSync(join(inp, 'inbox/hr.csv'), 'id,name,dept\n7,Ann,R&D\n');
    const r = await handleBulkObject(new FolderStore(), config(out, lk), inp, 'inbox/hr.csv');
    expect(r.outputs).toEqual([
      { bucket: out, key: 'hr.csv', compressed: true },
      { bucket: lk, key: 'lookup/hr.csv', compressed: false },
    ]);
    const t7 = pseudonymizer.pseudonymToken('7');
    expect(gunzipSync(readFileSync(join(out, 'hr.csv'))).toString()).toBe(`id,dept\n${t7},R&D\n`);
    expect(readFileSync(join(lk, 'lookup/hr.csv'), 'utf8')).toBe(`id,dept,id_orig\n${t7},R&D,7\n`);
  });

  it('reads gzip input; writes plain when asked', async () => {
    const [inp, out, lk] = [folder(), folder(), folder()];
    writeFileSync(join(inp, 'hr.csv.gz'), gzipSync('id,name\n1,A\n'));
    await handleBulkObject(new FolderStore(), config(out, lk, { compressOutputAlways: false, inputBasePath: undefined }), inp, 'hr.csv.gz');
    expect(gunzipSync(readFileSync(join(out, 'hr.csv.gz'))).toString()).toBe(`id\n${pseudonymizer.pseudonymToken('1')}\n`);
  });

  it('writes nothing, not even a temporary file, when the input is bad', async () => {
    const [inp, out, lk] = [folder(), folder(), folder()];
    const rows = Array.from({ length: 5000 }, (_, i) => `n${i},${i}`).join('\n');
    writeFileSync(join(inp, 'hr.csv'), `name,id\n${rows}\nn9999\n`);
    await expect(handleBulkObject(new FolderStore(), config(out, lk), inp, 'hr.csv')).rejects.toThrow(/hr\.csv:5002: the row has 1 values/);
    expect(filesUnder(out)).toEqual([]);
    expect(filesUnder(lk)).toEqual([]);
  });

  it('skips objects this instance wrote (loop guard) and stamps metadata', async () => {
    const written: { key: string; meta: unknown }[] = [];
    const store: ObjectStore = {
      head: async (bucket, key): Promise<StoredObject> => ({ bucket, key, metadata: key === 'mine.csv' ? { 'psoxy-instance-id': 'test-instance' } : {}, contentType: 'application/octet-stream' }),
      read: async function* () {
        yield Buffer.from('id\n1\n');
      },
      write: async (_b, key, body, meta) => {
        for await (const _ of body) {
          // drain
        }
        written.push({ key, meta });
      },
    };
    const cfg = config('out', 'lk');
    expect((await handleBulkObject(store, cfg, 'in', 'mine.csv')).skipped).toMatch(/written by this instance/);
    await handleBulkObject(store, { ...cfg, transforms: cfg.transforms.slice(0, 1) }, 'in', 'inbox/x.csv');
    expect(written).toEqual([
      {
        key: 'x.csv',
        meta: {
          contentType: 'text/csv; charset=utf-8',
          contentEncoding: 'gzip',
          metadata: {
            'psoxy-instance-id': 'test-instance',
            'psoxy-version': 'test',
            'psoxy-original-object-key': 'in/inbox/x.csv',
            'psoxy-rules-sha': expect.stringMatching(/^[0-9a-f]{40}$/),
            'psoxy-salt-sha': pseudonymizer.saltFingerprint,
          },
        },
      },
    ]);
  });

  it('names outputs as Psoxy: every occurrence of INPUT_BASE_PATH removed; content types by extension', () => {
    expect(destinationKey('in/a/in/b.csv', 'in/', 'out/')).toBe('out/a/b.csv');
    expect(destinationKey('a.csv', undefined, undefined)).toBe('a.csv');
    expect(contentTypeFor('x.ndjson.gz')).toBe('application/x-ndjson');
    expect(contentTypeFor('x.csv', 'application/x-www-form-urlencoded')).toBe('text/csv; charset=utf-8');
    expect(contentTypeFor('x.bin', 'text/plain')).toBe('text/plain');
  });

  it('never lets a key leave its folder', async () => {
    await expect(new FolderStore().head(folder(), '../../etc/passwd')).rejects.toThrow(/leaves the folder/);
  });

  it('refuses malformed additional transforms', () => {
    expect(() => parseAdditionalTransforms('{a: 1}')).toThrow(/must be a list/);
    expect(() => parseAdditionalTransforms('- rules: {}\n')).toThrow(/destinationBucketName is required/);
    expect(() => parseAdditionalTransforms('- destinationBucketName: x\n  rules: {columnsToRedact: 1}\n')).toThrow(/columnsToRedact/);
  });
});

describe('folder watching', () => {
  it('hands on each file once it is complete, and again when it changes', async () => {
    const dir = folder();
    const seen: string[] = [];
    const abort = new AbortController();
    const done = watchFolder(dir, {
      intervalMs: 20,
      signal: abort.signal,
      onFile: async (k) => {
        seen.push(k);
      },
    });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/a.csv'), 'x\n');
    writeFileSync(join(dir, '.hidden.tmp'), 'x\n');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['sub/a.csv']);
    writeFileSync(join(dir, 'sub/a.csv'), 'x\ny\n');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['sub/a.csv', 'sub/a.csv']);
    abort.abort();
    await done;
    expect(await listKeys(dir)).toEqual(['sub/a.csv']);
  });
});

describe('shuffling (privacy)', () => {
  it('shuffles rows within chunks of 500 and keeps every row', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => `${i}`);
    const input = `n\n${rows.join('\n')}\n`;
    const out = (await sanitizeText('{}', input, { shuffle: true })).trim().split('\n');
    expect(out[0]).toBe('n');
    const body = out.slice(1);
    expect([...body].sort()).toEqual([...rows].sort());
    expect(body).not.toEqual(rows);
    // chunk boundaries: the first 500 output rows are the first 500 input rows, in another order
    expect(new Set(body.slice(0, 500))).toEqual(new Set(rows.slice(0, 500)));
    expect(new Set(body.slice(1000))).toEqual(new Set(rows.slice(1000)));
  });
});
