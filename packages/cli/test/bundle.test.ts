import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Pseudonymizer } from '@psoxy/core';
import { type FakeSsm, startFakeSsm, startFakeUpstream, startTokenEndpoint, testCertificate } from '@psoxy/testkit';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOrFail, bundledFunction, manifestZip, readManifest, unzipInto, zipCode, zipLayout } from './bundle-helpers.js';
import { psoxy } from './helpers.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'psoxy-bundle-'));
const out = join(work, 'dist');

const manifest = () => readManifest(out);
const fn = (name: string) => bundledFunction(out, name);
/** Unzips a function into its own folder, as Lambda does. */
const unpack = (zip: string) => unzipInto(out, zip, join(work, zip.replace(/\.zip$/, '')));

/** Loads a bundle in a fresh Node process, as a cold Lambda does, and hands it the events in order; prints the results. */
const RUNNER = `import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
const [dir, events] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(dir + '/index.mjs').href);
const results = [];
for (const e of JSON.parse(readFileSync(events, 'utf8'))) results.push(await handler(e));
// whether Node's Web classes (fetch, Request, Headers: undici) were loaded along the way
const undici = process.moduleLoadList.some((m) => m.includes('undici'));
process.stdout.write(JSON.stringify({ results, undici }));
`;

async function invoke(dir: string, events: unknown[], env: Record<string, string>): Promise<{ results: unknown[]; undici: boolean }> {
  const runner = join(work, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const file = join(dir, `events-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(events));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PSOXY_')));
  const { stdout } = await run(process.execPath, [runner, dir, file], {
    env: { ...base, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

beforeAll(() => {
  bundleOrFail(['--host', 'aws', '--connector', 'github', '--connector', 'zoom', '--connector', 'gcal', '--api', 'cursor', '--bulk', 'hris', '--out', out], work);
}, 120_000);

describe('psoxy bundle --host aws', () => {
  it('writes one zip per function and a manifest that describes each', () => {
    const m = manifest();
    expect(m.host).toBe('aws');
    expect(m.functions.map((f) => f.name)).toEqual(['psoxy-github', 'psoxy-zoom', 'psoxy-gcal', 'psoxy-cursor', 'psoxy-hris-bulk']);
    for (const f of m.functions) {
      const files = manifestZip(out, f);
      expect(f.handler).toBe('index.handler');
      // the entry module, the chunks it imports (code some starts never load has its own), licences
      expect(zipLayout(files)).toEqual(['chunk-*.mjs', 'index.mjs']);
      expect(f.bytes).toBeLessThan(1.5 * 1024 * 1024);
    }
    // licence comments of bundled code stay beside it (the bulk function carries the AWS SDK's bowser)
    const bulk = manifestZip(out, fn('psoxy-hris-bulk'));
    const legal = Object.entries(bulk).filter(([name]) => name.endsWith('.LEGAL.txt'));
    expect(legal.map(([, bytes]) => Buffer.from(bytes).toString('utf8')).join('\n')).toMatch(/bowser[\s\S]*MIT License/);
    const zoom = fn('psoxy-zoom');
    expect(zoom.connector?.id).toBe('zoom');
    expect(zoom.rulesSha).toMatch(/^[0-9a-f]{40}$/);
    expect(zoom.secrets).toContain('/PSOXY_ZOOM_CLIENT_SECRET');
    // an API function signs its few SSM calls itself: no AWS SDK to load on a cold start
    expect(zoom.packages.filter((p) => /^@aws-sdk\/|^@smithy\/|^aws4fetch@/.test(p))).toEqual([]);
    expect(fn('psoxy-hris-bulk').packages.some((p) => p.startsWith('@aws-sdk/client-s3@'))).toBe(true);
    const hris = fn('psoxy-hris-bulk');
    expect(hris.kind).toBe('bulk');
    expect(hris.connector).toBeUndefined();
    expect(hris.env.OUTPUT_BUCKET).toBeDefined();
  });

  it('a github-only bundle carries no Google or Microsoft code', () => {
    const foreign = /google|googleapis|gaxios|gtoken|@azure|msal|microsoft/i;
    const github = fn('psoxy-github');
    expect(github.packages.filter((p) => foreign.test(p))).toEqual([]);
    const code = zipCode(out, github.zip);
    expect(code).not.toMatch(/googleapis\.com|google-auth-library|login\.microsoftonline\.com|graph\.microsoft\.com/);
    expect(code).toMatch(/api\.github\.com/);
    // the same check finds Google's code where it belongs
    const gcal = fn('psoxy-gcal');
    expect(zipCode(out, gcal.zip)).toMatch(/googleapis\.com/);
    // the Google grant is signed on node:crypto: no Google client library to load on AWS
    expect(gcal.packages.filter((p) => /^(google-auth-library|gaxios|gtoken|gcp-metadata)@/.test(p))).toEqual([]);
  });

  it('is reproducible: bundling again gives the same bytes', () => {
    const again = join(work, 'again');
    const r = psoxy(['bundle', '--host', 'aws', '--connector', 'zoom', '--out', again], { cwd: work });
    expect(r.code).toBe(0);
    const first = fn('psoxy-zoom');
    const second = readManifest(again).functions[0];
    expect(second?.sha256).toBe(first.sha256);
    expect(r.stdout).toMatch(/psoxy-zoom: API function, zoom/);
    expect(r.stdout).toMatch(/handler {2}index\.handler/);
    expect(r.stdout).toMatch(/\/PSOXY_ZOOM_CLIENT_ID/);
  });

  describe('the zips run, each loaded in a fresh process', () => {
    let ssm: FakeSsm;
    let ca: string;
    const p = new Pseudonymizer({ salt: 'bundle-salt', encryptionKey: 'bundle-key' });
    beforeAll(async () => {
      ssm = await startFakeSsm();
      ssm.put({ '/PSOXY_SALT': 'bundle-salt', '/PSOXY_ENCRYPTION_KEY': 'bundle-key', '/PSOXY_ZOOM_CLIENT_ID': 'c', '/PSOXY_ZOOM_CLIENT_SECRET': 's', '/PSOXY_ZOOM_ACCOUNT_ID': 'a' });
      const cert = await testCertificate();
      ca = join(work, 'ca.pem');
      writeFileSync(ca, cert.cert);
    });
    afterAll(() => ssm.close());

    it('the zoom API function answers Function URL, HTTP API (2.0) and REST API (1.0) events over HTTPS to its source', async () => {
      const tls = await testCertificate();
      const tokens = await startTokenEndpoint(() => ({ body: { access_token: 'zoom-token', token_type: 'bearer', expires_in: 3599 } }), { tls });
      const users = { users: [{ id: 'u1', email: 'ada@acme.example', first_name: 'Ada' }] };
      const upstream = await startFakeUpstream(
        [
          { path: '/v2/users', query: { page_size: '30' }, body: users, times: 3 },
        ],
        { tls },
      );
      try {
        const dir = unpack(fn('psoxy-zoom').zip);
        const v2 = (path: string, routeKey = '$default', stage = '$default') => ({
          version: '2.0',
          routeKey,
          rawPath: path,
          rawQueryString: 'page_size=30',
          headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
          requestContext: { domainName: 'abc.lambda-url.us-east-1.on.aws', stage, routeKey, http: { method: 'GET', path, sourceIp: '203.0.113.7' } },
          isBase64Encoded: false,
        });
        const v1 = {
          resource: '/{proxy+}',
          path: '/prod/v2/users',
          httpMethod: 'GET',
          headers: { Host: 'abc.execute-api.us-east-1.amazonaws.com' },
          multiValueHeaders: { Host: ['abc.execute-api.us-east-1.amazonaws.com'] },
          queryStringParameters: { page_size: '30' },
          multiValueQueryStringParameters: { page_size: ['30'] },
          requestContext: { stage: 'prod', domainName: 'abc.execute-api.us-east-1.amazonaws.com', identity: { sourceIp: '203.0.113.7' } },
          body: null,
          isBase64Encoded: false,
        };
        const { results, undici } = (await invoke(dir, [v2('/v2/users'), v2('/live/zoom/v2/users', 'ANY /zoom/{proxy+}', 'live'), v1, { ...v2('/v2/../admin'), rawQueryString: '' }], {
          AWS_ENDPOINT_URL_SSM: ssm.url,
          AWS_LAMBDA_FUNCTION_NAME: 'psoxy-zoom',
          NODE_EXTRA_CA_CERTS: ca,
          TARGET_HOST: upstream.url.replace('https://', ''),
          REFRESH_ENDPOINT: tokens.tokenUrl,
        })) as { results: { statusCode: number; body: string }[]; undici: boolean };
        expect(results.map((r) => r.statusCode), JSON.stringify(results)).toEqual([200, 200, 200, 400]);
        for (const r of results.slice(0, 3)) {
          const body = JSON.parse(r.body);
          expect(body.users[0].email).toMatch(/^t~[\w-]{43}@acme\.example$/);
          expect(body.users[0].first_name).toBeUndefined();
        }
        expect(upstream.requests.every((r) => r.headers.authorization === 'Bearer zoom-token')).toBe(true);
        expect(tokens.requests).toHaveLength(1);
        expect(ssm.calls).toContain('PutParameter /PSOXY_ZOOM_ACCESS_TOKEN');
        // SSM, the token endpoint and the source all called without Node's Web classes, whose
        // first use loads undici (~35 ms of a cold start)
        expect(undici).toBe(false);
      } finally {
        await upstream.close();
        await tokens.close();
      }
    });

    it('an --api function (no connector) reads its rules from SSM and authenticates with Psoxy\'s generic settings', async () => {
      const upstream = await startFakeUpstream([{ path: '/teams/members', body: { teamMembers: [{ email: 'ada@acme.example', name: 'Ada' }] } }], { tls: await testCertificate() });
      ssm.put({
        '/PSOXY_CURSOR_RULES': 'endpoints:\n  - pathTemplate: /teams/members\n    transforms:\n      - !<pseudonymize>\n        jsonPaths: ["$..email"]\n      - !<redact>\n        jsonPaths: ["$..name"]\n',
        '/PSOXY_CURSOR_ACCESS_TOKEN': 'cursor-key',
      });
      try {
        const f = fn('psoxy-cursor');
        expect(f.env).toMatchObject({ RULES: expect.any(String), SOURCE_AUTH_STRATEGY_IDENTIFIER: expect.any(String) });
        const dir = unpack(f.zip);
        const event = {
          version: '2.0',
          rawPath: '/teams/members',
          rawQueryString: '',
          headers: { host: 'c.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https' },
          requestContext: { domainName: 'c.lambda-url.us-east-1.on.aws', http: { method: 'GET', sourceIp: '203.0.113.7' } },
          isBase64Encoded: false,
        };
        const { results } = (await invoke(dir, [event], {
          AWS_ENDPOINT_URL_SSM: ssm.url,
          AWS_LAMBDA_FUNCTION_NAME: 'psoxy-cursor',
          NODE_EXTRA_CA_CERTS: ca,
          TARGET_HOST: upstream.url.replace('https://', ''),
          SOURCE_AUTH_STRATEGY_IDENTIFIER: 'oauth2_access_token',
        })) as { results: { statusCode: number; body: string }[] };
        expect(results[0]?.statusCode, results[0]?.body).toBe(200);
        expect(JSON.parse(results[0]?.body ?? '{}')).toEqual({ teamMembers: [{ email: expect.stringMatching(/^t~[\w-]{43}@acme\.example$/) }] });
        expect(upstream.requests[0]?.headers.authorization).toBe('Bearer cursor-key');
      } finally {
        await upstream.close();
      }
    });

    it('the hris bulk function sanitizes an S3 put on s3rver', async () => {
      const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3rver-')), configureBuckets: [{ name: 'hris-in', configs: [] }, { name: 'hris-out', configs: [] }] });
      const { port } = (await server.run()) as { port: number };
      const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      try {
        await s3.send(new PutObjectCommand({ Bucket: 'hris-in', Key: 'weekly/export.csv', Body: 'employee_id,email,name\n1,ada@acme.example,Ada\n', ContentType: 'text/csv' }));
        const event = {
          Records: [
            {
              eventVersion: '2.1',
              eventSource: 'aws:s3',
              awsRegion: 'us-east-1',
              eventTime: '2026-11-30T00:00:00.000Z',
              eventName: 'ObjectCreated:Put',
              s3: { s3SchemaVersion: '1.0', configurationId: 'psoxy', bucket: { name: 'hris-in', arn: 'arn:aws:s3:::hris-in' }, object: { key: 'weekly/export.csv', size: 44, eTag: '0' } },
            },
          ],
        };
        await invoke(unpack(fn('psoxy-hris-bulk').zip), [event], {
          AWS_ENDPOINT_URL_SSM: ssm.url,
          // an IP endpoint makes the SDK address buckets by path; s3rver checks signatures with its own keys
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
          AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
          AWS_LAMBDA_FUNCTION_NAME: 'psoxy-hris',
          OUTPUT_BUCKET: 'hris-out',
          RULES: 'columnsToPseudonymize: [employee_id, email]\ncolumnsToRedact: [name]\n',
        });
        const o = await s3.send(new GetObjectCommand({ Bucket: 'hris-out', Key: 'weekly/export.csv' }));
        const text = gunzipSync(Buffer.from((await o.Body?.transformToByteArray()) ?? [])).toString();
        expect(text.split('\n')[0]).toBe('employee_id,email');
        expect(text).not.toMatch(/ada@|Ada/);
        const head = await s3.send(new HeadObjectCommand({ Bucket: 'hris-out', Key: 'weekly/export.csv' }));
        expect(head.Metadata?.['psoxy-instance-id']).toBe('psoxy-hris');
        expect(head.Metadata?.['psoxy-salt-sha']).toBe(p.saltFingerprint);
      } finally {
        s3.destroy();
        await server.close();
      }
    });
  });
});

describe('psoxy bundle: mistakes', () => {
  it('refuses an unknown connector, a connector without bulk rules, no function, a bad config file', () => {
    const unknown = psoxy(['bundle', '--host', 'aws', '--connector', 'nope', '--out', join(work, 'x')], { cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown connector 'nope'/);
    const noBulk = psoxy(['bundle', '--host', 'aws', '--bulk', 'zoom', '--out', join(work, 'x')], { cwd: work });
    expect(noBulk.code).toBe(2);
    expect(noBulk.stderr).toMatch(/connector zoom has no bulk rules/);
    const none = psoxy(['bundle', '--host', 'aws'], { cwd: work });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name at least one function/);
    writeFileSync(join(work, 'bad.json'), '{"connectorModules": "x"}');
    const bad = psoxy(['bundle', '--host', 'aws', '--connector', 'zoom', '--config', join(work, 'bad.json')], { cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected \{"connectorModules"/);
    expect(`${unknown.stderr}${noBulk.stderr}${none.stderr}${bad.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('bundles a third-party connector listed in the config file', () => {
    const dir = join(work, 'third-party');
    mkdirSync(dir, { recursive: true });
    // a connector module as its author would publish it, importing @psoxy/core by name
    const core = fileURLToPath(import.meta.resolve('@psoxy/core'));
    writeFileSync(
      join(dir, 'acme.mjs'),
      `import { defineConnector, bearerToken } from ${JSON.stringify(core)};
export const acme = defineConnector({
  id: 'acme-hr', displayName: 'Acme HR', settings: [{ name: 'API_TOKEN', description: 'Acme API token.', secret: true, required: true }],
  docs: { grants: ['read:people'], setup: ['Create an API token in Acme.'] },
  target: 'https://api.acme.example', auth: () => bearerToken({ secret: 'API_TOKEN' }),
  rules: { endpoints: [{ pathTemplate: '/people', allowedMethods: ['GET'], transforms: [{ method: 'redact', jsonPaths: ['$..name'] }] }] },
});
`,
    );
    writeFileSync(join(dir, 'psoxy.config.json'), JSON.stringify({ connectorModules: ['./acme.mjs'] }));
    const r = psoxy(['bundle', '--host', 'aws', '--connector', 'acme-hr', '--out', join(dir, 'dist')], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/psoxy-acme-hr: API function, acme-hr/);
    expect(r.stdout).toMatch(/\/PSOXY_ACME_HR_API_TOKEN/);
  });

  it('finds and bundles a third-party connector package by its name (@scope/psoxy-connector-*)', () => {
    const project = join(work, 'project');
    const pkg = join(project, 'node_modules', '@acme', 'psoxy-connector-people');
    mkdirSync(pkg, { recursive: true });
    // installed as npm would: the package imports @psoxy/core by name, resolved from the project
    mkdirSync(join(project, 'node_modules', '@psoxy'), { recursive: true });
    symlinkSync(dirname(dirname(fileURLToPath(import.meta.resolve('@psoxy/core')))), join(project, 'node_modules', '@psoxy', 'core'), 'dir');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/psoxy-connector-people', version: '2.3.4', type: 'module', exports: { '.': './index.js' } }));
    writeFileSync(
      join(pkg, 'index.js'),
      `import { defineConnector, bearerToken } from '@psoxy/core';
export const people = defineConnector({
  id: 'acme-people', displayName: 'Acme People', settings: [{ name: 'API_TOKEN', description: 'Acme API token.', secret: true, required: true }],
  docs: { grants: ['read:people'], setup: ['Create an API token in Acme.'] },
  target: 'https://people.acme.example', auth: () => bearerToken({ secret: 'API_TOKEN' }),
  rules: { endpoints: [{ pathTemplate: '/people', allowedMethods: ['GET'], transforms: [{ method: 'redact', jsonPaths: ['$..name'] }] }] },
});
`,
    );
    const r = psoxy(['bundle', '--host', 'aws', '--connector', 'acme-people', '--out', join(project, 'dist')], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = readManifest(join(project, 'dist')).functions[0];
    expect(f?.connector).toEqual({ id: 'acme-people', package: '@acme/psoxy-connector-people', version: '2.3.4' });
    const code = zipCode(join(project, 'dist'), f?.zip as string);
    expect(code).toMatch(/people\.acme\.example/);
  });
});
