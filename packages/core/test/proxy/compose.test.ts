import { describe, expect, it } from 'vitest';
import { nodeHttpClient } from '../../src/http/index.js';
import { ConfigError, composeProxy } from '../../src/proxy/index.js';
import { InProcessLease, MemorySecretStore, type SecretStore, silentLogger } from '../../src/runtime/index.js';

const RULES = 'endpoints:\n  - pathTemplate: /api/x\n';
const compose = (env: Record<string, string>, secrets: SecretStore) =>
  composeProxy({ env, secrets, lease: new InProcessLease(), http: nodeHttpClient(), log: silentLogger });

/** A store that answers after `ms`, and says which names it was asked for, in order. */
function slowStore(values: Record<string, string>, ms: number): SecretStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    description: 'slow test secrets',
    asked,
    async get(name) {
      asked.push(name);
      await new Promise((r) => setTimeout(r, ms));
      return values[name] === undefined ? undefined : { value: values[name] as string };
    },
    async set() {},
  } as SecretStore & { asked: string[] };
}

describe('composeProxy', () => {
  it('builds the proxy from RULES, TARGET_HOST and the secrets', async () => {
    const secrets = slowStore({ PSOXY_SALT: 'salt' }, 5);
    const { handler, target } = await compose({ RULES, TARGET_HOST: 'source.example', SOURCE: 'test' }, secrets);
    expect(target).toBe('https://source.example');
    expect(secrets.asked).toContain('PSOXY_SALT');
    const health = await handler.exchange({ method: 'GET', target: '/', headers: { 'x-psoxy-health-check': '1' }, body: null, origin: 'https://psoxy.example' });
    expect(health.status).toBe(200);
    expect(JSON.parse(Buffer.from(health.body ?? []).toString()).configuredSource).toBe('test');
  });

  it('names a missing salt', async () => {
    await expect(compose({ RULES, TARGET_HOST: 'source.example' }, new MemorySecretStore({}, 'test secrets'))).rejects.toThrow(/PSOXY_SALT is not set \(looked in test secrets\)/);
  });

  it('reports bad rules first, and the failed secret read (started before the rules compiled) is no unhandled rejection', async () => {
    const secrets = slowStore({}, 20);
    const e = await compose({ RULES: 'endpoints: [', TARGET_HOST: 'source.example' }, secrets).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).not.toMatch(/PSOXY_SALT/);
    expect(secrets.asked).toContain('PSOXY_SALT');
    // let the read finish and fail: vitest fails the run on an unhandled rejection
    await new Promise((r) => setTimeout(r, 50));
  });

  it('without a target says how to give one', async () => {
    await expect(compose({ RULES }, new MemorySecretStore({ PSOXY_SALT: 's' }))).rejects.toThrow(ConfigError);
  });
});
