// Bundle size per connector and cold start: each AWS zip from `psoxy bundle` is loaded in a fresh
// Node process and serves its first request (auth dance included: token endpoint, SSM reads and
// write-back) against loopback fakes over HTTPS; the baseline is a bare handler (fetch the same
// source, return the body) loaded the same way, in the same run.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeSsm, startLoopback, testCertificate } from '@psoxy/testkit';
import { unzipSync } from 'fflate';
import { bundleFunction } from '../packages/cli/dist/lib/bundle.js';
import { discoverConnectors } from '../packages/cli/dist/lib/connectors.js';
import { median } from './lib.mjs';

const run = promisify(execFile);

/** Bytes of `file` and of every chunk it imports statically, transitively (`import ... from "./chunk-X.mjs"`). */
function staticCodeBytes(dir, file, seen = new Set()) {
  if (seen.has(file)) return 0;
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  let bytes = Buffer.byteLength(code);
  for (const m of code.matchAll(/\bimport\s*(?:[\w$*{][^"']*?from\s*)?["']\.\/(chunk-[\w]+\.mjs)["']/g)) bytes += staticCodeBytes(dir, m[1], seen);
  return bytes;
}

/** Prints, as JSON: ms since the process started when the runner began (Node's own start), the module was loaded, and the first response was ready. */
const RUNNER = `const started = performance.now();
import { pathToFileURL } from 'node:url';
const [dir, event] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(dir + '/index.mjs').href);
const loaded = performance.now();
const r = await handler(JSON.parse(event));
const first = performance.now();
process.stdout.write(JSON.stringify({ started, loaded, first, status: r.statusCode, body: String(r.body).slice(0, 300) }));
`;
const BARE = `export const handler = async (e) => {
  const r = await fetch('https://' + process.env.TARGET_HOST + e.rawPath);
  return { statusCode: r.status, body: await r.text() };
};
`;

const functionUrlEvent = (target) => {
  const [path, query = ''] = target.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https' },
    requestContext: { domainName: 'abc.lambda-url.us-east-1.on.aws', stage: '$default', http: { method: 'GET', path, sourceIp: '203.0.113.7' } },
    isBase64Encoded: false,
  };
};

/** One HTTPS loopback server standing in for every source and token endpoint. */
async function startSources(tls) {
  const server = await startLoopback((req, res) => {
    const json = (body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && /\/access_tokens$/.test(req.path)) return json({ token: 'ghs_bench', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    if (req.method === 'POST') return json({ access_token: 'bench-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-next', instance_url: server.url });
    return json({});
  }, { tls });
  return server;
}

/** Settings that point a connector's token endpoint at the loopback source, where its form is particular. */
const PER_CONNECTOR = {
  github: (url) => ({ REFRESH_ENDPOINT: `${url}/app/installations/1/access_tokens` }),
  'github-non-enterprise': (url) => ({ REFRESH_ENDPOINT: `${url}/app/installations/1/access_tokens` }),
  // static tokens
  asana: () => ({ ACCESS_TOKEN: 'bench-static-token' }),
  'jira-server': () => ({ ACCESS_TOKEN: 'bench-static-token' }),
  'slack-discovery-api': () => ({ ACCESS_TOKEN: 'bench-static-token' }),
  'slack-analytics': () => ({ ACCESS_TOKEN: 'bench-static-token' }),
};
// Microsoft 365 on AWS: the client-secret flow (federated tokens come from GCP or a file)
for (const id of ['msft-entra-id', 'msft-teams', 'outlook-cal', 'outlook-mail']) PER_CONNECTOR[id] = () => ({ CREDENTIALS_FLOW: 'client_secret' });

/** `ids`: only these connectors; `profileDir`: write a V8 CPU profile of each cold start there (for `--cpu-prof` analysis). */
export async function benchBundles({ runs = 7, ids = [], profileDir } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'psoxy-bench-bundle-'));
  const cert = await testCertificate();
  const ca = join(work, 'ca.pem');
  writeFileSync(ca, cert.cert);
  const sources = await startSources(cert);
  const ssm = await startFakeSsm();
  const host = sources.url.replace('https://', '');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const secrets = {
    PSOXY_SALT: 'bench-salt',
    PSOXY_ENCRYPTION_KEY: 'bench-key',
    CLIENT_ID: 'bench-client',
    CLIENT_SECRET: 'bench-secret',
    ACCOUNT_ID: 'bench-account',
    PRIVATE_KEY: pem,
    REFRESH_TOKEN: 'rt-first',
    SERVICE_ACCOUNT_KEY: JSON.stringify({ type: 'service_account', client_email: 'psoxy@bench.iam.gserviceaccount.com', private_key: pem, private_key_id: 'k1', token_uri: `${sources.url}/token` }),
  };
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PSOXY_')));
  const env = {
    ...base,
    ...secrets,
    NODE_EXTRA_CA_CERTS: ca,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SSM: ssm.url,
    TARGET_HOST: host,
    REFRESH_ENDPOINT: `${sources.url}/token`,
    TENANT_ID: 'bench-tenant',
    GITHUB_ENTERPRISE_SERVER_HOST: host,
    JIRA_SERVER_URL: sources.url,
    SALESFORCE_DOMAIN: host,
    USER_TO_IMPERSONATE: 'admin@acme.example',
  };
  const runner = join(work, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  /** One cold start: the runner's timings, or why it crashed. */
  const once = async (dir, target, extraEnv = {}) => {
    try {
      const { stdout } = await run(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), runner, dir, JSON.stringify(functionUrlEvent(target))], { env: { ...env, ...extraEnv } });
      return JSON.parse(stdout);
    } catch (e) {
      const lines = String(e.stderr ?? e.message).split('\n').filter((l) => /Error|error:| {2}- /.test(l) && l.length < 400);
      return { started: Number.NaN, loaded: Number.NaN, first: Number.NaN, status: 'crashed', body: lines.slice(0, 3).join(' | ') };
    }
  };
  const medians = (samples) => {
    const last = samples.at(-1);
    if (samples.some((s) => s.status === 'crashed')) return samples.find((s) => s.status === 'crashed');
    return { started: median(samples.map((s) => s.started)), loaded: median(samples.map((s) => s.loaded)), first: median(samples.map((s) => s.first)), status: last.status, body: last.body };
  };
  /** The bare handler and the bundle, started alternately (so that the VM's swings hit both alike); medians of each. */
  const coldPair = async (dir, target, extraEnv) => {
    const bare = [];
    const bundle = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await once(bareDir, target));
      bundle.push(await once(dir, target, extraEnv));
    }
    return { bare: medians(bare), cold: medians(bundle) };
  };
  const bareDir = join(work, 'bare');
  mkdirSync(bareDir);
  writeFileSync(join(bareDir, 'index.mjs'), BARE);
  const rows = [];
  try {
    const connectors = [...(await discoverConnectors()).values()].filter((c) => c.packageName.startsWith('@psoxy/connector-'));
    for (const found of connectors.filter((x) => ids.length === 0 || ids.includes(x.connector.id))) {
      const c = found.connector;
      const f = await bundleFunction('aws', { kind: 'api', name: c.id, connector: found }, join(work, 'dist'));
      const dir = join(work, c.id);
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of Object.entries(unzipSync(readFileSync(join(work, 'dist', f.zip))))) writeFileSync(join(dir, name), bytes);
      const target = (c.docs.exampleCalls?.[0] ?? '/').replace(/\{[A-Z_]+\}/g, 'acme');
      // the bare handler is measured next to each bundle, so that drift hits both alike
      const { bare, cold: t } = await coldPair(dir, target, { AWS_LAMBDA_FUNCTION_NAME: `psoxy-${c.id}`, ...(PER_CONNECTOR[c.id]?.(sources.url) ?? {}) });
      // the GCP zip of the same connector, for its size (its cold start needs functions-framework's server)
      const gcp = await bundleFunction('gcp', { kind: 'api', name: c.id, connector: found }, join(work, 'dist-gcp'));
      // the code a start parses: the entry module and the chunks it imports statically (chunks
      // imported only on demand, such as the YAML parser, are left out)
      rows.push({ id: c.id, zipBytes: f.bytes, gcpZipBytes: gcp.bytes, entryBytes: staticCodeBytes(dir, 'index.mjs'), bare, cold: t });
    }
  } finally {
    await sources.close();
    await ssm.close();
  }
  return rows;
}
