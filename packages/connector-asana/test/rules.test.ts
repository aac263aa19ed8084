import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles, startConnectorProxy, startFakeUpstream } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { asana } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const A = 'https://app.asana.com/api/1.0';

describe('asana', () => {
  it('golden files at every allowlisted endpoint', () => {
    const r = runGoldenFiles({
      connector: asana,
      dir,
      cases: [
        { url: `${A}/workspaces?limit=75&opt_fields=gid`, file: 'workspaces.json' },
        { url: `${A}/users?workspace=1200000000000001&limit=2`, file: 'users.json' },
        { url: `${A}/workspaces/1200000000000001/teams?limit=10`, file: 'teams.json' },
        { url: `${A}/teams/1203333333333333/projects?archived=false`, file: 'projects.json' },
        { url: `${A}/tasks?project=1204444444444444&limit=10`, file: 'tasks.json' },
        { url: `${A}/tasks/1205555555555555?opt_fields=name`, file: 'task.json' },
        { url: `${A}/tasks/1205555555555555/stories`, file: 'stories.json' },
        { url: `${A}/tasks/1205555555555555/subtasks`, file: 'tasks.json' },
        { url: `${A}/workspaces/1200000000000001/tasks/search?modified_at.after=2024-01-01`, file: 'tasks.json' },
      ],
    });
    expect(r).toHaveLength(9);
  });

  it('allowlist', () =>
    checkAllowlist(asana, {
      allowed: ['/api/1.0/users?workspace=1&limit=10', '/api/1.0/tasks/1/subtasks?completed_since=now', 'HEAD /api/1.0/workspaces'],
      blocked: ['/api/1.0/users?opt_expand=photo', '/api/1.0/users/me', '/api/1.0/tasks/1/attachments', '/api/1.0/projects/1/tasks', '/api/1.0/webhooks', 'POST /api/1.0/tasks', 'PUT /api/1.0/tasks/1', 'DELETE /api/1.0/tasks/1'],
    }));

  it('serves with the access token from the secret store; a missing token is a setup error', async () => {
    const upstream = await startFakeUpstream([{ path: '/api/1.0/users', body: { data: [{ gid: '1', name: 'Ada', email: 'ada@acme.example' }] } }]);
    const proxy = await startConnectorProxy({ connector: asana, target: upstream.url, secrets: { ACCESS_TOKEN: '2/1201/asana-pat' } });
    const none = await startConnectorProxy({ connector: asana, target: upstream.url, secrets: {} });
    try {
      const res = await fetch(`${proxy.url}/api/1.0/users`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { gid: string; name?: string; email: string }[] };
      expect(body.data[0]?.gid).toMatch(/^p~/);
      expect(body.data[0]?.name).toBeUndefined();
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer 2/1201/asana-pat');
      const missing = await fetch(`${none.url}/api/1.0/users`);
      expect(missing.status).toBe(500);
      expect(await missing.text()).toMatch(/missing secret ACCESS_TOKEN/);
    } finally {
      await proxy.close();
      await none.close();
      await upstream.close();
    }
  });

  it('README documents the connector (regenerate: node scripts/connector-readme.mjs)', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), [asana]);
  });
});
