import { fileURLToPath } from 'node:url';
import { compileRestRules, connectorRules, sanitizeResponse } from '@psoxy/core';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { msftEntraId, msftTeams, outlookCal, outlookMail } from '../src/index.js';

const fixtures = (id: string) => fileURLToPath(new URL(`./fixtures/${id}/`, import.meta.url));
const G = 'https://graph.microsoft.com/v1.0';
const U1 = '48d31887-5fad-4d73-a9f5-3c356e68a038';

describe('golden files: every allowlisted endpoint sanitized as recorded', () => {
  it('msft-entra-id', () => {
    const cases = [
      { url: `${G}/users?$top=2&$select=id,mail`, file: 'users.json' },
      { url: `${G}/users/${U1}`, file: 'user.json' },
      { url: `${G}/groups`, file: 'groups.json' },
      { url: `${G}/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315`, file: 'group.json' },
      { url: `${G}/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?$count=true`, file: 'group-members.json' },
    ];
    expect(runGoldenFiles({ connector: msftEntraId, dir: fixtures('msft-entra-id'), cases })).toHaveLength(5);
    // with PSEUDONYMIZE_APP_IDS, a user is addressed by the reversible pseudonym of its id
    const variant = cases
      .filter((c) => c.file !== 'groups.json' && c.file !== 'group.json')
      .map((c) => ({ ...c, url: c.url.replace(U1, 'p~ZWNyeXB0ZWQtdXNlci1pZA'), sanitized: `../sanitized-no-app-ids/${c.file}` }));
    runGoldenFiles({ connector: msftEntraId, config: { pseudonymizeAppIds: true }, dir: fixtures('msft-entra-id'), cases: variant });
  });
  it('outlook-cal', () => {
    const cases = [
      { url: `${G}/users`, file: 'users.json' },
      { url: `${G}/users/${U1}/events`, file: 'events.json' },
      { url: `${G}/users/${U1}/calendars/AAMkAGI=/events`, file: 'events.json' },
      { url: `${G}/users/${U1}/events/AAMkAGIAAAoZDOFAAA=`, file: 'event.json' },
      { url: `${G}/users/${U1}/calendar/calendarView?startDateTime=2024-03-01T00:00:00Z&endDateTime=2024-03-08T00:00:00Z`, file: 'calendarView.json' },
      { url: `${G}/users/${U1}/mailboxSettings`, file: 'mailboxSettings.json' },
    ];
    runGoldenFiles({ connector: outlookCal, dir: fixtures('outlook-cal'), cases });
    runGoldenFiles({ connector: outlookCal, config: { pseudonymizeAppIds: true }, dir: fixtures('outlook-cal'), cases: cases.slice(0, 2).map((c) => ({ ...c, sanitized: `../sanitized-no-app-ids/${c.file}` })) });
  });
  it('outlook-mail', () => {
    const cases = [
      { url: `${G}/users`, file: 'users.json' },
      { url: `${G}/users/${U1}/mailboxSettings`, file: 'mailboxSettings.json' },
      { url: `${G}/users/${U1}/messages/AAMkAGVm=`, file: 'message.json' },
      { url: `${G}/users/${U1}/mailFolders('SentItems')/messages?$top=10`, file: 'sentItems.json' },
      { url: `${G}/users/${U1}/mailFolders/SentItems/messages`, file: 'sentItems.json' },
    ];
    runGoldenFiles({ connector: outlookMail, dir: fixtures('outlook-mail'), cases });
    runGoldenFiles({
      connector: outlookMail,
      config: { pseudonymizeAppIds: true },
      dir: fixtures('outlook-mail'),
      cases: [
        { ...(cases[3] as (typeof cases)[number]), sanitized: '../sanitized-no-app-ids/sentItems.json' },
        // the user's id in @odata.context is redacted in this variant (it was left before)
        { url: `${G}/users/p~ZWNyeXB0ZWQtdXNlci1pZA/mailboxSettings`, file: 'mailboxSettings.json', sanitized: '../sanitized-no-app-ids/mailboxSettings.json' },
      ],
    });
  });
  it('msft-teams', () => {
    const T = 'fbe2bf47-16c8-47cf-b4a5-4b9b187c508b';
    const CH = '19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2';
    runGoldenFiles({
      connector: msftTeams,
      dir: fixtures('msft-teams'),
      cases: [
        { url: `${G}/teams?$select=id,displayName`, file: 'teams.json' },
        { url: `${G}/teams/${T}/allChannels`, file: 'allChannels.json' },
        { url: `${G}/users/${U1}/chats?$expand=lastMessagePreview`, file: 'chats.json' },
        { url: `${G}/teams/${T}/channels/${CH}/messages?$top=50`, file: 'channel-messages.json' },
        { url: `${G}/teams/${T}/channels/${CH}/messages/delta?$deltatoken=abc`, file: 'channel-messages-delta.json' },
        { url: `${G}/chats/19:8ea0e38b@unq.gbl.spaces/messages?$top=50`, file: 'chat-messages.json' },
        { url: `${G}/communications/calls/2f1a1100-b174-40a0-aba7-0b405e01ed92`, file: 'call.json' },
        { url: `${G}/communications/callRecords?$expand=sessions($expand=segments)`, file: 'callRecords.json' },
        { url: `${G}/communications/callRecords/e523d2ed-2966-4b6b-925b-754a88034cc5?$expand=sessions($expand=segments)`, file: 'callRecord.json' },
        { url: `${G}/communications/callRecords/getDirectRoutingCalls(fromDateTime=2024-03-01T00:00:00Z,toDateTime=2024-03-08T00:00:00Z)`, file: 'directRoutingCalls.json' },
        { url: `${G}/communications/callRecords/getPstnCalls(fromDateTime=2024-03-01T00:00:00Z,toDateTime=2024-03-08T00:00:00Z)?$skip=0`, file: 'pstnCalls.json' },
        { url: `${G}/users/${U1}/onlineMeetings?$filter=JoinWebUrl%20eq%20'x'`, file: 'onlineMeetings.json' },
        { url: `${G}/users/${U1}/onlineMeetings/MSpk/attendanceReports`, file: 'attendanceReports.json' },
        { url: `${G}/users/${U1}/onlineMeetings/MSpk/attendanceReports/c9b6db1c?$expand=attendanceRecords`, file: 'attendanceReport.json' },
        { url: `${G}/users?$select=id`, file: 'users.json' },
      ],
    });
    runGoldenFiles({
      connector: msftTeams,
      config: { pseudonymizeAppIds: true },
      dir: fixtures('msft-teams'),
      cases: [
        { url: `${G}/users/p~abc/chats`, file: 'chats.json', sanitized: '../sanitized-no-user-ids/chats.json' },
        { url: `${G}/chats/p~xyz/messages`, file: 'chat-messages.json', sanitized: '../sanitized-no-user-ids/chat-messages.json' },
        { url: `${G}/communications/callRecords`, file: 'callRecords.json', sanitized: '../sanitized-no-user-ids/callRecords.json' },
        { url: `${G}/users/p~abc/onlineMeetings/MSpk/attendanceReports/c9b6db1c`, file: 'attendanceReport.json', sanitized: '../sanitized-no-user-ids/attendanceReport.json' },
      ],
    });
  });
});

describe('allowlists', () => {
  it('msft-entra-id', () =>
    checkAllowlist(msftEntraId, {
      allowed: ['/v1.0/users?$top=10&$select=id,mail', `/v1.0/users/${U1}`, '/v1.0/groups?$filter=x', '/v1.0/groups/g1/members?$count=true'],
      blocked: ['/v1.0/users?$expand=manager', `/v1.0/users/${U1}/messages`, '/v1.0/me', '/beta/users', '/v1.0/groups/g1/members?$filter=x', '/v1.0/applications', '/v1.0/servicePrincipals'],
    }));
  it('msft-entra-id with PSEUDONYMIZE_APP_IDS accepts reversible user ids', () =>
    checkAllowlist(msftEntraId, { allowed: ['/v1.0/users/p~abc_DEF-123'], blocked: ['/v1.0/users/p~abc/photo'] }, { pseudonymizeAppIds: true }));
  it('outlook-cal', () =>
    checkAllowlist(outlookCal, {
      allowed: [`/v1.0/users/${U1}/events`, `/v1.0/users/${U1}/calendar/calendarView?startDateTime=a&endDateTime=b`, `/v1.0/users/${U1}/mailboxSettings`],
      blocked: [`/v1.0/users/${U1}/messages`, `/v1.0/users/${U1}/calendarView?startDateTime=a`, `/v1.0/users/${U1}/contacts`, `/v1.0/users/${U1}/drive`],
    }));
  it('outlook-mail', () =>
    checkAllowlist(outlookMail, {
      allowed: [`/v1.0/users/${U1}/mailFolders/SentItems/messages`, `/v1.0/users/${U1}/mailFolders('SentItems')/messages?$top=10`, `/v1.0/users/${U1}/messages/abc`],
      blocked: [`/v1.0/users/${U1}/mailFolders/Inbox/messages`, `/v1.0/users/${U1}/messages/abc/attachments`, `/v1.0/users/${U1}/events`, `/v1.0/users/${U1}/mailFolders`],
    }));
  it('msft-teams', () =>
    checkAllowlist(msftTeams, {
      allowed: ['/v1.0/teams', '/v1.0/communications/callRecords', '/v1.0/communications/callRecords/e523d2ed-2966-4b6b-925b-754a88034cc5', `/v1.0/users/${U1}/onlineMeetings`],
      blocked: ['/v1.0/teams?$expand=members', '/v1.0/teams/t1/members', '/v1.0/communications/callRecords/not-a-guid', '/v1.0/chats', '/v1.0/teams/t1/channels/c1/messages/m1/hostedContents', '/v1.0/groups'],
    }));
  it('msft-teams with PSEUDONYMIZE_APP_IDS addresses users and chats by their pseudonyms', () =>
    checkAllowlist(msftTeams, { allowed: ['/v1.0/users/p~abc/chats', '/v1.0/chats/p~xyz/messages', '/v1.0/users/p~abc', '/v1.0/teams'], blocked: ['/v1.0/users/p~abc/drive'] }, { pseudonymizeAppIds: true }));
});

describe('README', () => {
  it('documents every connector: id, grants, setup steps and settings', async () => {
    const { readFileSync } = await import('node:fs');
    const { connectors } = await import('../src/index.js');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), connectors);
  });
});

describe('msft-teams without user ids (PSEUDONYMIZE_APP_IDS)', () => {
  it("pseudonymizes every identity's id, an organizer's as much as an attendee's (Psoxy's $..identity.id)", () => {
    const rules = compileRestRules(connectorRules(msftTeams, { settings: {}, pseudonymizeAppIds: true }));
    const body = JSON.stringify({
      organizer: { identity: { id: 'u3', displayName: 'Org' } },
      attendanceRecords: [{ identity: { id: 'u4' } }],
      participants: { organizer: { identity: { user: { id: 'u5' } } } },
    });
    const out = sanitizeResponse({ rules, pseudonymizer: { salt: 'salt', encryptionKey: 'secret' }, url: 'https://graph.microsoft.com/v1.0/users/p~abc/onlineMeetings/m1/attendanceReports/r1', body });
    expect(out.blocked).toBe(false);
    const text = out.blocked ? '' : out.body;
    for (const raw of ['"u3"', '"u4"', '"u5"']) expect(text).not.toContain(raw);
    expect(JSON.parse(text).organizer.identity.id).toMatch(/^p~/);
  });
});
