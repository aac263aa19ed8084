import type { AuthStrategy, WorkloadIdentity } from '../auth/types.js';
import type { HttpClient } from '../http/types.js';
import { type Connector, connectorRules, connectorTarget } from '../connector/define.js';
import { connectorConfigFromEnv } from '../connector/config.js';
import type { Lease } from '../runtime/lease.js';
import type { Logger } from '../runtime/logger.js';
import type { SecretStore } from '../runtime/secrets.js';
import { type CompiledRestRules, compileRestRules } from '../sanitize/rest-rules.js';
import { ConfigError, type ProxySettings, proxySettingsFromEnv, pseudonymizerFromSecrets, targetFromHost } from './config.js';
import { type ProxyHandler, type ProxyOutputs, createProxy } from './handler.js';
import type { AsyncDispatcher, ResponseOutput } from './outputs.js';
import { sourceAuthFromEnv } from './source-auth.js';

export interface ComposeProxyOptions {
  /** The connector to serve (its rules, target and auth), if any. */
  connector?: Connector | undefined;
  /** Configuration, by Psoxy's names (`TARGET_HOST`, `RULES`, `PSOXY_SALT` via `secrets`...). */
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  /** Where settings not in `env` are read (`RULES`), when not where the secrets are (default `secrets`). */
  config?: SecretStore | undefined;
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
  /**
   * Makes a response output from a URI the settings name (`SIDE_OUTPUT_*`,
   * `ASYNC_OUTPUT_DESTINATION`: `s3://…` on AWS), throwing on one it cannot write to; absent, the
   * host writes none, and those settings are refused.
   */
  output?: ((uri: string, setting: string) => ResponseOutput) | undefined;
  /** Queues `Prefer: respond-async` requests; absent, the host has no asynchronous mode. */
  asyncDispatcher?: AsyncDispatcher | undefined;
}

/** The outputs the settings ask for, each refused with its setting's name when the host cannot make it. */
function outputsFrom(settings: ProxySettings, o: ComposeProxyOptions): ProxyOutputs | undefined {
  const problems: string[] = [];
  const make = (setting: string, uri: string | undefined): ResponseOutput | undefined => {
    if (uri === undefined) return undefined;
    if (!o.output) {
      problems.push(`${setting}=${uri} is set, but this host writes no outputs (side outputs and the asynchronous mode run on AWS Lambda, Google Cloud Functions and psoxy serve)`);
      return undefined;
    }
    try {
      return o.output(uri, setting);
    } catch (e) {
      problems.push(`${setting}=${uri}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const original = make('SIDE_OUTPUT_ORIGINAL', settings.sideOutputOriginal);
  const sanitized = make('SIDE_OUTPUT_SANITIZED', settings.sideOutputSanitized);
  const asyncOutput = make('ASYNC_OUTPUT_DESTINATION', settings.asyncOutputDestination);
  // every output of a request is written at the same key: unsanitized data must not share a place
  // with sanitized data, where it could replace what callers read
  const overlap = (a: ResponseOutput, b: ResponseOutput) => a.uri.startsWith(b.uri) || b.uri.startsWith(a.uri);
  for (const [setting, other] of [
    ['SIDE_OUTPUT_SANITIZED', sanitized],
    ['ASYNC_OUTPUT_DESTINATION', asyncOutput],
  ] as const) {
    if (original && other && overlap(original, other)) problems.push(`SIDE_OUTPUT_ORIGINAL (${original.uri}) and ${setting} (${other.uri}) overlap: the unsanitized copies must go to a bucket or prefix of their own`);
  }
  if (settings.asyncOutputDestination !== undefined && o.output && !o.asyncDispatcher) {
    problems.push(
      'ASYNC_OUTPUT_DESTINATION is set, but there is no queue for asynchronous requests: set ASYNC_API_REQUEST_QUEUE_URL on AWS (the SQS queue that invokes this function), ASYNC_PUB_SUB_QUEUE on GCP (the Pub/Sub topic whose push subscription does)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!original && !sanitized && !asyncOutput) return undefined;
  return { original, sanitized, async: asyncOutput && o.asyncDispatcher ? { output: asyncOutput, dispatcher: o.asyncDispatcher } : undefined };
}

/**
 * The proxy a host serves, from configuration: the target (override, `TARGET_HOST`, or the
 * connector's), the rules (override, `RULES`, or the connector's), the connector's auth (else
 * Psoxy's `SOURCE_AUTH_STRATEGY_IDENTIFIER` settings, see {@link sourceAuthFromEnv}), the
 * pseudonymizer from the secrets, and Psoxy's settings. Every problem is a ConfigError.
 */
export async function composeProxy(o: ComposeProxyOptions): Promise<{ handler: ProxyHandler; rules: CompiledRestRules; target: string; auth: AuthStrategy | undefined }> {
  const settings = proxySettingsFromEnv(o.env, { allowInsecureTarget: o.allowInsecureTarget });
  const outputs = outputsFrom(settings, o);
  const config = o.connector ? connectorConfigFromEnv(o.connector, o.env) : undefined;
  const target = o.target ? targetFromHost(o.target, o.allowInsecureTarget) : (settings.target ?? (o.connector && config ? connectorTarget(o.connector, config) : undefined));
  if (!target) throw new ConfigError(['no target: set TARGET_HOST (or serve a connector)']);
  // a connector brings its auth; without one, Psoxy's SOURCE_AUTH_STRATEGY_IDENTIFIER settings may name one
  const auth = o.connector && config ? o.connector.auth(config) : sourceAuthFromEnv(o.env, { allowInsecureTokenEndpoint: o.allowInsecureTarget });
  // The secrets are read first, and the rules compiled while the reads are in flight: on a cold
  // start each read is a round trip to the cloud's store. The source's secrets are read beside the
  // pseudonymizer's, so that a caching store answers the first request from memory.
  const secretsRead = Promise.all([
    pseudonymizerFromSecrets(o.secrets, settings),
    ...(auth?.secretNames ?? []).map((n) => o.secrets.get(n).catch(() => undefined)),
  ]);
  // a rules error is reported first, and a failed read then rejects nothing unhandled
  secretsRead.catch(() => undefined);
  // `RULES` not in the environment may be in the store (Psoxy's Terraform puts long rules in a
  // parameter). A failed read fails the start: falling back to the connector's default rules
  // could serve more than the custom rules allow.
  const configStore = o.config ?? o.secrets;
  const storedRules = o.rules || settings.rules ? undefined : configStore.get('RULES');
  storedRules?.catch(() => undefined);
  // Node opens the reads' connections on the next turn of the event loop: let it, so that they
  // are under way (connect, TLS hello sent) while the rules compile, not after
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  const compileText = async (text: { text: string; source: string }) => {
    // loaded only here: a function serving its connector's own rules never needs the YAML parser
    const { loadRestRules } = await import('../rules/load.js');
    return { rules: compileRestRules(loadRestRules(text.text, { source: text.source }), { source: text.source }), source: text.source };
  };
  const given = o.rules ?? (settings.rules ? { text: settings.rules, source: 'RULES' } : undefined);
  let compiled: { rules: CompiledRestRules; source: string };
  if (given) {
    compiled = await compileText(given);
  } else {
    // the connector's rules are compiled while the store is asked for RULES, and dropped if it has them
    const defaults = o.connector && config ? { rules: compileRestRules(connectorRules(o.connector, config), { source: `connector ${o.connector.id}` }), source: `connector ${o.connector.id}` } : undefined;
    const stored = (await storedRules)?.value;
    if (stored) compiled = await compileText({ text: stored, source: `RULES (${configStore.description})` });
    else if (defaults) compiled = defaults;
    else throw new ConfigError([`no rules: set RULES (in the environment or ${configStore.description}), or serve a connector`]);
  }
  const { rules, source } = compiled;
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
    // what the health check reports: Psoxy's SOURCE when set, else the connector's source kind or id
    source: settings.source ?? o.connector?.sourceKind ?? o.connector?.id ?? source,
    timeoutMs: settings.timeoutMs,
    userAgent: settings.userAgent,
    allowedIpBlocks: settings.allowedIpBlocks,
    requestPathPrefixToTrim: settings.requestPathPrefixToTrim,
    followRedirects: settings.followRedirects,
    allowInsecureTarget: o.allowInsecureTarget,
    functionName: o.functionName,
    workloadIdentity: o.workloadIdentity,
    outputs,
    health: {
      bundleFilename: o.env.BUNDLE_FILENAME || undefined,
      pseudonymizeAppIds: /^true$/i.test(o.env.PSEUDONYMIZE_APP_IDS?.trim() ?? ''),
      sourceAuthStrategy: o.env.SOURCE_AUTH_STRATEGY_IDENTIFIER?.trim() || undefined,
      sourceAuthGrantType: o.env.GRANT_TYPE?.trim() || undefined,
    },
  });
  return { handler, rules, target, auth };
}
