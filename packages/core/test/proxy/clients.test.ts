import { Octokit } from '@octokit/rest';
import { google } from 'googleapis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, pseudonymizer, startProxy, startUpstream } from './harness.js';

// Official clients, pointed at the proxy, must not notice it is there: same calls, same paging,
// only sanitized data.

const CALENDAR_RULES = `
endpoints:
  - pathTemplate: /calendar/v3/calendars/{calendarId}/events
    allowedMethods: [GET]
    allowedQueryParams: [maxResults, pageToken, timeMin, singleEvents, prettyPrint, alt]
    transforms:
      - !<redact>
        jsonPaths: ["$..displayName", "$.items[*].description", "$.items[*].summary", "$.summary"]
      - !<pseudonymize>
        jsonPaths: ["$..email"]
      - !<tokenize>
        jsonPaths: ["$.nextPageToken"]
`;

const GITHUB_RULES = `
endpoints:
  - pathTemplate: /repos/{owner}/{repo}/pulls
    allowedMethods: [GET]
    allowedQueryParams: [state, per_page, page]
    transforms:
      - !<redact>
        jsonPaths: ["$..title", "$..body", "$..['user'].['avatar_url','html_url','url']"]
      - !<pseudonymize>
        jsonPaths: ["$..['user'].['id','node_id']"]
      - !<pseudonymize>
        jsonPaths: ["$..['user'].login"]
        includeReversible: true
  - pathTemplate: /users/{username}
    allowedMethods: [GET]
    pathParameterSchemas:
      username: { format: reversible-pseudonym }
    transforms:
      - !<redact>
        jsonPaths: ["$.name", "$.avatar_url", "$.bio"]
      - !<pseudonymize>
        jsonPaths: ["$.id"]
      - !<pseudonymize>
        jsonPaths: ["$.login"]
        includeReversible: true
`;

const PEOPLE = ['ada@acme.com', 'grace@acme.com', 'alan@acme.com', 'edsger@acme.com', 'barbara@acme.com'];
const event = (i: number) => ({
  kind: 'calendar#event',
  id: `ev${i}`,
  summary: `Secret meeting ${i}`,
  description: 'private agenda',
  organizer: { email: PEOPLE[i % 5], displayName: 'Someone' },
  attendees: [{ email: PEOPLE[(i + 1) % 5], responseStatus: 'accepted' }],
  start: { dateTime: '2026-10-06T10:00:00Z' },
});

let calendarSource: Awaited<ReturnType<typeof startUpstream>>;
let githubSource: Awaited<ReturnType<typeof startUpstream>>;
let calendarProxy: Awaited<ReturnType<typeof startProxy>>;
let githubProxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  calendarSource = await startUpstream((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = url.searchParams.get('pageToken') === 'opaque-page-2' ? 2 : 1;
    json(res, 200, {
      kind: 'calendar#events',
      summary: 'ada@acme.com',
      items: page === 1 ? [event(0), event(1)] : [event(2)],
      ...(page === 1 ? { nextPageToken: 'opaque-page-2' } : {}),
    });
  });
  const users: Record<string, { login: string; id: number }> = {};
  for (const [i, login] of ['octocat', 'hubot', 'monalisa', 'defunkt', 'mojombo'].entries()) users[login] = { login, id: 1000 + i };
  githubSource = await startUpstream((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/users\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const u = users[m[1] as string];
      return u ? json(res, 200, { ...u, name: 'Real Name', bio: 'hi', avatar_url: 'https://x' }) : json(res, 404, { message: 'Not Found' });
    }
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const all = Object.values(users).map((u, i) => ({ number: i + 1, title: `PR ${i}`, body: 'secret', user: { ...u, node_id: `N${u.id}`, avatar_url: 'a', html_url: 'h', url: 'u' } }));
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.ceil(all.length / perPage);
    const base = `http://${req.headers.host}${url.pathname}?per_page=${perPage}`;
    const link = page < last ? `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"` : `<${base}&page=1>; rel="first"`;
    json(res, 200, slice, { link });
  });
  calendarProxy = await startProxy(calendarSource.url, CALENDAR_RULES);
  githubProxy = await startProxy(githubSource.url, GITHUB_RULES);
});

afterAll(async () => {
  await calendarProxy.close();
  await githubProxy.close();
  await calendarSource.close();
  await githubSource.close();
});

describe('googleapis (calendar) through the proxy', () => {
  it('lists events page by page, sanitized; the page token is reversible and decrypted for the source', async () => {
    const calendar = google.calendar({ version: 'v3', rootUrl: `${calendarProxy.url}/` });
    const first = await calendar.events.list({ calendarId: 'primary', maxResults: 2 });
    expect(first.status).toBe(200);
    expect(first.data.items).toHaveLength(2);
    expect(first.data.summary).toBeUndefined();
    for (const e of first.data.items ?? []) {
      expect(e.organizer?.email).toMatch(/^t~[\w-]{43}@acme\.com$/);
      expect(e.organizer?.displayName).toBeUndefined();
      expect(e.description).toBeUndefined();
    }
    expect(first.data.nextPageToken).toMatch(/^p~/);
    const second = await calendar.events.list({ calendarId: 'primary', maxResults: 2, pageToken: first.data.nextPageToken ?? '' });
    expect(second.data.items).toHaveLength(1);
    expect(second.data.nextPageToken).toBeUndefined();
    expect(calendarSource.hits.at(-1)?.url).toContain('pageToken=opaque-page-2');
    expect(JSON.stringify([first.data, second.data])).not.toMatch(/ada@|grace@|alan@|edsger@|Secret meeting|private agenda/);
  });
});

describe('@octokit/rest through the proxy', () => {
  it('paginates pulls by Link headers that point back at the proxy, and looks up a user by reversible pseudonym', async () => {
    const octokit = new Octokit({ baseUrl: githubProxy.url });
    const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: 'acme', repo: 'platform', per_page: 2 });
    expect(pulls).toHaveLength(5);
    expect(githubSource.hits.filter((h) => h.url.startsWith('/repos/')).map((h) => h.url)).toEqual([
      '/repos/acme/platform/pulls?per_page=2',
      '/repos/acme/platform/pulls?per_page=2&page=2',
      '/repos/acme/platform/pulls?per_page=2&page=3',
    ]);
    for (const p of pulls) {
      expect(p.title).toBeUndefined();
      expect(p.user?.login).toMatch(/^p~/);
      expect(String(p.user?.id)).toMatch(/^t~/);
    }
    const login = pulls[0]?.user?.login as string;
    const user = await octokit.rest.users.getByUsername({ username: login });
    expect(user.data.login).toBe(login); // same reversible pseudonym back
    expect(githubSource.hits.at(-1)?.url).toBe('/users/octocat');
    expect((user.data as { name?: string }).name).toBeUndefined();
    expect(pseudonymizer.reverse(login)).toBe('octocat');
  });

  it('surfaces a blocked call as an ordinary HTTP error to the client', async () => {
    const octokit = new Octokit({ baseUrl: githubProxy.url });
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'platform' })).rejects.toMatchObject({ status: 403 });
  });
});
