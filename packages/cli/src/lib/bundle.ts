import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connector, PSOXY_TS_VERSION, compileRestRules, connectorRules, defaultConnectorConfig } from '@psoxy/core';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import type { FoundConnector } from './connectors.js';

export type Host = 'aws' | 'gcp';
export type FunctionKind = 'api' | 'bulk';

/** One function to bundle: an API connector, or a bucket-triggered one (with a connector's bulk rules, or none: `RULES` at run time). */
export interface FunctionSpec {
  kind: FunctionKind;
  /** The function's name part: the connector id, or the name given to a rules-only bulk function. */
  name: string;
  connector?: FoundConnector | undefined;
}

export interface BundledFunction {
  name: string;
  kind: FunctionKind;
  connector?: { id: string; package: string; version: string } | undefined;
  zip: string;
  bytes: number;
  /** base64 SHA-256 of the zip: Terraform's `filebase64sha256`, Lambda's `source_code_hash`. */
  sha256: string;
  handler: string;
  runtime: string;
  /** SHA-1 of the connector's default rules, as `X-Psoxy-Rules-Sha` reports them; absent when rules come from `RULES`. */
  rulesSha?: string | undefined;
  /** Environment variables the function reads (name -> what it is). */
  env: Record<string, string>;
  /** Secrets, by the name the host's secret store keeps them under. */
  secrets: string[];
  /** Packages inside the bundle, with versions: what a security review needs to know. */
  packages: string[];
}

export interface BundleManifest {
  psoxyVersion: string;
  host: Host;
  functions: BundledFunction[];
}

/** Where the host entry points are: resolved from the CLI's own dependencies. */
function hostModule(specifier: string): string {
  try {
    return fileURLToPath(import.meta.resolve(specifier));
  } catch {
    throw new Error(`cannot find ${specifier}: install it beside @psoxy/cli (npm i ${specifier.split('/').slice(0, 2).join('/')})`);
  }
}

/** `import { x as connector }` or the element of an exported array, from the module's absolute path. */
function connectorImport(c: FoundConnector): string {
  const from = JSON.stringify(c.entry);
  const { name, index } = c.exportPath;
  if (index === undefined) return `import { ${name} as connector } from ${from};\n`;
  return `import { ${name} as all } from ${from};\nconst connector = all[${index}];\n`;
}

/** The entry module of one function: the host's factory around the bundled connector. */
export function entrySource(host: Host, f: FunctionSpec): string {
  const c = f.connector ? connectorImport(f.connector) : '';
  const opts = f.connector ? '{ connector }' : '';
  if (host === 'aws') {
    const [mod, factory] = f.kind === 'api' ? ['@psoxy/host-aws/api', 'createLambdaApiHandler'] : ['@psoxy/host-aws/bulk', 'createS3BulkHandler'];
    return `import { ${factory} } from ${JSON.stringify(hostModule(mod))};\n${c}export const handler = ${factory}(${opts});\n`;
  }
  const [factory, register] = f.kind === 'api' ? ['createGcpApiFunction', 'http'] : ['createGcsBulkFunction', 'cloudEvent'];
  return `import { ${register} } from '@google-cloud/functions-framework';\nimport { ${factory} } from ${JSON.stringify(hostModule('@psoxy/host-gcp'))};\n${c}${register}('handler', ${factory}(${opts}));\n`;
}

/** Zip entries get one fixed time (a local-time DOS field), so the same inputs give the same bytes and hash. */
const FIXED_TIME = new Date(2000, 0, 1, 0, 0, 0);

/** `name@version` of each node_modules package whose files went into the bundle. */
function packagesIn(inputs: string[], root: string): string[] {
  const seen = new Set<string>();
  for (const input of inputs) {
    const path = input.split(sep).join('/');
    const at = path.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const parts = path.slice(at + 'node_modules/'.length).split('/');
    const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? '');
    const pkgDir = join(root, path.slice(0, at), 'node_modules', name);
    seen.add(`${name}@${packageVersion(pkgDir)}`);
  }
  return [...seen].sort();
}

const versions = new Map<string, string>();
function packageVersion(dir: string): string {
  let v = versions.get(dir);
  if (v === undefined) {
    try {
      v = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    } catch {
      v = '?';
    }
    versions.set(dir, v);
  }
  return v;
}

/** `hris-bulk` for a bulk function, the name alone for an API one: the stem of the function's and the zip's names. */
const stem = (f: FunctionSpec) => (f.kind === 'bulk' ? `${f.name}-bulk` : f.name);
const functionName = (f: FunctionSpec) => `psoxy-${stem(f)}`;

/** Writes a file whole or not at all (a temporary file, then a rename). */
async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** What the function reads, with the defaults the host packages apply. */
function describeEnv(host: Host, f: FunctionSpec): { env: Record<string, string>; secrets: string[] } {
  const c = f.connector?.connector;
  const env: Record<string, string> = {};
  // as Psoxy: from the function's name (AWS_LAMBDA_FUNCTION_NAME, K_SERVICE) when deployed under it
  const instance = `${host === 'aws' ? '/' : ''}${functionName(f).toUpperCase().replace(/-/g, '_')}_`;
  const shared = host === 'aws' ? '/' : 'psoxy_';
  env.PATH_TO_INSTANCE_CONFIG = `prefix of this function's secrets (default ${instance}, from the function's name ${functionName(f)})`;
  env.PATH_TO_SHARED_CONFIG = `prefix of the shared secrets, PSOXY_SALT among them (default ${shared})`;
  if (host === 'aws') env.SECRETS_STORE = 'aws_ssm_parameter_store (default) or aws_secrets_manager';
  else env.GOOGLE_CLOUD_PROJECT = "project of the Secret Manager secrets (default: the function's project)";
  const secrets = [`${shared}PSOXY_SALT`, `${shared}PSOXY_ENCRYPTION_KEY (optional: reversible tokens)`];
  if (f.kind === 'api') {
    env.TARGET_HOST = c ? 'optional: overrides the connector\'s source host' : 'the source host';
    if (!c) {
      env.RULES = 'the rules (YAML, or base64 of gzip of YAML; here or as a secret)';
      env.SOURCE_AUTH_STRATEGY_IDENTIFIER = 'optional: oauth2_access_token, basic_auth or oauth2_refresh_token (unset: no credentials)';
      env.REFRESH_ENDPOINT = 'with oauth2_refresh_token: the token endpoint';
      env.GRANT_TYPE = 'optional: refresh_token (default), account_credentials, or client_credentials with CREDENTIALS_FLOW=client_secret';
      secrets.push(`${instance}ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ACCOUNT_ID, BASIC_AUTH_USER_ID, BASIC_AUTH_PASSWORD (as the auth strategy needs)`);
    }
    env.PSEUDONYMIZE_APP_IDS = 'optional: true to pseudonymize app ids';
    env.EMAIL_CANONICALIZATION = 'optional: STRICT (default) or IGNORE_DOTS';
    env.ALLOWED_DATA_ACCESS_IP_BLOCKS = 'optional: CIDR blocks callers must come from';
    env.REQUEST_TIMEOUT_SECONDS = 'optional: the call budget in seconds; the source may take all but 30 of it, at least 60 (default: 180, of which the source may take 150)';
    env.USER_AGENT = 'optional: the User-Agent sent to the source (default psoxy-ts/<version>)';
    const bucket = host === 'aws' ? 's3://bucket/prefix/' : 'gs://bucket/prefix/';
    env.SIDE_OUTPUT_ORIGINAL = `optional: ${bucket} for a copy of every source answer, unsanitized`;
    env.SIDE_OUTPUT_SANITIZED = `optional: ${bucket} for a copy of every sanitized answer`;
    env.ASYNC_OUTPUT_DESTINATION = `optional: ${bucket} for the results of Prefer: respond-async requests (with a queue)`;
    if (host === 'aws') env.ASYNC_API_REQUEST_QUEUE_URL = 'with ASYNC_OUTPUT_DESTINATION: the SQS queue that invokes this function';
    else {
      env.ASYNC_PUB_SUB_QUEUE = 'with ASYNC_OUTPUT_DESTINATION: the Pub/Sub topic whose push subscription invokes this function';
      secrets.push(`${instance}SERVICE_URL (with ASYNC_PUB_SUB_QUEUE: this function's URL, the audience of the push tokens)`);
    }
  } else {
    env.OUTPUT_BUCKET = 'bucket sanitized files are written to';
    env.RULES = c?.bulkRules ? "optional: overrides the connector's bulk rules" : 'the bulk rules (here or as a secret)';
    env.ADDITIONAL_TRANSFORMS = 'optional: further outputs, e.g. lookup tables (YAML list)';
    env.INPUT_BASE_PATH = 'optional: removed from input keys';
    env.OUTPUT_BASE_PATH = 'optional: prefixed to output keys';
    env.COMPRESS_OUTPUT_ALWAYS = 'optional: gzip every output (default true)';
  }
  for (const s of c?.settings ?? []) {
    if (s.secret) secrets.push(`${instance}${s.name}${s.required ? '' : ' (optional)'}`);
    else env[s.name] = `${s.required ? '' : 'optional: '}${s.description}`;
  }
  return { env, secrets };
}

function rulesSha(c: Connector): string {
  return compileRestRules(connectorRules(c, defaultConnectorConfig(c))).sha;
}

const FUNCTIONS_FRAMEWORK = '^5.0.5';

/** Builds one function's zip into `outDir` and describes it. */
export async function bundleFunction(host: Host, f: FunctionSpec, outDir: string): Promise<BundledFunction> {
  const cliDir = dirname(fileURLToPath(import.meta.url));
  const result = await build({
    stdin: { contents: entrySource(host, f), resolveDir: cliDir, sourcefile: `${functionName(f)}-entry.mjs`, loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    // licences travel with the code, in their own file
    legalComments: 'external',
    // What only some starts need (the YAML parser, for a RULES text) goes into a chunk that is
    // read when first imported: less code for V8 to parse on every cold start (~5 ms of ~55 for
    // a Zoom function's module load, measured).
    splitting: true,
    outdir: 'bundle',
    entryNames: 'index',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: process.cwd(),
    mainFields: ['module', 'main'],
    conditions: ['node', 'import'],
    // the GCP runtime installs the framework from package.json; it must not be bundled twice
    external: host === 'gcp' ? ['@google-cloud/functions-framework'] : [],
    // bundled CommonJS dependencies call require() for Node built-ins: give the ESM bundle one
    banner: { js: "import { createRequire as __psoxyRequire } from 'node:module';\nconst require = __psoxyRequire(import.meta.url);" },
  });
  const files: Record<string, [Uint8Array, { mtime: Date; level: 9 }]> = {};
  for (const o of result.outputFiles) files[o.path.split(/[\\/]/).pop() as string] = [o.contents, { mtime: FIXED_TIME, level: 9 }];
  if (host === 'gcp') {
    const pkg = { name: functionName(f), version: PSOXY_TS_VERSION, private: true, type: 'module', main: 'index.mjs', engines: { node: '>=20' }, dependencies: { '@google-cloud/functions-framework': FUNCTIONS_FRAMEWORK } };
    files['package.json'] = [Buffer.from(`${JSON.stringify(pkg, null, 2)}\n`), { mtime: FIXED_TIME, level: 9 }];
  }
  const zip = zipSync(files);
  const zipName = `${host}-${stem(f)}.zip`;
  await mkdir(outDir, { recursive: true });
  await writeWhole(join(outDir, zipName), zip);
  const c = f.connector;
  return {
    name: functionName(f),
    kind: f.kind,
    connector: c ? { id: c.connector.id, package: c.packageName, version: c.version } : undefined,
    zip: zipName,
    bytes: zip.length,
    sha256: createHash('sha256').update(zip).digest('base64'),
    handler: host === 'aws' ? 'index.handler' : 'handler',
    runtime: host === 'aws' ? 'nodejs20.x (or later)' : 'nodejs20 (or later)',
    rulesSha: c && f.kind === 'api' ? rulesSha(c.connector) : undefined,
    ...describeEnv(host, f),
    packages: packagesIn(Object.keys(result.metafile.inputs), process.cwd()),
  };
}

/** Bundles every function, then writes `manifest.json` beside the zips. */
export async function bundleAll(host: Host, functions: FunctionSpec[], outDir: string): Promise<BundleManifest> {
  const out: BundledFunction[] = [];
  for (const f of functions) out.push(await bundleFunction(host, f, outDir));
  const manifest: BundleManifest = { psoxyVersion: PSOXY_TS_VERSION, host, functions: out };
  await writeWhole(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
