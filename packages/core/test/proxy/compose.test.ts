import { describe, expect, it } from 'vitest';
import { noAuth } from '../../src/auth/index.js';
import { defineConnector } from '../../src/connector/index.js';
import { defineRestRules } from '../../src/rules/index.js';
import { nodeHttpClient } from '../../src/http/index.js';
import type { Connector } from '../../src/connector/index.js';
import { ConfigError, composeProxy } from '../../src/proxy/index.js';
import { InProcessLease, MemorySecretStore, type SecretStore, silentLogger } from '../../src/runtime/index.js';

const RULES = 'endpoints:\n  - pathTemplate: /api/x\n';
const compose = (env: Record<string, string>, secrets: SecretStore, connector?: Connector) =>
  composeProxy({ connector, env, secrets, lease: new InProcessLease(), http: nodeHttpClient(), log: silentLogger });

/** A connector whose default rules allow /api/x and /api/wide. */
const wide = defineConnector({
  id: 'wide',
  displayName: 'A connector with broad default rules',
  settings: [],
  docs: { grants: ['none'], setup: ['Nothing to set up: a test source.'] },
  target: 'https://source.example',
  auth: () => noAuth,
  rules: defineRestRules({ endpoints: [{ pathTemplate: '/api/x' }, { pathTemplate: '/api/wide' }] }),
});

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
    const { handler, target } = await compose({ RULES, TARGET_HOST: 'source.example', SOURCE: 'test', BUNDLE_FILENAME: 'psoxy-aws-rc-v0.1.15.jar' }, secrets);
    expect(target).toBe('https://source.example');
    expect(secrets.asked).toContain('PSOXY_SALT');
    const health = await handler.exchange({ method: 'GET', target: '/', headers: { 'x-psoxy-health-check': '1' }, body: null, origin: 'https://psoxy.example' });
    expect(health.status).toBe(200);
    const report = JSON.parse(Buffer.from(health.body ?? []).toString());
    expect(report.configuredSource).toBe('test');
    // Psoxy's version from the bundle's name
    expect(report.version).toBe('rc-v0.1.15');
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

  describe('RULES from the secret store (where Psoxy\'s Terraform puts long rules)', () => {
    const status = async (h: Awaited<ReturnType<typeof compose>>['handler'], path: string) =>
      (await h.exchange({ method: 'GET', target: path, headers: {}, body: null, origin: 'https://psoxy.example' })).status;

    it('uses them when the environment has none, over the connector\'s defaults', async () => {
      const secrets = slowStore({ PSOXY_SALT: 'salt', RULES }, 5);
      const { handler, rules } = await compose({}, secrets, wide);
      expect(rules.endpoints.length).toBe(1);
      expect(await status(handler, '/api/wide')).toBe(403);
      const noStored = await compose({}, slowStore({ PSOXY_SALT: 'salt' }, 5), wide);
      expect(noStored.rules.endpoints.length).toBe(2);
      // the health check reports SOURCE when set, else the connector's id
      const health = async (h: typeof handler) => JSON.parse(Buffer.from((await h.exchange({ method: 'GET', target: '/', headers: { 'x-psoxy-health-check': '1' }, body: null, origin: 'https://p.example' })).body ?? []).toString());
      expect((await health(noStored.handler)).configuredSource).toBe('wide');
      const named = await compose({ SOURCE: 'wide-source' }, slowStore({ PSOXY_SALT: 'salt' }, 5), wide);
      expect((await health(named.handler)).configuredSource).toBe('wide-source');
    });

    it('does not ask the store when RULES is in the environment', async () => {
      const secrets = slowStore({ PSOXY_SALT: 'salt', RULES: 'endpoints: [' }, 5);
      await compose({ RULES, TARGET_HOST: 'source.example' }, secrets);
      expect(secrets.asked).not.toContain('RULES');
    });

    it('fails the start when the store cannot be read, rather than fall back to the connector\'s rules', async () => {
      const failing: SecretStore = {
        description: 'a failing store',
        async get(name) {
          if (name === 'RULES') throw new Error('the store did not answer');
          return name === 'PSOXY_SALT' ? { value: 'salt' } : undefined;
        },
        async set() {},
      };
      await expect(compose({}, failing, wide)).rejects.toThrow(/the store did not answer/);
    });

    it('without a connector, says where RULES was looked for', async () => {
      await expect(compose({ TARGET_HOST: 'source.example' }, new MemorySecretStore({ PSOXY_SALT: 's' }, 'test secrets'))).rejects.toThrow(/no rules: set RULES \(in the environment or test secrets\)/);
    });
  });
});

describe('REQUEST_TIMEOUT_SECONDS', () => {
  it('is read as Psoxy reads it: the source may take all but 30 s of the budget, at least 60 s', async () => {
    const { proxySettingsFromEnv } = await import('../../src/proxy/index.js');
    const timeout = (v: string | undefined) => proxySettingsFromEnv(v === undefined ? {} : { REQUEST_TIMEOUT_SECONDS: v }).timeoutMs;
    // Psoxy's default budget, 180 s
    expect(timeout(undefined)).toBe(150_000);
    expect(timeout('20')).toBe(20_000);
    expect(timeout('55')).toBe(55_000);
    expect(timeout('80')).toBe(60_000);
    expect(timeout('180')).toBe(150_000);
    expect(() => timeout('0')).toThrow(/between 1 and 900/);
  });
});

describe('USER_AGENT', () => {
  it("names the proxy to the source in place of psoxy-ts's own name, and must be a valid header", async () => {
    const { proxySettingsFromEnv } = await import('../../src/proxy/index.js');
    expect(proxySettingsFromEnv({ USER_AGENT: ' Acme-Psoxy/1.0 ' }).userAgent).toBe('Acme-Psoxy/1.0');
    expect(proxySettingsFromEnv({}).userAgent).toBeUndefined();
    expect(() => proxySettingsFromEnv({ USER_AGENT: 'a\r\nx-injected: 1' })).toThrow(/USER_AGENT must be printable ASCII/);
  });
});
