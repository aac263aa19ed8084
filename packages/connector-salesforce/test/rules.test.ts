import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { salesforce } from '../src/index.js';

const S = 'https://acme.my.salesforce.com/services/data/v64.0';
const since = 'WHERE+LastModifiedDate+%3E%3D+2024-01-01T00:00:00Z';

describe('salesforce rules', () => {
  it('golden files at every allowlisted endpoint', () => {
    const r = runGoldenFiles({
      connector: salesforce,
      dir: fileURLToPath(new URL('./fixtures/', import.meta.url)),
      cases: [
        { url: `${S}/query?q=SELECT+Id,Name,Email,ManagerId+FROM+User+${since}`, file: 'users_by_query.json' },
        { url: `${S}/query/01gD0000002HU6KIAW-2000`, file: 'users_by_query.json', sanitized: 'users_by_locator.json' },
        { url: `${S}/query?q=SELECT+Id,Name,AnnualRevenue+FROM+Account`, file: 'accounts_by_query.json' },
        { url: `${S}/composite/sobjects/Account?ids=0015e00000AAAA&fields=Id,Name`, file: 'accounts.json' },
        { url: `${S}/queryAll?q=SELECT+Id,Subject,WhoId+FROM+Task+${since}`, file: 'tasks_by_query.json' },
        { url: `${S}/queryAll?q=SELECT+Id,Subject,WhoId+FROM+Event+${since}`, file: 'events_by_query.json' },
        { url: `${S}/sobjects/Account/describe`, file: 'account_describe.json' },
        { method: 'POST', url: `${S}/composite`, file: 'composite_task_and_events.json' },
      ],
    });
    expect(r).toHaveLength(8);
  });

  it('allowlist: SOQL only against Account, User, Task and Event', () =>
    checkAllowlist(salesforce, {
      allowed: [`/services/data/v64.0/query?q=SELECT%20Id%20FROM%20User`, '/services/data/v64.0/sobjects/Task/describe', 'POST /services/data/v64.0/composite'],
      blocked: [
        '/services/data/v64.0/query?q=SELECT+Id+FROM+Opportunity',
        '/services/data/v64.0/query?q=SELECT+Id+FROM+Contact',
        '/services/data/v64.0/queryAll?q=SELECT+Id+FROM+EmailMessage',
        '/services/data/v64.0/sobjects/Contact/describe',
        '/services/data/v64.0/sobjects/User/0055e000001AAAA',
        'GET /services/data/v64.0/composite',
        '/services/data/v64.0/query?q=SELECT+Id+FROM+User&x=1',
      ],
    }));

  it('README documents the connector', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), [salesforce]);
  });
});
