import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { type BundledFunction, type FunctionSpec, type Host, bundleAll } from '../lib/bundle.js';
import { PsoxyCommand } from '../lib/base.js';
import { discoverConnectors, findConnector } from '../lib/connectors.js';
import { UserError } from '../lib/errors.js';

const DEFAULT_CONFIG = 'psoxy.config.json';

interface BundleConfig {
  /** Connector modules beyond the installed packages found by name: package names or file paths (relative to the config file). */
  connectorModules?: string[];
}

async function readConfig(path: string, explicit: boolean): Promise<BundleConfig & { dir: string }> {
  if (!existsSync(path)) {
    if (explicit) throw new UserError(`config file not found: ${path}`);
    return { dir: process.cwd() };
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const mods = (value as BundleConfig | null)?.connectorModules;
  if (!value || typeof value !== 'object' || Array.isArray(value) || (mods !== undefined && (!Array.isArray(mods) || mods.some((m) => typeof m !== 'string')))) {
    throw new UserError(`${path}: expected {"connectorModules": ["<package name or file>", ...]}`);
  }
  const unknown = Object.keys(value).filter((k) => k !== 'connectorModules');
  if (unknown.length > 0) throw new UserError(`${path}: unknown setting ${unknown.join(', ')} (only connectorModules is read)`);
  return { connectorModules: mods, dir: dirname(resolve(path)) };
}

export default class Bundle extends PsoxyCommand {
  static override summary = 'Build deployable function zips for AWS Lambda or Google Cloud Functions.';

  static override description = `Bundles each selected connector with the host's entry point into one zip per function (esbuild: minified ESM, only the code the connector uses: index.mjs, and chunks read on first import for what only some starts need, such as the YAML parser; licences in *.LEGAL.txt). The zips are reproducible: the same inputs give the same bytes, so the hash in the manifest changes only when the code does.

--connector <id> makes an API function (the proxy in front of the connector's source). --api <name> makes an API function without a connector: RULES, TARGET_HOST and Psoxy's SOURCE_AUTH_STRATEGY_IDENTIFIER settings describe the source at run time (e.g. --api cursor for a source with no connector installed). --bulk <name> makes a bucket-triggered function: with a connector's id it uses that connector's bulk rules; any other name makes a function that reads its rules from RULES at run time (e.g. --bulk hris).

AWS: handler index.handler, runtime nodejs20.x or later; API functions accept Function URL and API Gateway (payload 1.0 and 2.0) events, bulk functions S3 ObjectCreated events. GCP (gen2): entry point handler; the zip carries a package.json so that Cloud Build installs @google-cloud/functions-framework; bulk functions take google.cloud.storage.object.v1.finalized events.

Connectors are found as installed packages named @psoxy/connector-*, psoxy-connector-* or @scope/psoxy-connector-*, in PSOXY_CONNECTOR_MODULES, and in the connectorModules list of the config file (--config, default ./psoxy.config.json if present): {"connectorModules": ["my-connector-package", "./connectors/acme.js"]}.

Writes <out>/<host>-<name>.zip (bulk: <host>-<name>-bulk.zip) and <out>/manifest.json: per function the connector and its version, the rules hash, the zip's SHA-256 (base64, as Terraform's filebase64sha256), the handler, the environment variables and secrets it reads, and the packages it contains.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host aws --connector github',
    '<%= config.bin %> <%= command.id %> --host aws --connector gcal --connector gdirectory --bulk hris --out build/',
    '<%= config.bin %> <%= command.id %> --host gcp --connector slack-discovery-api --config psoxy.config.json',
  ];

  static override flags = {
    host: Flags.string({ description: 'Cloud to build for.', options: ['aws', 'gcp'], required: true }),
    connector: Flags.string({ char: 'c', description: 'An API connector to build a function for (repeatable).', helpValue: '<id>', multiple: true }),
    api: Flags.string({
      description: 'An API function without a connector (repeatable), named so: its rules (RULES), source (TARGET_HOST) and source auth (SOURCE_AUTH_STRATEGY_IDENTIFIER...) are read at run time, as for Psoxy\'s generic sources.',
      helpValue: '<name>',
      multiple: true,
    }),
    bulk: Flags.string({ description: "A bucket-triggered function (repeatable): a connector's id (its bulk rules) or a name (rules from RULES).", helpValue: '<name>', multiple: true }),
    out: Flags.string({ char: 'o', description: 'Folder for the zips and manifest.json.', helpValue: '<dir>', default: 'dist' }),
    config: Flags.string({ description: `JSON file listing further connector modules (default ./${DEFAULT_CONFIG} if present).`, helpValue: '<file>' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Bundle);
    const api = flags.connector ?? [];
    const generic = flags.api ?? [];
    const bulk = flags.bulk ?? [];
    if (api.length === 0 && generic.length === 0 && bulk.length === 0) {
      throw new UserError('name at least one function: --connector <id> (API), --api <name> (API from RULES and settings) or --bulk <name> (bucket-triggered); psoxy connectors lists the connectors installed');
    }
    const config = await readConfig(flags.config ?? DEFAULT_CONFIG, flags.config !== undefined);
    const extra = (config.connectorModules ?? []).map((m) => (m.startsWith('.') || m.startsWith('/') ? resolve(config.dir, m) : m));
    const specs: FunctionSpec[] = [];
    const seen = new Set<string>();
    const once = (key: string) => {
      if (seen.has(key)) throw new UserError(`${key} is named twice`);
      seen.add(key);
    };
    for (const id of api) {
      once(`--connector ${id}`);
      specs.push({ kind: 'api', name: id, connector: await findConnector(id, extra) });
    }
    for (const name of generic) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new UserError(`--api ${name}: a function name is lower-case words joined by hyphens (e.g. cursor)`);
      if (api.includes(name)) throw new UserError(`--api ${name} and --connector ${name} would build two functions named psoxy-${name}`);
      once(`--api ${name}`);
      specs.push({ kind: 'api', name });
    }
    for (const name of bulk) {
      once(`--bulk ${name}`);
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new UserError(`--bulk ${name}: a function name is lower-case words joined by hyphens (e.g. hris)`);
      const found = (await discoverConnectors(process.env, extra)).get(name);
      if (found && !found.connector.bulkRules) throw new UserError(`--bulk ${name}: connector ${name} has no bulk rules (use --connector ${name} for its API function, or another name for a function with RULES)`);
      specs.push({ kind: 'bulk', name, connector: found });
    }
    const out = resolve(flags.out);
    let manifest: Awaited<ReturnType<typeof bundleAll>>;
    try {
      manifest = await bundleAll(flags.host as Host, specs, out);
    } catch (e) {
      const err = e as Error & { errors?: { text: string; location?: { file: string } | null }[] };
      if (err.errors?.length) throw new UserError(`cannot bundle: ${err.errors.map((x) => `${x.text}${x.location ? ` (${x.location.file})` : ''}`).join('; ')}`);
      if (/^cannot find @psoxy\/host-/.test(err.message)) throw new UserError(err.message);
      throw e;
    }
    const lines: string[] = [];
    for (const f of manifest.functions) lines.push(...describe(f, out));
    lines.push(`manifest: ${relative(process.cwd(), resolve(out, 'manifest.json'))}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

function describe(f: BundledFunction, out: string): string[] {
  const kb = (f.bytes / 1024).toFixed(0);
  const what = f.connector ? `${f.connector.id} (${f.connector.package}@${f.connector.version})` : 'rules from RULES';
  return [
    `${f.name}: ${f.kind === 'api' ? 'API' : 'bulk'} function, ${what}`,
    `  zip      ${relative(process.cwd(), resolve(out, f.zip))} (${kb} KiB, sha256 ${f.sha256})`,
    `  handler  ${f.handler} (${f.runtime})`,
    '  env',
    ...Object.entries(f.env).map(([k, v]) => `    ${k}: ${v}`),
    '  secrets',
    ...f.secrets.map((s) => `    ${s}`),
    '',
  ];
}
