import {
  type Connector,
  type ConnectorConfig,
  type HttpClient,
  InProcessLease,
  type Lease,
  MemorySecretStore,
  type NodeServer,
  type ProxyHandler,
  type ProxyOutputs,
  Pseudonymizer,
  type SecretStore,
  compileRestRules,
  connectorRules,
  createProxy,
  nodeHttpClient,
  serveNode,
  silentLogger,
} from '@psoxy/core';
import { testConfig } from './golden.js';

export interface ConnectorProxyOptions {
  connector: Connector;
  /** Base URL of the (fake) source: a loopback URL. */
  target: string;
  config?: Partial<ConnectorConfig>;
  /** Secrets the connector's auth reads (plain values, or a store to share between proxies). */
  secrets?: Record<string, string> | SecretStore;
  /** The lease refreshes take; pass one lease to several proxies to act as instances of one deployment. */
  lease?: Lease;
  /** How the proxy (and the connector's auth) call out; default `nodeHttpClient()`, what the hosts use. */
  http?: HttpClient;
  /** A fetch to call out with instead (e.g. {@link redirectingFetch}, to send a real token URL to a local endpoint). */
  fetch?: typeof fetch;
  salt?: string;
  encryptionKey?: string;
  /** Milliseconds since the epoch as the proxy sees them (tokens' expiry); default `Date.now`. */
  clock?: () => number;
  /** `FOLLOW_REDIRECTS` (default true). */
  followRedirects?: boolean;
  /** Side outputs and the asynchronous mode (in-memory outputs and queue will do). */
  outputs?: ProxyOutputs;
}

/**
 * A proxy for a connector, its rules and auth, in front of a fake source, served on 127.0.0.1: what
 * `psoxy serve --connector` runs, for tests. Call `close()` when done.
 */
export async function startConnectorProxy(o: ConnectorProxyOptions): Promise<NodeServer & { handler: ProxyHandler }> {
  const config = testConfig(o.config);
  const secrets = o.secrets && typeof (o.secrets as SecretStore).get === 'function' ? (o.secrets as SecretStore) : new MemorySecretStore((o.secrets ?? {}) as Record<string, string>, 'test secrets');
  const handler = createProxy({
    rules: compileRestRules(connectorRules(o.connector, config), { source: `connector ${o.connector.id}` }),
    pseudonymizer: new Pseudonymizer({ salt: o.salt ?? 'salt', encryptionKey: o.encryptionKey ?? 'secret' }),
    target: o.target,
    auth: o.connector.auth(config),
    secrets,
    lease: o.lease ?? new InProcessLease(),
    http: o.http ?? (o.fetch ? undefined : nodeHttpClient()),
    fetch: o.fetch,
    clock: o.clock,
    log: silentLogger,
    source: o.connector.id,
    allowInsecureTarget: true,
    passThroughErrorBodies: o.connector.passThroughErrorBodies,
    followRedirects: o.followRedirects,
    outputs: o.outputs,
  });
  // the handler too: a test processes queued requests (`handler.exchange(requestFromQueue(...))`) with it
  return { ...(await serveNode(handler, { port: 0, host: '127.0.0.1' })), handler };
}

/**
 * A fetch that sends requests for some URLs elsewhere (a source's real token URL to a local token
 * endpoint), and the rest as they are.
 */
export function redirectingFetch(routes: Record<string, string>, base: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    for (const [from, to] of Object.entries(routes)) {
      if (url === from || url.startsWith(`${from}?`)) {
        const target = to + url.slice(from.length);
        return base(input instanceof Request ? new Request(target, input) : target, init);
      }
    }
    return base(input, init);
  };
}
