import { Client } from '@microsoft/microsoft-graph-client';
import { startConnectorProxy, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { msftEntraId, outlookCal } from '../src/index.js';

const U1 = '48d31887-5fad-4d73-a9f5-3c356e68a038';

describe('@microsoft/microsoft-graph-client through the proxy', () => {
  it('lists users, group members (ConsistencyLevel forwarded) and events; sanitized; the proxy does the auth', async () => {
    const tokens = await startTokenEndpoint(() => ({ body: { token_type: 'Bearer', expires_in: 3599, access_token: 'graph-token' } }));
    const upstream = await startFakeUpstream([
      { path: '/v1.0/users', query: { $top: '2' }, body: { value: [{ id: U1, displayName: 'Ada Lovelace', mail: 'ada@acme.example', jobTitle: 'CTO' }] } },
      { path: '/v1.0/groups/g1/members', query: { $count: 'true' }, body: { '@odata.count': 1, value: [{ id: U1, userPrincipalName: 'ada@acme.example', displayName: 'Ada' }] } },
      {
        path: `/v1.0/users/${U1}/events`,
        body: { value: [{ id: 'e1', subject: 'Board: CEO succession', organizer: { emailAddress: { name: 'Ada Lovelace', address: 'ada@acme.example' } } }] },
      },
    ]);
    const settings = { CLIENT_ID: 'app', TENANT_ID: 'tenant', REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' };
    const entra = await startConnectorProxy({ connector: msftEntraId, target: upstream.url, config: { settings }, secrets: { CLIENT_SECRET: 's' } });
    const cal = await startConnectorProxy({ connector: outlookCal, target: upstream.url, config: { settings }, secrets: { CLIENT_SECRET: 's' } });
    try {
      const client = (url: string) =>
        Client.init({ baseUrl: url, defaultVersion: 'v1.0', customHosts: new Set(['127.0.0.1']), authProvider: (done) => done(null, 'caller-token-never-forwarded') });
      const users = await client(entra.url).api('/users').top(2).get();
      expect(users.value[0].mail).toMatch(/^t~[\w-]{43}@acme\.example$/);
      expect(users.value[0].displayName).toBeUndefined();
      expect(users.value[0].jobTitle).toBeUndefined();
      const members = await client(entra.url).api('/groups/g1/members').header('ConsistencyLevel', 'eventual').query({ $count: 'true' }).get();
      expect(members['@odata.count']).toBe(1);
      expect(members.value[0].userPrincipalName).toMatch(/^t~/);
      const events = await client(cal.url).api(`/users/${U1}/events`).get();
      expect(events.value[0].subject).toBe('');
      expect(events.value[0].organizer.emailAddress).toEqual({ address: expect.stringMatching(/^t~[\w-]{43}@acme\.example$/) });
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer graph-token'));
      expect(upstream.requests[1]?.headers.consistencylevel).toBe('eventual');
      expect(JSON.stringify([users, members, events])).not.toMatch(/Lovelace|ada@|CTO|succession/);
    } finally {
      await entra.close();
      await cal.close();
      await upstream.close();
      await tokens.close();
    }
  });
});
