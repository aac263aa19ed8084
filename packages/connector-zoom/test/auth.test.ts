import { InProcessLease, MemorySecretStore } from '@psoxy/core';
import { startConnectorProxy, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { zoom } from '../src/index.js';

const USERS = { users: [{ id: 'z8y', email: 'ada@acme.example', first_name: 'Ada' }] };

describe('Zoom account credentials with a shared token', () => {
  it('two instances, 40 concurrent requests: one token request, Basic client auth, the token shared through the store', async () => {
    let issued = 0;
    const tokens = await startTokenEndpoint(async (req) => {
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('client-id:client-secret').toString('base64')}`);
      expect(Object.fromEntries(req.form)).toEqual({ grant_type: 'account_credentials', account_id: 'acct-1' });
      await new Promise((r) => setTimeout(r, 100));
      issued++;
      return { body: { access_token: `zoom-token-${issued}`, token_type: 'bearer', expires_in: 3599, scope: 'user:read:list_users:admin' } };
    });
    const upstream = await startFakeUpstream([{ path: '/v2/users', body: USERS }]);
    const secrets = new MemorySecretStore({ CLIENT_ID: ' client-id ', CLIENT_SECRET: 'client-secret', ACCOUNT_ID: 'acct-1' }, 'shared store');
    const lease = new InProcessLease();
    const config = { settings: { REFRESH_ENDPOINT: tokens.tokenUrl } };
    const a = await startConnectorProxy({ connector: zoom, target: upstream.url, secrets, lease, config });
    const b = await startConnectorProxy({ connector: zoom, target: upstream.url, secrets, lease, config });
    try {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${(i % 2 ? a : b).url}/v2/users`).then((r) => r.status)));
      expect(results).toEqual(Array(40).fill(200));
      expect(issued).toBe(1);
      expect(new Set(upstream.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer zoom-token-1']));
      const shared = JSON.parse((await secrets.get('ACCESS_TOKEN'))?.value ?? '{}');
      expect(shared.token).toBe('zoom-token-1');
      expect(shared.expirationDate).toBeGreaterThan(Date.now() + 3000_000);
      // a new instance starts from the shared token
      const c = await startConnectorProxy({ connector: zoom, target: upstream.url, secrets, config });
      expect((await fetch(`${c.url}/v2/users`)).status).toBe(200);
      await c.close();
      expect(issued).toBe(1);
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
      await tokens.close();
    }
  });

  it('a refused app says "reconnect" and does not hammer the token endpoint', async () => {
    const tokens = await startTokenEndpoint(() => ({ status: 400, body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' } }));
    const upstream = await startFakeUpstream([]);
    const proxy = await startConnectorProxy({
      connector: zoom,
      target: upstream.url,
      secrets: { CLIENT_ID: 'x', CLIENT_SECRET: 'wrong', ACCOUNT_ID: 'a' },
      config: { settings: { REFRESH_ENDPOINT: tokens.tokenUrl } },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${proxy.url}/v2/users`);
        statuses.push([res.status, res.headers.get('x-psoxy-error')]);
      }
      expect(statuses).toEqual(Array(5).fill([502, 'SOURCE_AUTH_RECONNECT_REQUIRED']));
      expect(tokens.requests).toHaveLength(1);
    } finally {
      await proxy.close();
      await upstream.close();
      await tokens.close();
    }
  });
});
