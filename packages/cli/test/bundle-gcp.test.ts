import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Pseudonymizer } from '@psoxy/core';
import {
  type FakeGcs,
  type FakeSecretManager,
  type LoopbackServer,
  startFakeGcs,
  startFakeSecretManager,
  startFakeUpstream,
  startLoopback,
  startTokenEndpoint,
  testCertificate,
} from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOrFail, bundledFunction, manifestZip, readManifest, unzipInto, zipLayout } from './bundle-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'psoxy-bundle-gcp-'));
const out = join(work, 'dist');

/** The installed framework (the CLI's devDependency), by its real path: the bundle and the CLI must load the same copy, whose registry they share. */
const FRAMEWORK = realpathSync(join(dirname(fileURLToPath(import.meta.resolve('@google-cloud/functions-framework'))), '..', '..'));
const frameworkPkg = JSON.parse(readFileSync(join(FRAMEWORK, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const FRAMEWORK_BIN = join(FRAMEWORK, frameworkPkg.bin['functions-framework'] as string);
const cliPkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };

const manifest = () => readManifest(out);
const fn = (name: string) => bundledFunction(out, name);

/** Unzips a function into its own folder, as Cloud Build does, and installs the framework the way `npm install` would have: as node_modules/@google-cloud/functions-framework. */
function unpack(zip: string): string {
  const dir = unzipInto(out, zip, join(work, zip.replace(/\.zip$/, '')));
  mkdirSync(join(dir, 'node_modules', '@google-cloud'), { recursive: true });
  symlinkSync(FRAMEWORK, join(dir, 'node_modules', '@google-cloud', 'functions-framework'), 'dir');
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface Served {
  url: string;
  /** What the function printed (its logs), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
afterAll(async () => {
  await Promise.all([...children].map(stop));
});

/**
 * Starts functions-framework's own CLI on the unzipped function in a fresh Node process, as the
 * Node.js runtime of Cloud Run functions does (`--target` the entry point, `--signature-type` as
 * the platform's FUNCTION_SIGNATURE_TYPE), and waits until it accepts connections.
 */
async function serve(dir: string, signatureType: 'http' | 'cloudevent', env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  // nothing of this machine's Google or psoxy configuration may leak in; HOME has no gcloud credentials
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PSOXY_|GOOGLE_|GCE_|GCP_|GCLOUD_|CLOUDSDK_|K_|FUNCTION_|METADATA_SERVER_)/.test(k)));
  const child = spawn(process.execPath, [FRAMEWORK_BIN, '--target=handler', `--source=${dir}`, `--port=${port}`, `--signature-type=${signatureType}`], {
    env: { ...base, HOME: mkdtempSync(join(work, 'home-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const served: Served = { url: `http://127.0.0.1:${port}`, output: () => output, stop: () => stop(child) };
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await served.stop();
      throw new Error(`functions-framework did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return served;
}

/**
 * Cloud Run's metadata server, for what google-auth-library asks it: whether it is there, then the
 * service account's access token. This is how a deployed function gets its credentials (ADC), and
 * GCE_METADATA_HOST is gcp-metadata's own override of its address. A service-account key file would
 * not do: google-auth-library 10 ignores the key's `token_uri` and always calls oauth2.googleapis.com.
 */
async function startFakeMetadataServer(token: string): Promise<LoopbackServer & { tokenRequests: () => number }> {
  let tokens = 0;
  const server = await startLoopback((req, res) => {
    // the real server refuses requests without the header, and the client checks it on answers
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Missing Metadata-Flavor:Google header.');
      return;
    }
    const head = { 'metadata-flavor': 'Google' };
    if (req.path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      tokens++;
      res.writeHead(200, { ...head, 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: token, expires_in: 3599, token_type: 'Bearer' }));
    } else if (req.path === '/computeMetadata/v1/instance') {
      res.writeHead(200, { ...head, 'content-type': 'application/text' });
      res.end('attributes/\nservice-accounts/\n');
    } else {
      res.writeHead(404, { ...head, 'content-type': 'text/plain' });
      res.end('Not Found');
    }
  });
  return { ...server, tokenRequests: () => tokens };
}

beforeAll(() => {
  bundleOrFail(['--host', 'gcp', '--connector', 'zoom', '--bulk', 'hris', '--out', out], work);
}, 120_000);

describe('psoxy bundle --host gcp', () => {
  it('writes one zip per function, each with a package.json that installs functions-framework, and a manifest', () => {
    const m = manifest();
    expect(m.host).toBe('gcp');
    expect(m.functions.map((f) => f.name)).toEqual(['psoxy-zoom', 'psoxy-hris-bulk']);
    for (const f of m.functions) {
      const files = manifestZip(out, f);
      expect(f.handler).toBe('handler');
      expect(zipLayout(files)).toEqual(['chunk-*.mjs', 'index.mjs', 'package.json']);
      const pkg = JSON.parse(Buffer.from(files['package.json'] as Uint8Array).toString('utf8'));
      expect(pkg).toMatchObject({ type: 'module', main: 'index.mjs', dependencies: { '@google-cloud/functions-framework': cliPkg.devDependencies['@google-cloud/functions-framework'] } });
      // the framework stays outside the bundle: the runtime installs it, and one registry must serve both
      const code = Buffer.from(files['index.mjs'] as Uint8Array).toString('utf8');
      expect(code).toMatch(/from\s*"@google-cloud\/functions-framework"/);
      expect(f.packages.filter((p) => p.startsWith('@google-cloud/functions-framework@'))).toEqual([]);
    }
    expect(fn('psoxy-zoom').connector?.id).toBe('zoom');
    expect(fn('psoxy-zoom').secrets).toContain('PSOXY_ZOOM_CLIENT_SECRET');
    expect(fn('psoxy-hris-bulk').kind).toBe('bulk');
  });

  describe('the zips run under functions-framework, each in a fresh process', () => {
    const TOKEN = 'ya29.metadata-token';
    const p = new Pseudonymizer({ salt: 'gcp-bundle-salt', encryptionKey: 'gcp-bundle-key' });
    let sm: FakeSecretManager;
    let gcs: FakeGcs;
    let metadata: Awaited<ReturnType<typeof startFakeMetadataServer>>;
    let ca: string;
    /**
     * How the fresh process reaches the fakes: ADC through the metadata server at GCE_METADATA_HOST,
     * and host-gcp's endpoint overrides (loopback http is allowed, any other host must be https).
     */
    const google = () => ({
      GCE_METADATA_HOST: metadata.url.replace('http://', ''),
      GOOGLE_CLOUD_PROJECT: sm.project,
      SECRET_MANAGER_ENDPOINT: sm.url,
      STORAGE_EMULATOR_HOST: gcs.url,
      NODE_EXTRA_CA_CERTS: ca,
    });
    beforeAll(async () => {
      [sm, gcs, metadata] = await Promise.all([startFakeSecretManager('psoxy-bundle-test', TOKEN), startFakeGcs(TOKEN), startFakeMetadataServer(TOKEN)]);
      sm.put('psoxy_PSOXY_SALT', ['gcp-bundle-salt']);
      sm.put('psoxy_PSOXY_ENCRYPTION_KEY', ['gcp-bundle-key']);
      for (const [k, v] of Object.entries({ CLIENT_ID: 'c', CLIENT_SECRET: 's', ACCOUNT_ID: 'a' })) sm.put(`PSOXY_ZOOM_${k}`, [v]);
      ca = join(work, 'ca.pem');
      writeFileSync(ca, (await testCertificate()).cert);
    });
    afterAll(async () => {
      await Promise.all([sm?.close(), gcs?.close(), metadata?.close()]);
    });

    it('the zoom HTTP function answers over HTTPS to its source, secrets from Secret Manager, /<K_SERVICE> prefix accepted', async () => {
      const tls = await testCertificate();
      const tokens = await startTokenEndpoint(() => ({ body: { access_token: 'zoom-token', token_type: 'bearer', expires_in: 3599 } }), { tls });
      const users = { users: [{ id: 'u1', email: 'ada@acme.example', first_name: 'Ada' }] };
      const upstream = await startFakeUpstream([{ path: '/v2/users', query: { page_size: '30' }, body: users, times: 2 }], { tls });
      let fnc: Served | undefined;
      try {
        fnc = await serve(unpack(fn('psoxy-zoom').zip), 'http', {
          ...google(),
          K_SERVICE: 'psoxy-zoom',
          TARGET_HOST: upstream.url.replace('https://', ''),
          REFRESH_ENDPOINT: tokens.tokenUrl,
        });
        const expected = p.pseudonymToken('ada@acme.example');
        for (const path of ['/v2/users?page_size=30', '/psoxy-zoom/v2/users?page_size=30']) {
          const res = await fetch(`${fnc.url}${path}`);
          const text = await res.text();
          expect(res.status, `${path}: ${text}\n${fnc.output()}`).toBe(200);
          const body = JSON.parse(text) as { users: { email: string; first_name?: string }[] };
          expect(body.users[0]?.email).toMatch(/^t~[\w-]{43}@acme\.example$/);
          // salted with the secret from the fake Secret Manager
          expect(body.users[0]?.email).toBe(expected);
          expect(body.users[0]?.first_name).toBeUndefined();
        }
        const blocked = await fetch(`${fnc.url}/v2/accounts/me/settings`);
        expect(blocked.status, await blocked.text()).toBe(403);
        expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer zoom-token', 'Bearer zoom-token']);
        expect(tokens.requests).toHaveLength(1);
        expect(tokens.requests[0]?.form.get('account_id')).toBe('a');
        // the Zoom token is shared with other instances through Secret Manager
        expect(JSON.parse(sm.value('PSOXY_ZOOM_ACCESS_TOKEN') ?? '{}').token).toBe('zoom-token');
        expect(sm.unauthenticated).toEqual([]);
        expect(metadata.tokenRequests()).toBe(1);
      } finally {
        await fnc?.stop();
        await upstream.close();
        await tokens.close();
      }
    });

    it('the hris bulk CloudEvent function sanitizes an object finalized in the input bucket into OUTPUT_BUCKET', async () => {
      gcs.objects.set('hris-in/weekly/export.csv', { data: Buffer.from('employee_id,email,name\n1,ada@acme.example,Ada\n'), contentType: 'text/csv' });
      const fnc = await serve(unpack(fn('psoxy-hris-bulk').zip), 'cloudevent', {
        ...google(),
        K_SERVICE: 'psoxy-hris-bulk',
        OUTPUT_BUCKET: 'hris-out',
        RULES: 'columnsToPseudonymize: [employee_id, email]\ncolumnsToRedact: [name]\n',
      });
      try {
        // as Eventarc delivers it to the function: a CloudEvent in binary content mode
        const res = await fetch(fnc.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'ce-specversion': '1.0',
            'ce-id': '8921436718331123',
            'ce-type': 'google.cloud.storage.object.v1.finalized',
            'ce-source': '//storage.googleapis.com/projects/_/buckets/hris-in',
            'ce-subject': 'objects/weekly/export.csv',
            'ce-time': '2026-11-30T00:00:00.000Z',
          },
          body: JSON.stringify({ kind: 'storage#object', bucket: 'hris-in', name: 'weekly/export.csv', contentType: 'text/csv', size: '44', generation: '1' }),
        });
        const text = await res.text();
        expect(res.status, `${text}\n${fnc.output()}`).toBe(200);
        const o = gcs.objects.get('hris-out/weekly/export.csv');
        expect(o, `outputs: ${[...gcs.objects.keys()].join(', ')}`).toBeDefined();
        expect(o?.contentEncoding).toBe('gzip');
        const csv = gunzipSync(o?.data ?? Buffer.alloc(0)).toString();
        expect(csv.split('\n')[0]).toBe('employee_id,email');
        expect(csv).not.toMatch(/ada@|Ada/);
        // Psoxy's bulk cells hold the pseudonym as JSON, salted with the secret from the fake Secret Manager
        expect(csv).toContain(`""hash"":""${p.pseudonymize('ada@acme.example')?.hash}""`);
        expect(o?.metadata?.['psoxy-instance-id']).toBe('psoxy-hris-bulk');
        expect(o?.metadata?.['psoxy-salt-sha']).toBe(p.saltFingerprint);
        expect(sm.unauthenticated).toEqual([]);
      } finally {
        await fnc.stop();
      }
    });
  });
});
