import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { gcal, gdirectory, gdrive, gmail, googleChat, googleMeet } from '../src/index.js';

const fixtures = (id: string) => fileURLToPath(new URL(`./fixtures/${id}/`, import.meta.url));

describe('golden files: every allowlisted endpoint sanitized as recorded', () => {
  it('gcal', () => {
    const base = 'https://www.googleapis.com/calendar/v3';
    const r = runGoldenFiles({
      connector: gcal,
      dir: fixtures('gcal'),
      cases: [
        { url: `${base}/calendars/primary`, file: 'calendar.json' },
        { url: `${base}/calendars/primary/events?maxResults=10`, file: 'events.json' },
        { url: `${base}/calendars/primary/events/7k2f1c0a9b8d`, file: 'event.json' },
        { url: `${base}/users/me/settings`, file: 'settings.json' },
        { url: `${base}/users/me/calendarList`, file: 'calendarList.json' },
      ],
    });
    expect(r).toHaveLength(5);
  });
  it('gdirectory', () => {
    const base = 'https://admin.googleapis.com/admin/directory/v1';
    expect(
      runGoldenFiles({
        connector: gdirectory,
        dir: fixtures('gdirectory'),
        cases: [
          { url: `${base}/customer/my_customer/domains`, file: 'domains.json' },
          { url: `${base}/users?customer=my_customer&maxResults=2`, file: 'users.json' },
          { url: `${base}/users/101447192039485711`, file: 'user.json' },
          { url: `${base}/groups?customer=my_customer`, file: 'groups.json' },
          { url: `${base}/groups/03x8tuzt2l1khxq`, file: 'group.json' },
          { url: `${base}/groups/03x8tuzt2l1khxq/members?maxResults=10`, file: 'group-members.json' },
          { url: `${base}/customer/my_customer/orgunits`, file: 'orgunits.json' },
          { url: `${base}/customer/my_customer/orgunits/Engineering`, file: 'orgunit.json' },
        ],
      }),
    ).toHaveLength(8);
  });
  it('gdirectory with PSEUDONYMIZE_APP_IDS', () => {
    const base = 'https://admin.googleapis.com/admin/directory/v1';
    runGoldenFiles({
      connector: gdirectory,
      config: { pseudonymizeAppIds: true },
      dir: fixtures('gdirectory'),
      cases: [
        { url: `${base}/users?customer=my_customer`, file: 'users.json', sanitized: '../sanitized-no-app-ids/users.json' },
        { url: `${base}/users/101447192039485711`, file: 'user.json', sanitized: '../sanitized-no-app-ids/user.json' },
        { url: `${base}/groups/g/members`, file: 'group-members.json', sanitized: '../sanitized-no-app-ids/group-members.json' },
      ],
    });
  });
  it('gdrive (v2 and v3)', () => {
    const base = 'https://www.googleapis.com/drive';
    runGoldenFiles({
      connector: gdrive,
      dir: fixtures('gdrive'),
      cases: [
        { url: `${base}/v3/files?pageSize=100`, file: 'files.json' },
        { url: `${base}/v3/files/1AbCdEfGhIjKlMnOpQrStUvWxYz`, file: 'file.json' },
        { url: `${base}/v2/files`, file: 'files-v2.json' },
        { url: `${base}/v3/files/1AbCdEf/permissions`, file: 'permissions.json' },
        { url: `${base}/v3/files/1AbCdEf/permissions/0911`, file: 'permission.json' },
        { url: `${base}/v3/files/1AbCdEf/revisions`, file: 'revisions.json' },
        { url: `${base}/v2/files/1AbCdEf/revisions/0B7abc`, file: 'revision.json' },
      ],
    });
  });
  it('gmail', () => {
    const base = 'https://www.googleapis.com/gmail/v1/users/me';
    runGoldenFiles({
      connector: gmail,
      dir: fixtures('gmail'),
      cases: [
        { url: `${base}/messages?maxResults=5&labelIds=SENT`, file: 'messages.json' },
        { url: `${base}/messages/18e0c7a2b4f1d3e5?format=metadata`, file: 'message.json' },
      ],
    });
  });
  it('google-chat and google-meet', () => {
    const base = 'https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications';
    runGoldenFiles({ connector: googleChat, dir: fixtures('google-chat'), cases: [{ url: `${base}/chat?maxResults=10`, file: 'chat-activities.json' }] });
    runGoldenFiles({ connector: googleMeet, dir: fixtures('google-meet'), cases: [{ url: `${base}/meet?maxResults=10`, file: 'meet-activities.json' }] });
  });
});

describe('allowlists', () => {
  it('gcal', () =>
    checkAllowlist(gcal, {
      allowed: ['/calendar/v3/calendars/primary/events?maxResults=10&pageToken=x', '/calendar/v3/users/me/calendarList', '/calendar/v3/calendars/p~abc/events'],
      blocked: ['/calendar/v3/calendars/primary/acl', '/calendar/v3/users/me/settings/timezone', '/calendar/v3/freeBusy', '/drive/v3/files', '/calendar/v3/calendars/a/b/events'],
    }));
  it('gdirectory', () =>
    checkAllowlist(gdirectory, {
      allowed: ['/admin/directory/v1/users?customer=my_customer', '/admin/directory/v1/groups/g1/members', '/admin/directory/v1/customer/my_customer/orgunits/Eng'],
      blocked: ['/admin/directory/v1/users/u1/photos/thumbnail', '/admin/directory/v1/users/u1/tokens', '/admin/directory/v1/customer/c/roles', '/admin/directory/v1/customer/c/orgunits/Eng/Sub'],
    }));
  it('gdrive', () =>
    checkAllowlist(gdrive, {
      allowed: ['/drive/v2/files', '/drive/v3/files/abc', '/drive/v3/files/abc/revisions/1', '/drive/v3/files/abc/permissions?supportsAllDrives=true'],
      blocked: ['/drive/v3/about', '/drive/v3/changes', '/drive/v4/files', '/drive/v3/files/abc/comments'],
    }));
  it('gmail', () =>
    checkAllowlist(gmail, {
      allowed: ['/gmail/v1/users/me/messages', '/gmail/v1/users/me/messages/abc?format=metadata'],
      blocked: ['/gmail/v1/users/me/messages/abc/attachments/x', '/gmail/v1/users/me/threads', '/gmail/v1/users/me/settings/filters', '/gmail/v1/users/me/drafts'],
    }));
  it('google-chat and google-meet', () => {
    checkAllowlist(googleChat, {
      allowed: ['/admin/reports/v1/activity/users/all/applications/chat?maxResults=10'],
      blocked: ['/admin/reports/v1/activity/users/all/applications/drive', '/admin/reports/v1/activity/users/ada/applications/chat', '/admin/reports/v1/usage/users/all/dates/2024-01-01'],
    });
    checkAllowlist(googleMeet, {
      allowed: ['/admin/reports/v1/activity/users/all/applications/meet'],
      blocked: ['/admin/reports/v1/activity/users/all/applications/chat', '/admin/reports/v1/activity/users/all/applications/login'],
    });
  });
  it('reports a call that goes the wrong way', () => {
    expect(() => checkAllowlist(gmail, { allowed: ['/gmail/v1/users/me/threads'] })).toThrow(/should be allowed but is blocked.*threads/);
    expect(() => checkAllowlist(gmail, { blocked: ['/gmail/v1/users/me/messages'] })).toThrow(/should be blocked but is allowed/);
  });
});

describe('README', () => {
  it('documents every connector: id, grants, setup steps and settings', async () => {
    const { readFileSync } = await import('node:fs');
    const { connectors } = await import('../src/index.js');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), connectors);
  });
});
