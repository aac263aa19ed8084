import { InProcessLease, MemorySecretStore, type SecretStore } from '@psoxy/core';
import { type FakeUpstream, startConnectorProxy, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { jiraCloud } from '../src/index.js';

const USERS_PATH = '/ex/jira/cloud-1/rest/api/3/users';
const USERS = [{ accountId: '5b10ac8d82e05b22cc7d4ef5', emailAddress: 'ada@acme.example', displayName: 'Ada Lovelace', active: true }];
const expired = JSON.stringify({ token: 'stale-token', expirationDate: Date.now() - 60_000 });

/** A shared store that notes, for each write, how many source calls had been made by then. */
function recordingStore(initial: Record<string, string>, upstream: () => FakeUpstream): SecretStore & { writes: { name: string; value: string; sourceCallsBefore: number }[] } {
  const inner = new MemorySecretStore(initial, 'shared test store');
  const writes: { name: string; value: string; sourceCallsBefore: number }[] = [];
  return {
    description: inner.description,
    writes,
    get: (name) => inner.get(name),
    async set(name, value) {
      writes.push({ name, value, sourceCallsBefore: upstream().requests.length });
      await inner.set(name, value);
    },
  } as SecretStore & { writes: typeof writes };
}

describe('Jira Cloud rotating refresh tokens, across instances', () => {
  it('50 concurrent requests on two instances with an expired token: one refresh; the rotated refresh token is stored before it is used; a restarted instance uses it', async () => {
    let n = 0;
    const tokens = await startTokenEndpoint(async (req) => {
      expect(req.headers.accept).toMatch(/application\/json/);
      const rt = req.form.get('refresh_token');
      expect(rt).toBe(`rt-${n}`);
      expect(req.form.get('client_id')).toBe('jira-client');
      expect(req.form.get('client_secret')).toBe('jira-secret');
      await new Promise((r) => setTimeout(r, 150));
      n++;
      return { body: { access_token: `at-${n}`, refresh_token: `rt-${n}`, expires_in: 3600, token_type: 'Bearer', scope: 'read:jira-user' } };
    });
    const upstream = await startFakeUpstream([{ path: USERS_PATH, body: USERS }]);
    const store = recordingStore({ CLIENT_ID: 'jira-client', CLIENT_SECRET: 'jira-secret', REFRESH_TOKEN: 'rt-0', ACCESS_TOKEN: expired }, () => upstream);
    const lease = new InProcessLease();
    const config = { settings: { REFRESH_ENDPOINT: tokens.tokenUrl } };
    const a = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets: store, lease, config });
    const b = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets: store, lease, config });
    try {
      const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(`${(i % 2 ? a : b).url}${USERS_PATH}`).then((r) => r.status)));
      expect(statuses).toEqual(Array(50).fill(200));
      expect(tokens.requests).toHaveLength(1);
      expect(new Set(upstream.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer at-1']));
      const rotated = store.writes.find((w) => w.name === 'REFRESH_TOKEN');
      expect(rotated).toEqual({ name: 'REFRESH_TOKEN', value: 'rt-1', sourceCallsBefore: 0 });
      expect(JSON.parse(store.writes.find((w) => w.name === 'ACCESS_TOKEN')?.value ?? '{}').token).toBe('at-1');

      // a restarted instance starts from the stored tokens: no refresh while the shared token is good...
      const c = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets: store, config });
      expect((await fetch(`${c.url}${USERS_PATH}`)).status).toBe(200);
      expect(tokens.requests).toHaveLength(1);
      await c.close();
      // ...and, once it expires, refreshes with the rotated refresh token (the handler checks rt-1)
      await store.set('ACCESS_TOKEN', expired);
      const d = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets: store, config });
      expect((await fetch(`${d.url}${USERS_PATH}`)).status).toBe(200);
      await d.close();
      expect(tokens.requests.map((r) => r.form.get('refresh_token'))).toEqual(['rt-0', 'rt-1']);
      expect((await store.get('REFRESH_TOKEN'))?.value).toBe('rt-2');
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
      await tokens.close();
    }
  });

  it('a revoked refresh token says "reconnect", without a storm of token requests', async () => {
    const tokens = await startTokenEndpoint(() => ({ status: 403, body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' } }));
    const upstream = await startFakeUpstream([]);
    const secrets = new MemorySecretStore({ CLIENT_ID: 'c', CLIENT_SECRET: 's', REFRESH_TOKEN: 'revoked', ACCESS_TOKEN: expired });
    const lease = new InProcessLease();
    const config = { settings: { REFRESH_ENDPOINT: tokens.tokenUrl } };
    const a = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets, lease, config });
    const b = await startConnectorProxy({ connector: jiraCloud, target: upstream.url, secrets, lease, config });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? a : b).url}${USERS_PATH}`).then(async (r) => [r.status, r.headers.get('x-psoxy-error'), await r.text()] as const)),
      );
      for (const [status, error, text] of answers) {
        expect(status).toBe(502);
        expect(error).toBe('SOURCE_AUTH_RECONNECT_REQUIRED');
        expect(text).toMatch(/reconnect|refused|invalid_grant/i);
      }
      // one refused grant per instance at most, then the remembered refusal
      expect(tokens.requests.length).toBeLessThanOrEqual(2);
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
      await tokens.close();
    }
  });
});
