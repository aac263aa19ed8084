import { existsSync } from 'node:fs';
import {
  type AuthStrategy,
  ChainSecretStore,
  type CompiledRestRules,
  type Connector,
  EnvSecretStore,
  FileSecretStore,
  InProcessLease,
  type LogLevel,
  MemorySecretStore,
  type ProxyHandler,
  type SecretStore,
  FolderOutput,
  InProcessQueue,
  composeProxy,
  nodeHttpClient,
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
 * and the environment (in that order), an in-process lease, a keep-alive HTTP client.
 */
export async function localProxy(
  o: LocalProxyOptions,
): Promise<{ handler: ProxyHandler; rules: CompiledRestRules; target: string; secrets: SecretStore; auth: AuthStrategy | undefined; queue: InProcessQueue }> {
  const env = o.env ?? process.env;
  // the command line's own checks first, with advice in its terms
  if (o.target) {
    try {
      targetFromHost(o.target, o.allowHttpTarget);
    } catch (e) {
      throw new UserError(`${(e as Error).message.replace(/^TARGET_HOST=/, '--target ')}${/http:\/\//.test(o.target) && !o.allowHttpTarget ? ' (pass --allow-http-target for a local test source)' : ''}`);
    }
  }
  if (!o.target && !env.TARGET_HOST && !o.connector) throw new UserError('no target: pass --target <base-url> or set TARGET_HOST');
  if (!o.rulesFile && !env.RULES && !o.connector) throw new UserError('no rules: pass --rules <file> (or --connector <id>), or set RULES');
  const stores: SecretStore[] = [new MemorySecretStore({ PSOXY_SALT: o.salt, PSOXY_ENCRYPTION_KEY: o.encryptionKey })];
  if (o.secretsFile) {
    // a mistyped path would otherwise leave every secret it holds missing, silently
    if (!existsSync(o.secretsFile)) throw new UserError(`--secrets ${o.secretsFile}: no such file (it holds a JSON object of secrets, {"NAME": "value"})`);
    stores.push(new FileSecretStore(o.secretsFile));
  }
  stores.push(new EnvSecretStore(env));
  // a connector's secrets may also carry Psoxy's per-connector prefix (PSOXY_GCAL_SERVICE_ACCOUNT_KEY)
  if (o.connector) stores.push(new EnvSecretStore(env, secretPrefix(o.connector.id)));
  const secrets = new ChainSecretStore(stores);
  const log = streamLogger({ level: o.logLevel ?? 'info', json: o.logJson });
  // side outputs and asynchronous results go to folders on this machine; queued requests are
  // processed in this process, right after their 202
  const queue = new InProcessQueue(log);
  const { handler, rules, target, auth } = await composeProxy({
    connector: o.connector,
    env: o.source ? { ...env, SOURCE: o.source } : env,
    secrets,
    lease: new InProcessLease(),
    http: nodeHttpClient(),
    log,
    output: (uri) => new FolderOutput(uri),
    asyncDispatcher: queue,
    rules: o.rulesFile ? { text: await readText(o.rulesFile), source: o.rulesFile } : undefined,
    target: o.target,
    allowInsecureTarget: o.allowHttpTarget,
  });
  queue.attach(handler.exchange);
  return { handler, rules, target, secrets, auth, queue };
}
