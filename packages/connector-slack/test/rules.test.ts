import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { slackDiscoveryApi } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const S = 'https://www.slack.com/api';

describe('slack-discovery-api rules', () => {
  it('golden files at every allowlisted endpoint', () => {
    const r = runGoldenFiles({
      connector: slackDiscoveryApi,
      dir,
      cases: [
        { url: `${S}/discovery.users.list?limit=5`, file: 'discovery-users-list.json' },
        { url: `${S}/discovery.conversations.list?limit=10&only_private=true`, file: 'discovery-conversations-list.json' },
        { url: `${S}/discovery.conversations.info?team=T01&channel=C01FALCON`, file: 'discovery-conversations-info.json' },
        { url: `${S}/discovery.conversations.recent?limit=10`, file: 'discovery-conversations-recent.json' },
        { url: `${S}/discovery.conversations.history?reactions=1&team=T01&channel=C01FALCON&limit=10`, file: 'discovery-conversations-history.json' },
        { url: `${S}/discovery.enterprise.info?include_deleted=false&limit=5`, file: 'discovery-enterprise-info.json' },
        { url: `${S}/discovery.user.conversations?user=p~abc&limit=10`, file: 'discovery-user-conversations.json' },
      ],
    });
    expect(r).toHaveLength(7);
  });

  it('allowlist', () =>
    checkAllowlist(slackDiscoveryApi, {
      allowed: ['/api/discovery.users.list?limit=5&include_deleted=true', '/api/discovery.conversations.history?channel=C1&oldest=1'],
      blocked: [
        '/api/discovery.chat.info?channel=C1',
        '/api/discovery.conversations.history?channel=C1&inclusive=true',
        '/api/discovery.chat.update',
        '/api/discovery.chat.delete',
        '/api/conversations.history?channel=C1',
        '/api/users.list',
        '/api/discovery.users.list?cursor=x',
      ],
    }));

  it('README documents the connector', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), [slackDiscoveryApi]);
  });
});
