import {
  InProcessLease,
  MemorySecretStore,
  type ProxyHandler,
  type ProxyOptions,
  Pseudonymizer,
  compileRestRules,
  createProxy,
  loadRestRules,
  nodeHttpClient,
  silentLogger,
} from '@psoxy/core';
import { type FakeUpstream, startFakeUpstream } from './upstream.js';

/** The rules of the sample API, in Psoxy's YAML dialect. */
export const SAMPLE_RULES = `
endpoints:
  - pathTemplate: /api/users
    allowedMethods: [GET]
    allowedQueryParams: [limit, cursor]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.users[*].email"]
  - pathTemplate: /api/search
    allowedMethods: [POST]
    transforms:
      - !<redact>
        jsonPaths: ["$..name"]
`;

/** What the sample source answers to GET /api/users: 40 users, big enough to be worth gzip. */
export const SAMPLE_USERS = { users: Array.from({ length: 40 }, (_, i) => ({ email: `user${i}@acme.example`, role: 'engineer'.repeat(10) })) };

export interface SampleProxy {
  /** The loopback source: GET /api/users (with `x-ratelimit-remaining: 9`), POST /api/search. */
  upstream: FakeUpstream;
  /** The proxy in front of it, with {@link SAMPLE_RULES}. */
  proxy: ProxyHandler;
  /** The pseudonymizer the proxy uses (salt `salt`, key `secret`), to compute expected tokens. */
  pseudonymizer: Pseudonymizer;
}

/**
 * A small API behind the proxy, for testing a host's adapter (how it turns its platform's events
 * into a `Request`, and the `Response` back): the same source and rules on every host.
 */
export async function startSampleProxy(options: Partial<ProxyOptions> = {}): Promise<SampleProxy> {
  const upstream = await startFakeUpstream([
    { path: '/api/users', body: SAMPLE_USERS, headers: { 'x-ratelimit-remaining': '9' } },
    { method: 'POST', path: '/api/search', body: { results: [{ name: 'Ada', id: 1 }] } },
  ]);
  const pseudonymizer = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });
  const proxy = createProxy({
    rules: compileRestRules(loadRestRules(SAMPLE_RULES)),
    pseudonymizer,
    target: upstream.url,
    allowInsecureTarget: true,
    secrets: new MemorySecretStore({}),
    lease: new InProcessLease(),
    // the hosts' client, unless the test brings its own
    http: options.fetch ? undefined : nodeHttpClient(),
    log: silentLogger,
    ...options,
  });
  return { upstream, proxy, pseudonymizer };
}
