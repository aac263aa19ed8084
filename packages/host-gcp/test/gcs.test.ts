import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as functions from '@google-cloud/functions-framework';
import { Pseudonymizer, silentLogger } from '@psoxy/core';
import { type FakeGcs, type FakeSecretManager, startFakeGcs, startFakeSecretManager, startLoopback } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsObjectStore, OBJECT_FINALIZED, createGcsBulkFunction } from '../src/index.js';
import { serveRegistered } from './serve.js';

const MiB = 1024 * 1024;
let gcs: FakeGcs;
let store: GcsObjectStore;
beforeAll(async () => {
  gcs = await startFakeGcs();
  store = new GcsObjectStore({ endpoint: gcs.url, accessToken: async () => gcs.token });
});
afterAll(() => gcs.close());

async function* pieces(data: Buffer, size: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw new Error('the source broke');
    yield data.subarray(at, at + size);
  }
}
const bytes = async (it: AsyncIterable<Uint8Array>) => {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return Buffer.concat(out);
};
const puts = (from: number) => gcs.calls.slice(from).filter((c) => c.startsWith('PUT '));

describe('GcsObjectStore over the JSON API', () => {
  it('writes with metadata, reads back, heads; the key is one path segment', async () => {
    const meta = { contentType: 'text/csv', metadata: { 'psoxy-instance-id': 'x' } };
    await store.write('b1', 'dir/a b+c.csv', pieces(Buffer.from('id\n1\n'), 2), meta);
    expect(gcs.objects.get('b1/dir/a b+c.csv')?.data.toString()).toBe('id\n1\n');
    expect(await store.head('b1', 'dir/a b+c.csv')).toEqual({ bucket: 'b1', key: 'dir/a b+c.csv', contentType: 'text/csv', contentEncoding: undefined, metadata: { 'psoxy-instance-id': 'x' } });
    expect((await bytes(store.read('b1', 'dir/a b+c.csv'))).toString()).toBe('id\n1\n');
    expect(gcs.calls).toContain('GET /storage/v1/b/b1/o/dir%2Fa%20b%2Bc.csv?alt=media');
    await expect(store.head('b1', 'missing')).rejects.toThrow(/gs:\/\/b1\/missing: HTTP 404/);
  });

  it('asks for gzip-encoded objects as stored (no decompressive transcoding)', async () => {
    gcs.objects.set('b1/z.csv', { data: gzipSync('id\n2\n'), contentType: 'text/csv', contentEncoding: 'gzip' });
    const got = await bytes(store.read('b1', 'z.csv'));
    expect(gcs.downloads.at(-1)).toBe('gzip');
    // fetch decodes a gzip Content-Encoding itself; the bulk reader also accepts raw gzip
    expect(got[0] === 0x1f ? gunzipSync(got).toString() : got.toString()).toBe('id\n2\n');
  });

  it('uploads a large object in 8 MiB chunks, streaming, the total told with the last one', async () => {
    const data = randomBytes(20 * MiB + 5);
    const from = gcs.calls.length;
    await store.write('b1', 'big.bin', pieces(data, MiB), { contentType: 'application/octet-stream', metadata: {} });
    expect(puts(from).map((c) => c.replace(/^PUT .* \[/, '['))).toEqual(['[bytes 0-8388607/*]', '[bytes 8388608-16777215/*]', '[bytes 16777216-20971524/20971525]']);
    expect(gcs.objects.get('b1/big.bin')?.data.equals(data)).toBe(true);
  });

  it('sends again what GCS did not persist of a chunk', async () => {
    const data = randomBytes(9 * MiB);
    gcs.shortWrite = 5 * MiB;
    const from = gcs.calls.length;
    await store.write('b1', 'short.bin', pieces(data, MiB), { contentType: 'application/octet-stream', metadata: {} });
    expect(puts(from).map((c) => c.replace(/^PUT .* \[/, '['))).toEqual(['[bytes 0-8388607/*]', '[bytes 5242880-9437183/9437184]']);
    expect(gcs.objects.get('b1/short.bin')?.data.equals(data)).toBe(true);
  });

  it('an empty object is one request with the total', async () => {
    const from = gcs.calls.length;
    await store.write('b1', 'empty.csv', pieces(Buffer.alloc(0), 1), { contentType: 'text/csv', metadata: {} });
    expect(puts(from).map((c) => c.replace(/^PUT .* \[/, '['))).toEqual(['[bytes */0]']);
    expect(gcs.objects.get('b1/empty.csv')?.data.length).toBe(0);
  });

  it('if the body fails after a chunk went up, the session is cancelled and nothing appears', async () => {
    const data = randomBytes(12 * MiB);
    const from = gcs.calls.length;
    await expect(store.write('b1', 'broken.bin', pieces(data, MiB, 10 * MiB), { contentType: 'application/octet-stream', metadata: {} })).rejects.toThrow('the source broke');
    expect(puts(from)).toHaveLength(1);
    expect(gcs.sessions.at(-1)?.state).toBe('cancelled');
    expect(gcs.objects.has('b1/broken.bin')).toBe(false);
  });
});

describe('GcsObjectStore: the access token stays with the service', () => {
  it('refuses an upload session on another host, and sends it nothing', async () => {
    const elsewhere: string[] = [];
    const other = await startLoopback((req, res) => {
      elsewhere.push(`${req.method} ${req.headers.authorization ?? ''}`);
      res.writeHead(200);
      res.end();
    });
    const service = await startLoopback((_req, res) => {
      res.writeHead(200, { location: `${other.url.replace('127.0.0.1', 'localhost')}/upload/session/1` });
      res.end('{}');
    });
    try {
      const s = new GcsObjectStore({ endpoint: service.url, accessToken: async () => 'token' });
      const body = (async function* () {
        yield Buffer.from('a,b\n');
      })();
      await expect(s.write('b', 'k.csv', body, { contentType: 'text/csv', metadata: {} })).rejects.toThrow(/the session URI points at another host/);
      expect(elsewhere).toEqual([]);
    } finally {
      await other.close();
      await service.close();
    }
  });
});

describe('createGcsBulkFunction: CloudEvent → sanitized objects', () => {
  const p = new Pseudonymizer({ salt: 'salt' });
  const RULES = 'pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [employee_id, email]\ncolumnsToRedact: [name]\n';
  const LOOKUP =
    '- destinationBucketName: lookup-out\n  rules:\n    pseudonymFormat: URL_SAFE_TOKEN\n    columnsToPseudonymize: [employee_id]\n    columnsToDuplicate: {employee_id: employee_id_orig}\n    columnsToRedact: [name, email]\n';
  let sm: FakeSecretManager;
  let bulk: { url: string; close(): Promise<void> };
  let plain: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    sm = await startFakeSecretManager();
    sm.put('psoxy_PSOXY_SALT', ['salt']);
    sm.put('PSOXY_HRIS_RULES', [RULES]);
    const secretManager = { project: sm.project, endpoint: sm.url, accessToken: async () => sm.token };
    const env = { K_SERVICE: 'psoxy-hris', OUTPUT_BUCKET: 'hris-out', ADDITIONAL_TRANSFORMS: LOOKUP };
    functions.cloudEvent('bulk', createGcsBulkFunction({ env, storage: store, secretManager, log: silentLogger }));
    functions.cloudEvent('bulk-plain', createGcsBulkFunction({ env: { ...env, ADDITIONAL_TRANSFORMS: undefined, COMPRESS_OUTPUT_ALWAYS: 'false' }, storage: store, secretManager, log: silentLogger }));
    bulk = await serveRegistered('bulk');
    plain = await serveRegistered('bulk-plain');
  });
  afterAll(async () => {
    await bulk.close();
    await plain.close();
    await sm.close();
  });

  /** Delivers an event as Eventarc does (binary content mode). */
  const deliver = (url: string, bucket: string, name: string, type = OBJECT_FINALIZED) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': type,
        'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucket}`,
        'ce-subject': `objects/${name}`,
        'ce-id': String(Math.random()),
        'ce-time': new Date().toISOString(),
      },
      body: JSON.stringify({ bucket, name, contentType: 'text/csv', generation: '1', metageneration: '1' }),
    });

  it('sanitizes into the output bucket (gzip, Psoxy metadata) and writes the lookup table', async () => {
    gcs.objects.set('hris-in/weekly/hr export.csv', { data: Buffer.from('employee_id,email,name,dept\n1,ada@acme.example,Ada,R&D\n'), contentType: 'text/csv' });
    const res = await deliver(bulk.url, 'hris-in', 'weekly/hr export.csv');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      outputs: [
        { bucket: 'hris-out', key: 'weekly/hr export.csv', compressed: true },
        { bucket: 'lookup-out', key: 'weekly/hr export.csv', compressed: true },
      ],
    });
    const out = gcs.objects.get('hris-out/weekly/hr export.csv');
    expect(gunzipSync(out?.data ?? Buffer.alloc(0)).toString()).toBe(`employee_id,email,dept\n${p.pseudonymToken('1')},${p.pseudonymToken('ada@acme.example')},R&D\n`);
    expect(out?.contentEncoding).toBe('gzip');
    expect(out?.contentType).toBe('text/csv');
    expect(out?.metadata).toMatchObject({ 'psoxy-instance-id': 'psoxy-hris', 'psoxy-original-object-key': 'hris-in/weekly/hr export.csv', 'psoxy-salt-sha': p.saltFingerprint });
    const lookup = gcs.objects.get('lookup-out/weekly/hr export.csv');
    expect(gunzipSync(lookup?.data ?? Buffer.alloc(0)).toString()).toBe(`employee_id,dept,employee_id_orig\n${p.pseudonymToken('1')},R&D,1\n`);
  });

  it('skips an object that no multi-type rules apply to, as Psoxy on GCP does (it is no failure)', async () => {
    functions.cloudEvent(
      'bulk-multi',
      createGcsBulkFunction({
        env: { K_SERVICE: 'psoxy-multi', OUTPUT_BUCKET: 'multi-out', RULES: 'fileRules:\n  exports/{week}/users.csv:\n    columnsToRedact: [name]\n' },
        storage: store,
        secretManager: { project: sm.project, endpoint: sm.url, accessToken: async () => sm.token },
        log: silentLogger,
      }),
    );
    const multi = await serveRegistered('bulk-multi');
    try {
      gcs.objects.set('multi-in/other/file.csv', { data: Buffer.from('id,name\n1,Ada\n'), contentType: 'text/csv' });
      const res = await deliver(multi.url, 'multi-in', 'other/file.csv');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { skipped: string }).skipped).toMatch(/no applicable rules/);
      expect(gcs.objects.has('multi-out/other/file.csv')).toBe(false);
    } finally {
      await multi.close();
    }
  });

  it('skips its own outputs (loop guard) and events of other types', async () => {
    const own = await deliver(bulk.url, 'hris-out', 'weekly/hr export.csv');
    expect(((await own.json()) as { skipped: string }).skipped).toMatch(/written by this instance/);
    const deleted = await deliver(bulk.url, 'hris-in', 'weekly/hr export.csv', 'google.cloud.storage.object.v1.deleted');
    expect(((await deleted.json()) as { skipped: string }).skipped).toBe(`event type google.cloud.storage.object.v1.deleted is not ${OBJECT_FINALIZED}`);
  });

  it('a malformed CSV writes nothing: the invocation fails and the upload session is cancelled', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i},u${i}@acme.example,N,D`).join('\n');
    gcs.objects.set('hris-in/bad.csv', { data: Buffer.from(`employee_id,email,name,dept\n${rows}\n"unclosed\n`), contentType: 'text/csv' });
    const sessions = gcs.sessions.length;
    const res = await deliver(bulk.url, 'hris-in', 'bad.csv');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/could not sanitize gs:\/\/hris-in\/bad\.csv: .*malformed CSV/);
    expect(gcs.objects.has('hris-out/bad.csv')).toBe(false);
    expect(gcs.sessions.slice(sessions).map((s) => `${s.bucket}/${s.name} ${s.state}`)).toEqual(['hris-out/bad.csv cancelled']);
  });

  it('a large output goes up in several chunks; one that fails after a chunk leaves nothing', async () => {
    const rows = Array.from({ length: 120_000 }, (_, i) => `${i},user${i}@acme.example,Name ${i},dept-${i % 7}`).join('\n');
    gcs.objects.set('hris-in/large.csv', { data: Buffer.from(`employee_id,email,name,dept\n${rows}\n`), contentType: 'text/csv' });
    const from = gcs.calls.length;
    const res = await deliver(plain.url, 'hris-in', 'large.csv');
    expect(res.status).toBe(200);
    const out = gcs.objects.get('hris-out/large.csv');
    expect(out?.data.length).toBeGreaterThan(8 * MiB);
    expect(out?.contentEncoding).toBeUndefined();
    const lines = out?.data.toString().split('\n') ?? [];
    expect(lines[0]).toBe('employee_id,email,dept');
    // Psoxy shuffles rows: every one is there, in some order
    expect(lines).toHaveLength(120_002);
    expect(lines).toContain(`${p.pseudonymToken('119999')},${p.pseudonymToken('user119999@acme.example')},dept-${119_999 % 7}`);
    expect(puts(from).length).toBeGreaterThanOrEqual(2);

    gcs.objects.set('hris-in/large-bad.csv', { data: Buffer.from(`employee_id,email,name,dept\n${rows}\n"unclosed\n`), contentType: 'text/csv' });
    const before = gcs.calls.length;
    expect((await deliver(plain.url, 'hris-in', 'large-bad.csv')).status).toBe(500);
    expect(puts(before).length).toBeGreaterThanOrEqual(1);
    expect(gcs.sessions.at(-1)?.state).toBe('cancelled');
    expect(gcs.objects.has('hris-out/large-bad.csv')).toBe(false);
  });
});
