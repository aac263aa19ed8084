import type { WorkloadIdentity } from '../auth/types.js';
import type { HttpClient } from '../http/types.js';
import { type Connector, connectorRules, connectorTarget } from '../connector/define.js';
import { connectorConfigFromEnv } from '../connector/config.js';
import type { Lease } from '../runtime/lease.js';
import type { Logger } from '../runtime/logger.js';
import type { SecretStore } from '../runtime/secrets.js';
import { type CompiledRestRules, compileRestRules } from '../sanitize/rest-rules.js';
import { ConfigError, proxySettingsFromEnv, pseudonymizerFromSecrets, targetFromHost } from './config.js';
import { type ProxyHandler, createProxy } from './handler.js';

export interface ComposeProxyOptions {
  /** The connector to serve (its rules, target and auth), if any. */
  connector?: Connector | undefined;
  /** Configuration, by Psoxy's names (`TARGET_HOST`, `RULES`, `PSOXY_SALT` via `secrets`...). */
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  lease: Lease;
  /** How the proxy calls the source and token endpoints (`nodeHttpClient()` on every host). */
  http: HttpClient;
  log: Logger;
  /** Rules that override the connector's and `RULES` (a file named on a command line). */
  rules?: { text: string; source: string } | undefined;
  /** A base URL that overrides `TARGET_HOST` and the connector's. */
  target?: string | undefined;
  allowInsecureTarget?: boolean | undefined;
  /** The host's function name, stripped as a path prefix. */
  functionName?: string | undefined;
  /** The host's identity token, for sources that federate with it. */
  workloadIdentity?: WorkloadIdentity | undefined;
}

/**
 * The proxy a host serves, from configuration: the target (override, `TARGET_HOST`, or the
 * connector's), the rules (override, `RULES`, or the connector's), the connector's auth, the
 * pseudonymizer from the secrets, and Psoxy's settings. Every problem is a ConfigError.
 */
export async function composeProxy(o: ComposeProxyOptions): Promise<{ handler: ProxyHandler; rules: CompiledRestRules; target: string }> {
  const settings = proxySettingsFromEnv(o.env, { allowInsecureTarget: o.allowInsecureTarget });
  const config = o.connector ? connectorConfigFromEnv(o.connector, o.env) : undefined;
  const target = o.target ? targetFromHost(o.target, o.allowInsecureTarget) : (settings.target ?? (o.connector && config ? connectorTarget(o.connector, config) : undefined));
  if (!target) throw new ConfigError(['no target: set TARGET_HOST (or serve a connector)']);
  const auth = o.connector && config ? o.connector.auth(config) : undefined;
  // The secrets are read first, and the rules compiled while the reads are in flight: on a cold
  // start each read is a round trip to the cloud's store. The source's secrets are read beside the
  // pseudonymizer's, so that a caching store answers the first request from memory.
  const secretsRead = Promise.all([
    pseudonymizerFromSecrets(o.secrets, settings),
    ...(auth?.secretNames ?? []).map((n) => o.secrets.get(n).catch(() => undefined)),
  ]);
  // a rules error is reported first, and a failed read then rejects nothing unhandled
  secretsRead.catch(() => undefined);
  // Node opens the reads' connections on the next turn of the event loop: let it, so that they
  // are under way (connect, TLS hello sent) while the rules compile, not after
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  let rules: CompiledRestRules;
  let source: string;
  const text = o.rules ?? (settings.rules ? { text: settings.rules, source: 'RULES' } : undefined);
  if (text) {
    source = text.source;
    // loaded only here: a function serving its connector's own rules never needs the YAML parser
    const { loadRestRules } = await import('../rules/load.js');
    rules = compileRestRules(loadRestRules(text.text, { source }), { source });
  } else if (o.connector && config) {
    source = `connector ${o.connector.id}`;
    rules = compileRestRules(connectorRules(o.connector, config), { source });
  } else {
    throw new ConfigError(['no rules: set RULES (or serve a connector)']);
  }
  const [pseudonymizer] = await secretsRead;
  for (const w of rules.warnings) o.log.warn(w);
  const handler = createProxy({
    auth,
    passThroughErrorBodies: o.connector?.passThroughErrorBodies,
    rules,
    pseudonymizer,
    target,
    secrets: o.secrets,
    lease: o.lease,
    http: o.http,
    log: o.log,
    source: o.connector?.id ?? settings.source ?? source,
    timeoutMs: settings.timeoutMs,
    allowedIpBlocks: settings.allowedIpBlocks,
    requestPathPrefixToTrim: settings.requestPathPrefixToTrim,
    followRedirects: settings.followRedirects,
    allowInsecureTarget: o.allowInsecureTarget,
    functionName: o.functionName,
    workloadIdentity: o.workloadIdentity,
  });
  return { handler, rules, target };
}
