// jsforce is pinned to 3.10.16: later 3.10.x need undici 8, which needs Node >= 22 (we support 20).
import { Pseudonymizer } from '@psoxy/core';
import { startConnectorProxy, startFakeUpstream, startTokenEndpoint } from '@psoxy/testkit';
import jsforce from 'jsforce';
import { describe, expect, it } from 'vitest';
import { salesforce } from '../src/index.js';

describe('salesforce through the proxy', () => {
  it('jsforce queries users, accounts by locator; client credentials once (no expires_in: an hour)', async () => {
    const tokens = await startTokenEndpoint((req) => {
      expect(Object.fromEntries(req.form)).toEqual({ grant_type: 'client_credentials', client_id: 'consumer-key', client_secret: 'consumer-secret' });
      // Salesforce answers without expires_in
      return { body: { access_token: '00D5e!sf-token', instance_url: 'https://elsewhere.example', id: 'x', token_type: 'Bearer', issued_at: '1709546400000', signature: 's' } };
    });
    const users = {
      totalSize: 2,
      done: false,
      nextRecordsUrl: '/services/data/v64.0/query/01gLOCATOR-2000',
      records: [{ attributes: { type: 'User', url: '/x' }, Id: '0055e000001AAAA', Name: 'Ada Lovelace', Email: 'ada@acme.example', IsActive: true }],
    };
    const more = { totalSize: 2, done: true, records: [{ attributes: { type: 'User', url: '/y' }, Id: '0055e000001BBBB', Name: 'Grace Hopper', Email: 'grace@acme.example', IsActive: true }] };
    const upstream = await startFakeUpstream([
      { path: '/services/data/v64.0/query', body: users },
      { path: '/services/data/v64.0/query/01gLOCATOR-2000', body: more },
    ]);
    const proxy = await startConnectorProxy({
      connector: salesforce,
      target: upstream.url,
      secrets: { CLIENT_ID: 'consumer-key', CLIENT_SECRET: 'consumer-secret' },
      config: { settings: { SALESFORCE_DOMAIN: 'acme.my.salesforce.com', REFRESH_ENDPOINT: tokens.tokenUrl } },
    });
    try {
      const conn = new jsforce.Connection({ instanceUrl: proxy.url, accessToken: 'caller-token-never-forwarded', version: '64.0' });
      const first = await conn.query<{ Id: string; Name?: string; Email: string }>('SELECT Id, Name, Email, IsActive FROM User');
      expect(first.records[0]?.Name).toBeUndefined();
      expect(first.records[0]?.Email).toMatch(/^t~[\w-]{43}@acme\.example$/);
      const id = first.records[0]?.Id as string;
      expect(new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' }).reverse(id)).toBe('0055e000001AAAA');
      const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl as string);
      expect(second.records[0]?.Id).toMatch(/^p~/);
      expect(tokens.requests).toHaveLength(1);
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer 00D5e!sf-token', 'Bearer 00D5e!sf-token']);
      expect(decodeURIComponent(upstream.requests[0]?.target ?? '')).toContain('SELECT Id, Name, Email, IsActive FROM User');
      await expect(conn.query('SELECT Id FROM Opportunity')).rejects.toThrow();
      expect(upstream.requests).toHaveLength(2);
    } finally {
      await proxy.close();
      await upstream.close();
      await tokens.close();
    }
  });
});
