import {
  type AuthStrategy,
  ChainSecretStore,
  type Connector,
  type CompiledRestRules,
  EnvSecretStore,
  FileSecretStore,
  InProcessLease,
  type LogLevel,
  MemorySecretStore,
  type ProxyHandler,
  type SecretStore,
  compileRestRules,
  connectorConfigFromEnv,
  connectorRules,
  connectorTarget,
  createProxy,
  loadRestRules,
  nodeHttpFetch,
  proxySettingsFromEnv,
  pseudonymizerFromSecrets,
  secretPrefix,
  streamLogger,
  targetFromHost,
} from '@psoxy/core';
import { UserError } from './errors.js';
import { readText } from './input.js';

export interface LocalProxyOptions {
  /** Serve this connector: its rules, target and auth (a rules file or target given still win). */
  connector?: Connector | undefined;
  rulesFile?: string | undefined;
  target?: string | undefined;
  salt?: string | undefined;
  encryptionKey?: string | undefined;
  secretsFile?: string | undefined;
  source?: string | undefined;
  allowHttpTarget?: boolean | undefined;
  logLevel?: LogLevel | undefined;
  logJson?: boolean | undefined;
  env?: Record<string, string | undefined>;
}

/**
 * Everything `psoxy serve` needs, on embedded defaults: secrets from the command line, a local file
 * and the environment (in that order), an in-process lease, the platform fetch.
 */
export async function localProxy(o: LocalProxyOptions): Promise<{ handler: ProxyHandler; rules: CompiledRestRules; target: string; secrets: SecretStore }> {
  const env = o.env ?? process.env;
  const settings = proxySettingsFromEnv(env, { allowInsecureTarget: o.allowHttpTarget });
  const connectorConfig = o.connector ? connectorConfigFromEnv(o.connector, env) : undefined;
  let target = settings.target ?? (o.connector && connectorConfig ? connectorTarget(o.connector, connectorConfig) : undefined);
  if (o.target) {
    try {
      target = targetFromHost(o.target, o.allowHttpTarget);
    } catch (e) {
      throw new UserError(`${(e as Error).message.replace(/^TARGET_HOST=/, '--target ')}${/http:\/\//.test(o.target) && !o.allowHttpTarget ? ' (pass --allow-http-target for a local test source)' : ''}`);
    }
  }
  if (!target) throw new UserError('no target: pass --target <base-url> or set TARGET_HOST');
  let rules: CompiledRestRules;
  let source: string;
  if (o.rulesFile || settings.rules || !o.connector || !connectorConfig) {
    let rulesText: string;
    if (o.rulesFile) {
      rulesText = await readText(o.rulesFile);
      source = o.rulesFile;
    } else if (settings.rules) {
      rulesText = settings.rules;
      source = 'RULES';
    } else {
      throw new UserError('no rules: pass --rules <file> (or --connector <id>), or set RULES');
    }
    rules = compileRestRules(loadRestRules(rulesText, { source }), { source });
  } else {
    source = `connector ${o.connector.id}`;
    rules = compileRestRules(connectorRules(o.connector, connectorConfig), { source });
  }
  const stores: SecretStore[] = [new MemorySecretStore({ PSOXY_SALT: o.salt, PSOXY_ENCRYPTION_KEY: o.encryptionKey })];
  if (o.secretsFile) stores.push(new FileSecretStore(o.secretsFile));
  stores.push(new EnvSecretStore(env));
  // a connector's secrets may also carry Psoxy's per-connector prefix (PSOXY_GCAL_SERVICE_ACCOUNT_KEY)
  if (o.connector) stores.push(new EnvSecretStore(env, secretPrefix(o.connector.id)));
  const secrets = new ChainSecretStore(stores);
  const pseudonymizer = await pseudonymizerFromSecrets(secrets, settings);
  const log = streamLogger({ level: o.logLevel ?? 'info', json: o.logJson });
  for (const w of rules.warnings) log.warn(w);
  const auth: AuthStrategy | undefined = o.connector && connectorConfig ? o.connector.auth(connectorConfig) : undefined;
  const handler = createProxy({
    auth,
    passThroughErrorBodies: o.connector?.passThroughErrorBodies,
    rules,
    pseudonymizer,
    target,
    secrets,
    lease: new InProcessLease(),
    fetch: nodeHttpFetch(),
    log,
    source: o.source ?? o.connector?.id ?? settings.source ?? source,
    timeoutMs: settings.timeoutMs,
    allowedIpBlocks: settings.allowedIpBlocks,
    requestPathPrefixToTrim: settings.requestPathPrefixToTrim,
    followRedirects: settings.followRedirects,
    allowInsecureTarget: o.allowHttpTarget,
  });
  return { handler, rules, target, secrets };
}
