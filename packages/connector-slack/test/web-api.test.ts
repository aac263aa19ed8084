import { startConnectorProxy, startFakeUpstream } from '@psoxy/testkit';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { slackDiscoveryApi } from '../src/index.js';

describe('@slack/web-api through the proxy', () => {
  it('calls discovery methods (POST form bodies), gets sanitized answers; the proxy holds the token', async () => {
    const upstream = await startFakeUpstream([
      {
        method: 'POST',
        path: '/api/discovery.users.list',
        body: { ok: true, users: [{ id: 'U01ADA', name: 'ada', is_bot: false, profile: { email: 'ada@acme.example', real_name: 'Ada Lovelace', phone: '+44' } }] },
      },
      {
        method: 'POST',
        path: '/api/discovery.conversations.history',
        body: { ok: true, messages: [{ type: 'message', user: 'U01ADA', text: 'Offer 1.2B for Contoso', ts: '1.1' }] },
      },
    ]);
    const proxy = await startConnectorProxy({ connector: slackDiscoveryApi, target: upstream.url, secrets: { ACCESS_TOKEN: 'test-slack-user-token' } });
    try {
      const slack = new WebClient('caller-token-never-forwarded', { slackApiUrl: `${proxy.url}/api/`, retryConfig: { retries: 0 } });
      const users = (await slack.apiCall('discovery.users.list', { limit: 5 })) as { users?: unknown };
      const user = (users.users as { id: string; name?: string; profile: Record<string, unknown> }[])[0];
      expect(user?.id).toMatch(/^p~/);
      expect(user?.name).toBeUndefined();
      expect(user?.profile).toEqual({ email: expect.stringMatching(/^t~[\w-]{43}@acme\.example$/) });
      const history = (await slack.apiCall('discovery.conversations.history', { channel: 'C01', limit: 10 })) as { messages?: unknown };
      expect(history.messages).toEqual([{ type: 'message', user: expect.stringMatching(/^t~/), ts: '1.1' }]);
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer test-slack-user-token', 'Bearer test-slack-user-token']);
      expect(upstream.requests[1]?.body).toContain('channel=C01');
      // a parameter outside the allowlist is refused, in the body as in the query
      await expect(slack.apiCall('discovery.users.list', { limit: 5, cursor: 'x' })).rejects.toThrow();
      expect(upstream.requests).toHaveLength(2);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});
