import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { connectors, jiraCloud, jiraServer } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const A = 'https://api.atlassian.com';
const J = `${A}/ex/jira/cloud-1/rest/api`;

describe('jira-cloud rules', () => {
  it('golden files at every allowlisted endpoint', () => {
    const r = runGoldenFiles({
      connector: jiraCloud,
      dir,
      cases: [
        { url: `${J}/3/group/bulk?maxResults=10`, file: 'groups.json' },
        { url: `${J}/3/group/member?groupId=276f955c&includeInactiveUsers=true`, file: 'group-members.json' },
        { url: `${J}/3/search/jql?jql=updated%3E-30d&maxResults=25`, file: 'search.json' },
        { url: `${J}/3/issue/10002?fields=*all`, file: 'issue.json' },
        { url: `${J}/2/issue/10002/changelog?startAt=0`, file: 'changelog.json' },
        { url: `${J}/3/issue/10002/comment?maxResults=50`, file: 'comments.json' },
        { url: `${J}/3/issue/10002/worklog`, file: 'worklogs.json' },
        { url: `${J}/3/users?maxResults=50`, file: 'users.json' },
        { url: `${J}/3/project/search?startAt=0`, file: 'projects.json' },
        { url: `${A}/oauth/token/accessible-resources`, file: 'accessible-resources.json' },
      ],
    });
    expect(r).toHaveLength(10);
  });

  it('allowlist', () =>
    checkAllowlist(jiraCloud, {
      allowed: ['/ex/jira/c1/rest/api/latest/users?startAt=0', '/ex/jira/c1/rest/api/3/search/jql?jql=x&nextPageToken=y'],
      blocked: [
        '/ex/jira/c1/rest/api/2/search?jql=x',
        '/ex/jira/c1/rest/api/3/search/jql?jql=x&expand=renderedFields',
        '/ex/jira/c1/rest/api/3/issue/1/attachments',
        '/ex/jira/c1/rest/api/3/myself',
        '/ex/confluence/c1/wiki/rest/api/content',
        '/ex/jira/c1/rest/api/2/issue/1/comment',
      ],
    }));

  it('README documents the connector', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), connectors);
  });
});

describe('jira-server rules', () => {
  it('golden files: search, issue, comments, worklogs, projects, users', () => {
    const J = 'https://jira.acme.example/rest/api';
    runGoldenFiles({
      connector: jiraServer,
      dir: fileURLToPath(new URL('./fixtures-server/', import.meta.url)),
      cases: [
        { url: `${J}/2/search?jql=updated%3E-30d&startAt=0`, file: 'search.json' },
        { url: `${J}/latest/issue/10002?expand=changelog`, file: 'issue.json' },
        { url: `${J}/2/issue/10002/comment?maxResults=25`, file: 'comments.json' },
        { url: `${J}/2/issue/10002/worklog`, file: 'worklogs.json' },
        { url: `${J}/2/project?includeArchived=false`, file: 'projects.json' },
        { url: `${J}/2/user/search?username=.&includeInactive=true`, file: 'users.json' },
      ],
    });
  });
  it('allowlist', () =>
    checkAllowlist(jiraServer, {
      allowed: ['/rest/api/2/search?jql=x&fields=summary', '/rest/api/latest/project'],
      blocked: ['/rest/api/2/search?expand=renderedFields', '/rest/api/2/issue/1/attachments', '/rest/api/2/myself', '/rest/auth/1/session', '/rest/api/2/user?username=ada'],
    }, { settings: { JIRA_SERVER_URL: 'jira.acme.example' } }));
});
