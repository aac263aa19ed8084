// The README's "An auth flow of your own", run: a Grant of its own under core's TokenManager,
// through the host's HTTP client (ctx.http), in a connector served by startConnectorProxy.
import { type Grant, SourceAuthError, TokenManager, bearerFromManager, defineConnector, defineRestRules, isOk, pseudonymizeAt, requireSecret } from '@psoxy/core';
import { describe, expect, it } from 'vitest';
import { startConnectorProxy, startFakeUpstream, startLoopback } from '../src/index.js';

describe('a connector with a grant of its own', () => {
  it('logs in once, sends the session token to the source, and never lets the caller see it', async () => {
    let logins = 0;
    const login = await startLoopback((req, res) => {
      logins++;
      const ok = req.path === '/session' && JSON.parse(req.body).key === 'k-123';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { token: `session-${logins}`, ttl: 3600 } : { error: 'bad key' }));
    });
    const upstream = await startFakeUpstream([{ path: '/v1/contacts', body: { contacts: [{ email: 'ada@acme.example' }] }, times: 2 }]);
    const acmeSession: Grant = async (ctx) => {
      const key = await requireSecret(ctx.secrets, 'API_KEY');
      const res = await ctx.http({
        method: 'POST',
        url: `${login.url}/session`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
        timeoutMs: 30_000,
      });
      const text = await res.text(64 * 1024);
      if (!isOk(res.status)) throw new SourceAuthError(`Acme login answered ${res.status}`);
      const { token, ttl } = JSON.parse(text) as { token: string; ttl: number };
      return { accessToken: token, expiresAt: ctx.clock() + ttl * 1000 };
    };
    const acme = defineConnector({
      id: 'acme-session',
      displayName: 'Acme CRM (session login)',
      settings: [{ name: 'API_KEY', description: 'API key of a read-only user.', secret: true, required: true }],
      docs: { grants: ['read:contacts'], setup: ['Store the API key as API_KEY.'] },
      target: 'https://api.acme-crm.example',
      auth: () => bearerFromManager('acme-session', new TokenManager({ name: 'acme', grant: acmeSession }), ['API_KEY']),
      rules: defineRestRules({ endpoints: [{ pathTemplate: '/v1/contacts', allowedMethods: ['GET'], transforms: [pseudonymizeAt(['$.contacts[*].email'])] }] }),
    });
    const proxy = await startConnectorProxy({ connector: acme, target: upstream.url, secrets: { API_KEY: 'k-123' } });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${proxy.url}/v1/contacts`);
        expect(res.status).toBe(200);
        expect(JSON.stringify(await res.json())).not.toContain('session-');
      }
      expect(logins).toBe(1);
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer session-1', 'Bearer session-1']);
    } finally {
      await proxy.close();
      await upstream.close();
      await login.close();
    }
  });
});
