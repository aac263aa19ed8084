import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonDiff, parseJson } from '@psoxy/core';
import { rsaKeyPair, startFakeUpstream, startTokenEndpoint, verifyJwt } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { psoxy, servePsoxy } from './helpers.js';

const GWS = fileURLToPath(new URL('../../connector-google-workspace/test/fixtures/', import.meta.url));
const MSFT = fileURLToPath(new URL('../../connector-microsoft-365/test/fixtures/', import.meta.url));

describe('psoxy connectors', () => {
  it('lists the installed connectors and describes one', () => {
    const list = psoxy(['connectors']);
    expect(list.code).toBe(0);
    for (const id of ['gcal', 'gdirectory', 'gdrive', 'gmail', 'google-chat', 'google-meet']) expect(list.stdout).toMatch(new RegExp(`^${id} +.*@psoxy/connector-google-workspace`, 'm'));
    for (const id of ['msft-entra-id', 'outlook-cal', 'outlook-mail', 'msft-teams']) expect(list.stdout).toMatch(new RegExp(`^${id} +.*@psoxy/connector-microsoft-365`, 'm'));
    const show = psoxy(['connectors', 'show', 'gmail']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/SERVICE_ACCOUNT_KEY \(secret, required; in a cloud host: PSOXY_GMAIL_SERVICE_ACCOUNT_KEY\)/);
    expect(show.stdout).toMatch(/https:\/\/www\.googleapis\.com\/auth\/gmail\.metadata/);
    expect(show.stdout).toMatch(/any method \/gmail\/v1\/users\/\{mailboxId\}\/messages\/\{messageId\}/);
    expect(psoxy(['connectors', 'show', 'nope']).stderr).toMatch(/unknown connector 'nope': installed connectors are asana, gcal, /);
    // Psoxy's SOURCE values name the connectors they are
    expect(psoxy(['connectors', 'show', 'azure-ad']).stdout).toMatch(/^msft-entra-id: Microsoft Entra ID/);
    expect(psoxy(['connectors', 'show', 'slack']).stdout).toMatch(/^slack-discovery-api: /);
  });
});

describe('connector packages declare their ids', () => {
  it('the ids in each package.json ("psoxy": {"connectors"}) are the ids it exports, so the CLI can load only the package it needs', async () => {
    const { isConnector } = await import('@psoxy/core');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dirs = readdirSync(root).filter((d) => d.startsWith('connector-'));
    expect(dirs.length).toBeGreaterThanOrEqual(8);
    for (const d of dirs) {
      const pkg = JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')) as { psoxy?: { connectors?: string[] } };
      const mod = (await import(join(root, d, 'dist', 'index.js'))) as Record<string, unknown>;
      const exported = Object.values(mod).filter(isConnector).map((c) => c.id);
      expect([...(pkg.psoxy?.connectors ?? [])].sort(), d).toEqual([...new Set(exported)].sort());
    }
  });
});

describe('psoxy sanitize --connector', () => {
  const cases: [string, string, string][] = [
    ['gcal', 'https://www.googleapis.com/calendar/v3/calendars/primary/events', 'events.json'],
    ['gdirectory', 'https://admin.googleapis.com/admin/directory/v1/users?customer=my_customer', 'users.json'],
    ['gdrive', 'https://www.googleapis.com/drive/v3/files', 'files.json'],
    ['gmail', 'https://www.googleapis.com/gmail/v1/users/me/messages/x', 'message.json'],
    ['google-chat', 'https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/chat', 'chat-activities.json'],
    ['google-meet', 'https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/meet', 'meet-activities.json'],
  ];
  const G = 'https://graph.microsoft.com/v1.0';
  cases.push(
    ['msft-entra-id', `${G}/groups/g1/members`, 'group-members.json'],
    ['outlook-cal', `${G}/users/u1/calendar/calendarView`, 'calendarView.json'],
    ['outlook-mail', `${G}/users/u1/mailFolders/SentItems/messages`, 'sentItems.json'],
    ['msft-teams', `${G}/communications/callRecords`, 'callRecords.json'],
    ['zoom', 'https://api.zoom.us/v2/users?page_size=30', 'users.json'],
    ['slack-discovery-api', 'https://www.slack.com/api/discovery.users.list?limit=5', 'discovery-users-list.json'],
    ['github', 'https://api.github.com/repos/acme/falcon/pulls?state=all', 'pulls.json'],
    ['jira-cloud', 'https://api.atlassian.com/ex/jira/cloud-1/rest/api/3/search/jql?jql=x', 'search.json'],
    ['salesforce', 'https://acme.my.salesforce.com/services/data/v64.0/sobjects/Account/describe', 'account_describe.json'],
    ['asana', 'https://app.asana.com/api/1.0/tasks?project=1', 'tasks.json'],
  );
  const FAMILY: Record<string, string> = { zoom: 'zoom', 'slack-discovery-api': 'slack', github: 'github', 'jira-cloud': 'jira', salesforce: 'salesforce', asana: 'asana' };
  it.each(cases)('%s: sanitizes with the connector default rules', (id, url, file) => {
    const family = FAMILY[id];
    const dir = family ? fileURLToPath(new URL(`../../connector-${family}/test/fixtures/`, import.meta.url)) : join(id.startsWith('msft') || id.startsWith('outlook') ? MSFT : GWS, id);
    const r = psoxy(['sanitize', '--connector', id, '--url', url, '--salt', 'salt', '--encryption-key', 'secret', join(dir, 'original', file)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonDiff(parseJson(readFileSync(join(dir, 'sanitized', file), 'utf8')), parseJson(r.stdout))).toBeUndefined();
  });
  it('blocks what the connector does not allow, and selects the no-app-ids variant', () => {
    const blocked = psoxy(['sanitize', '--connector', 'gmail', '--url', 'https://www.googleapis.com/gmail/v1/users/me/threads', '--salt', 's', '-'], { input: '{}' });
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/^blocked: /);
    const variant = psoxy(['sanitize', '--connector', 'gdirectory', '--url', 'https://admin.googleapis.com/admin/directory/v1/users/1', '--salt', 'salt', '--encryption-key', 'secret', join(GWS, 'gdirectory/original/user.json')], {
      env: { PSEUDONYMIZE_APP_IDS: 'true' },
    });
    expect(variant.code).toBe(0);
    expect(JSON.parse(variant.stdout).id).toMatch(/^p~/);
    expect(psoxy(['sanitize', '--url', 'https://x/y', '--salt', 's', '-'], { input: '{}' }).stderr).toMatch(/rules|connector/);
  });
});

describe('psoxy serve --connector', () => {
  it('serves gcal with service-account auth against a local token endpoint and a local upstream', async () => {
    const keys = rsaKeyPair();
    const subjects: unknown[] = [];
    const tokens = await startTokenEndpoint((req) => {
      const { claims } = verifyJwt(req.form.get('assertion') ?? '', keys.publicKey);
      subjects.push(claims.sub);
      return { body: { access_token: 'ya29.cli', expires_in: 3600, token_type: 'Bearer' } };
    });
    const upstream = await startFakeUpstream([
      { path: '/calendar/v3/calendars/primary/events', body: { kind: 'calendar#events', items: [{ id: 'e1', summary: 'Secret', organizer: { email: 'ada@acme.example' } }] } },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'psoxy-serve-connector-'));
    const secrets = join(dir, 'secrets.json');
    writeFileSync(
      secrets,
      JSON.stringify({ SERVICE_ACCOUNT_KEY: JSON.stringify({ type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: keys.privateKey, token_uri: tokens.tokenUrl }) }),
    );
    const served = await servePsoxy(['serve', '--connector', 'gcal', '--target', upstream.url, '--allow-http-target', '--port', '0', '--secrets', secrets, '--salt', 's']);
    try {
      expect(served.stdout()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ -> .*connector gcal/);
      const url = served.url;
      const res = await fetch(`${url}/calendar/v3/calendars/primary/events`, { headers: { 'x-psoxy-user-to-impersonate': 'ada@acme.example' } });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toMatch(/ada@|Secret/);
      expect(subjects).toEqual(['ada@acme.example']);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer ya29.cli');
      expect((await fetch(`${url}/calendar/v3/calendars/primary/acl`)).status).toBe(403);
    } finally {
      await served.stop();
      await tokens.close();
      await upstream.close();
    }
    expect(readdirSync(dir)).toEqual(['secrets.json']);
  });
});

describe('psoxy serve --connector (Microsoft 365)', () => {
  it('serves msft-entra-id with Entra ID client credentials from env and a secrets file', async () => {
    const tokens = await startTokenEndpoint((req) => {
      if (req.form.get('client_secret') !== 'from-file') throw new Error('wrong secret');
      return { body: { token_type: 'Bearer', expires_in: 3599, access_token: 'graph-cli' } };
    });
    const upstream = await startFakeUpstream([{ path: '/v1.0/users', body: { value: [{ id: 'u1', mail: 'ada@acme.example', displayName: 'Ada' }] } }]);
    const dir = mkdtempSync(join(tmpdir(), 'psoxy-serve-msft-'));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ CLIENT_SECRET: 'from-file' }));
    const env = { PSOXY_SALT: 's', CLIENT_ID: 'app', TENANT_ID: 'tenant', REFRESH_ENDPOINT: tokens.tokenUrl, CREDENTIALS_FLOW: 'client_secret' };
    const served = await servePsoxy(['serve', '--connector', 'msft-entra-id', '--target', upstream.url, '--allow-http-target', '--port', '0', '--secrets', join(dir, 'secrets.json')], env);
    try {
      const url = served.url;
      const res = await fetch(`${url}/v1.0/users`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toMatch(/ada@|Ada/);
      expect(upstream.requests[0]?.headers.authorization).toBe('Bearer graph-cli');
    } finally {
      await served.stop();
      await tokens.close();
      await upstream.close();
    }
  });

  it('says which settings a connector lacks', () => {
    const r = psoxy(['serve', '--connector', 'msft-entra-id', '--salt', 's'], { env: { CLIENT_ID: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connector msft-entra-id: CLIENT_ID is required/);
  });
});
