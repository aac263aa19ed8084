import { fileURLToPath } from 'node:url';
import { checkAllowlist, checkReadme, runGoldenFiles } from '@psoxy/testkit';
import { describe, expect, it } from 'vitest';
import { zoom } from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const Z = 'https://api.zoom.us/v2';

describe('zoom rules', () => {
  it('golden files at every allowlisted endpoint', () => {
    const r = runGoldenFiles({
      connector: zoom,
      dir,
      cases: [
        { url: `${Z}/meetings/85746065432?show_previous_occurrences=true`, file: 'meeting.json' },
        { url: `${Z}/meetings/aDYlohsHRtCd4ii1uC2+hA==/meeting_summary`, file: 'meeting-summary.json' },
        { url: `${Z}/past_meetings/85746065432`, file: 'past-meeting.json' },
        { url: `${Z}/past_meetings/85746065432/instances`, file: 'past-meeting-instances.json' },
        { url: `${Z}/past_meetings/85746065432/participants?page_size=30`, file: 'past-meeting-participants.json' },
        { url: `${Z}/report/meetings/85746065432/participants?page_size=30&next_page_token=x`, file: 'report-meeting-participants.json' },
        { url: `${Z}/report/users/z8yCxjabcdEFGhi/meetings?from=2024-03-01&to=2024-03-31`, file: 'report-user-meetings.json' },
        { url: `${Z}/users?status=active&page_size=30`, file: 'users.json' },
        { url: `${Z}/users/p~abc/meetings?type=previous_meetings`, file: 'user-meetings.json' },
        { url: `${Z}/users/z8yCxjabcdEFGhi/recordings?from=2024-03-01`, file: 'user-recordings.json' },
      ],
    });
    expect(r).toHaveLength(10);
  });

  it('allowlist, including what Psoxy tests as blocked', () =>
    checkAllowlist(zoom, {
      allowed: ['/v2/meetings/abc/def', '/v2/users/p~abc/meetings?page_size=30', '/v2/past_meetings/a%2Fb/participants'],
      blocked: [
        '/v2/users/',
        '/v2/meetings//abc',
        '/v2/report/meetings/a/b/c/participants',
        '/v2/report/daily',
        '/v2/groups',
        '/v2/report/meetings/85746065432',
        '/v2/users?role_id=1',
        '/v2/meetings/1/meeting_summary?x=1',
        '/v2/users/u1/settings',
      ],
    }));

  it('README documents the connector', async () => {
    const { readFileSync } = await import('node:fs');
    checkReadme(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), [zoom]);
  });
});
