import { Pseudonymizer } from '@psoxy/core';
import { checkAllowlist, checkReadme } from '@psoxy/testkit';
import { describe, it } from 'vitest';
import { connectors, github, githubEnterpriseServer, githubNonEnterprise } from '../src/index.js';

const ada = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' }).pseudonymToken('ada', { includeReversible: true }) as string;

describe('github allowlists', () => {
  it('github (Enterprise Cloud)', () =>
    checkAllowlist(github, {
      allowed: ['/orgs/acme/members?per_page=100', '/orgs/acme/audit-log?phrase=created:>2024-01-01', '/graphql', `/users/${ada}?per_page=1`, '/repos/acme/x/pulls/1/reviews/2/comments'],
      blocked: ['/users/ada', '/orgs/acme/members?since=1', '/repos/acme/x/contents/README.md', '/repos/acme/x/git/blobs/abc', '/user', '/orgs/acme/settings/billing/actions', '/repos/acme/x/pulls/1/files'],
    }));
  it('github-non-enterprise has no audit log', () =>
    checkAllowlist(githubNonEnterprise, { allowed: ['/orgs/acme/repos', '/graphql'], blocked: ['/orgs/acme/audit-log', '/organizations/1/audit-log'] }));
  it('github-enterprise-server under /api/v3 and /api/graphql', () =>
    checkAllowlist(
      githubEnterpriseServer,
      { allowed: ['/api/v3/orgs/acme/members', '/api/graphql', '/api/v3/repos/acme/x/commits?since=2024-01-01'], blocked: ['/orgs/acme/members', '/graphql', '/api/v3/repos/acme/x/contents/a'] },
      { settings: { GITHUB_ENTERPRISE_SERVER_HOST: 'github.acme.example' } },
    ));
  it('README documents the connectors', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), connectors);
  });
});

describe('github golden files', () => {
  it('a sample of endpoints of every kind', async () => {
    const { fileURLToPath } = await import('node:url');
    const { runGoldenFiles } = await import('@psoxy/testkit');
    const G = 'https://api.github.com';
    runGoldenFiles({
      connector: github,
      dir: fileURLToPath(new URL('./fixtures/', import.meta.url)),
      cases: [
        { url: `${G}/orgs/acme/members?per_page=100`, file: 'org-members.json' },
        { url: `${G}/users/${ada}`, file: 'user.json' },
        { method: 'POST', url: `${G}/graphql`, file: 'graphql-members.json' },
        { url: `${G}/orgs/acme/teams`, file: 'teams.json' },
        { url: `${G}/orgs/acme/audit-log?phrase=created:>2024-01-01&per_page=100`, file: 'audit-log.json' },
        { url: `${G}/orgs/acme/repos?type=all`, file: 'repos.json' },
        { url: `${G}/repos/acme/falcon/commits?since=2024-01-01`, file: 'commits.json' },
        { url: `${G}/repos/acme/falcon/issues?state=all`, file: 'issues.json' },
        { url: `${G}/repos/acme/falcon/pulls?state=all`, file: 'pulls.json' },
        { url: `${G}/repos/acme/falcon/pulls/42`, file: 'pull.json' },
        { url: `${G}/repos/acme/falcon/pulls/42/reviews`, file: 'reviews.json' },
      ],
    });
  });
});
