import {
  ChainSecretStore,
  type CompiledRestRules,
  EnvSecretStore,
  FileSecretStore,
  InProcessLease,
  type LogLevel,
  MemorySecretStore,
  type ProxyHandler,
  type SecretStore,
  compileRestRules,
  createProxy,
  loadRestRules,
  proxySettingsFromEnv,
  pseudonymizerFromSecrets,
  streamLogger,
  targetFromHost,
} from '@psoxy/core';
import { UserError } from './errors.js';
import { readText } from './input.js';

export interface LocalProxyOptions {
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
  let target = settings.target;
  if (o.target) {
    try {
      target = targetFromHost(o.target, o.allowHttpTarget);
    } catch (e) {
      throw new UserError(`${(e as Error).message.replace(/^TARGET_HOST=/, '--target ')}${/http:\/\//.test(o.target) && !o.allowHttpTarget ? ' (pass --allow-http-target for a local test source)' : ''}`);
    }
  }
  if (!target) throw new UserError('no target: pass --target <base-url> or set TARGET_HOST');
  let rulesText: string;
  let source: string;
  if (o.rulesFile) {
    rulesText = await readText(o.rulesFile);
    source = o.rulesFile;
  } else if (settings.rules) {
    rulesText = settings.rules;
    source = 'RULES';
  } else {
    throw new UserError('no rules: pass --rules <file> (or --connector <id>), or set RULES');
  }
  const rules = compileRestRules(loadRestRules(rulesText, { source }), { source });
  const stores: SecretStore[] = [new MemorySecretStore({ PSOXY_SALT: o.salt, PSOXY_ENCRYPTION_KEY: o.encryptionKey })];
  if (o.secretsFile) stores.push(new FileSecretStore(o.secretsFile));
  stores.push(new EnvSecretStore(env));
  const secrets = new ChainSecretStore(stores);
  const pseudonymizer = await pseudonymizerFromSecrets(secrets, settings);
  const log = streamLogger({ level: o.logLevel ?? 'info', json: o.logJson });
  for (const w of rules.warnings) log.warn(w);
  const handler = createProxy({
    rules,
    pseudonymizer,
    target,
    secrets,
    lease: new InProcessLease(),
    fetch: globalThis.fetch,
    log,
    source: o.source ?? settings.source ?? source,
    timeoutMs: settings.timeoutMs,
    allowedIpBlocks: settings.allowedIpBlocks,
    requestPathPrefixToTrim: settings.requestPathPrefixToTrim,
    followRedirects: settings.followRedirects,
    allowInsecureTarget: o.allowHttpTarget,
  });
  return { handler, rules, target, secrets };
}
