// Generates the benchmark inputs (deterministic, data written for this project): large but
// realistic API responses of about 5 MB each, in bench/.data/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '.data');

/** Small deterministic PRNG (mulberry32) so every run benchmarks the same bytes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const FIRST = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'margaret', 'ken', 'dennis', 'radia', 'john', 'frances', 'linus', 'guido', 'bjarne', 'katherine'];
const LAST = ['lovelace', 'hopper', 'turing', 'dijkstra', 'liskov', 'knuth', 'hamilton', 'thompson', 'ritchie', 'perlman', 'mccarthy', 'allen', 'torvalds', 'rossum', 'stroustrup', 'johnson'];
const WORDS = 'sync planning review roadmap hiring budget design retro standup interview incident postmortem launch quarterly offsite customer demo architecture security onboarding'.split(' ');

function people(r, n) {
  return Array.from({ length: n }, (_, i) => {
    const f = FIRST[Math.floor(r() * FIRST.length)];
    const l = LAST[Math.floor(r() * LAST.length)];
    return { first: f, last: l, email: `${f}.${l}${i}@example.com`, login: `${f}${l}${i}`, id: 100000 + i };
  });
}
const pick = (r, a) => a[Math.floor(r() * a.length)];
const sentence = (r, n) => Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
const iso = (r) => new Date(Date.UTC(2026, Math.floor(r() * 12), 1 + Math.floor(r() * 28), Math.floor(r() * 24), Math.floor(r() * 60))).toISOString();

function calendarEvents(target) {
  const r = rng(1);
  const ps = people(r, 400);
  const items = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    const org = pick(r, ps);
    const attendees = Array.from({ length: 2 + Math.floor(r() * 12) }, () => {
      const p = pick(r, ps);
      return { email: p.email, displayName: `${p.first} ${p.last}`, responseStatus: pick(r, ['accepted', 'declined', 'tentative', 'needsAction']), ...(r() < 0.2 ? { optional: true } : {}) };
    });
    const start = iso(r);
    const ev = {
      kind: 'calendar#event',
      etag: `"${Math.floor(r() * 1e15)}"`,
      id: `${Math.floor(r() * 1e16).toString(36)}${i}`,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Math.floor(r() * 1e16).toString(36)}`,
      created: iso(r),
      updated: iso(r),
      summary: `${sentence(r, 2)} with ${org.first}`,
      description: sentence(r, 20 + Math.floor(r() * 40)),
      location: `Room ${Math.floor(r() * 500)}, ${sentence(r, 2)} building`,
      creator: { email: org.email, displayName: `${org.first} ${org.last}` },
      organizer: { email: org.email, displayName: `${org.first} ${org.last}`, self: r() < 0.1 },
      start: { dateTime: start, timeZone: 'Europe/London' },
      end: { dateTime: start, timeZone: 'Europe/London' },
      recurringEventId: r() < 0.3 ? `${Math.floor(r() * 1e12).toString(36)}` : undefined,
      iCalUID: `${Math.floor(r() * 1e16).toString(36)}@google.com`,
      sequence: Math.floor(r() * 4),
      attendees,
      hangoutLink: `https://meet.google.com/${Math.floor(r() * 1e9).toString(36)}`,
      conferenceData: {
        entryPoints: [{ entryPointType: 'video', uri: `https://meet.google.com/${Math.floor(r() * 1e9).toString(36)}`, label: 'meet' }],
        conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
        conferenceId: `${Math.floor(r() * 1e9).toString(36)}`,
      },
      reminders: { useDefault: true },
      eventType: 'default',
    };
    size += JSON.stringify(ev).length;
    items.push(ev);
  }
  return { kind: 'calendar#events', etag: '"p3"', summary: 'ada.lovelace@example.com', updated: '2026-10-05T09:12:44.118Z', timeZone: 'Europe/London', accessRole: 'owner', nextPageToken: 'CiAKGjBuZWxvN2o0YzFxbWYy', items };
}

function ghUser(p) {
  const base = `https://api.github.com/users/${p.login}`;
  return {
    login: p.login,
    id: p.id,
    node_id: `MDQ6VXNlcj${p.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${p.id}?v=4`,
    gravatar_id: '',
    url: base,
    html_url: `https://github.com/${p.login}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type: 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}
function ghRepo(r, owner, name) {
  const base = `https://api.github.com/repos/${owner.login}/${name}`;
  const repo = { id: 700000 + Math.floor(r() * 1e5), node_id: `R_kgDO${Math.floor(r() * 1e8)}`, name, full_name: `${owner.login}/${name}`, private: true, owner: ghUser(owner), html_url: `https://github.com/${owner.login}/${name}`, description: sentence(r, 6), fork: false, url: base };
  for (const k of ['forks', 'keys', 'collaborators', 'teams', 'hooks', 'issue_events', 'events', 'assignees', 'branches', 'tags', 'blobs', 'git_tags', 'git_refs', 'trees', 'statuses', 'languages', 'stargazers', 'contributors', 'subscribers', 'subscription', 'commits', 'git_commits', 'comments', 'issue_comment', 'contents', 'compare', 'merges', 'archive', 'downloads', 'issues', 'pulls', 'milestones', 'notifications', 'labels', 'releases', 'deployments']) {
    repo[`${k}_url`] = `${base}/${k}`;
  }
  Object.assign(repo, { created_at: iso(r), updated_at: iso(r), pushed_at: iso(r), size: Math.floor(r() * 1e6), stargazers_count: 3, watchers_count: 3, language: 'TypeScript', has_issues: true, forks_count: 0, open_issues_count: 12, visibility: 'private', default_branch: 'main' });
  return repo;
}
function githubPulls(target) {
  const r = rng(2);
  const ps = people(r, 120);
  const pulls = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    const author = pick(r, ps);
    const owner = { login: 'acme-corp', id: 9000 };
    const repo = ghRepo(r, owner, 'platform');
    const reviewers = Array.from({ length: Math.floor(r() * 3) }, () => ghUser(pick(r, ps)));
    const assignees = Array.from({ length: Math.floor(r() * 2) }, () => ghUser(pick(r, ps)));
    const n = 1000 + i;
    const pr = {
      url: `https://api.github.com/repos/acme-corp/platform/pulls/${n}`,
      id: 1500000000 + i,
      node_id: `PR_kwDO${i}`,
      html_url: `https://github.com/acme-corp/platform/pull/${n}`,
      diff_url: `https://github.com/acme-corp/platform/pull/${n}.diff`,
      patch_url: `https://github.com/acme-corp/platform/pull/${n}.patch`,
      issue_url: `https://api.github.com/repos/acme-corp/platform/issues/${n}`,
      number: n,
      state: pick(r, ['open', 'closed']),
      locked: false,
      title: `${sentence(r, 5)} (${author.first})`,
      user: ghUser(author),
      body: sentence(r, 30 + Math.floor(r() * 60)),
      created_at: iso(r),
      updated_at: iso(r),
      closed_at: r() < 0.5 ? iso(r) : null,
      merged_at: null,
      merge_commit_sha: Math.floor(r() * 1e16).toString(16).padStart(40, '0'),
      assignee: assignees[0] ?? null,
      assignees,
      requested_reviewers: reviewers,
      requested_teams: [],
      labels: [{ id: 1, node_id: 'LA_1', url: 'https://api.github.com/repos/acme-corp/platform/labels/bug', name: 'bug', color: 'd73a4a', default: true, description: "Something isn't working" }],
      milestone: null,
      draft: r() < 0.2,
      commits_url: `https://api.github.com/repos/acme-corp/platform/pulls/${n}/commits`,
      review_comments_url: `https://api.github.com/repos/acme-corp/platform/pulls/${n}/comments`,
      statuses_url: `https://api.github.com/repos/acme-corp/platform/statuses/${i}`,
      head: { label: `${author.login}:feature-${i}`, ref: `feature-${i}`, sha: Math.floor(r() * 1e16).toString(16).padStart(40, '0'), user: ghUser(author), repo },
      base: { label: 'acme-corp:main', ref: 'main', sha: Math.floor(r() * 1e16).toString(16).padStart(40, '0'), user: ghUser(owner), repo },
      _links: { self: { href: `https://api.github.com/repos/acme-corp/platform/pulls/${n}` }, html: { href: `https://github.com/acme-corp/platform/pull/${n}` } },
      author_association: 'MEMBER',
      auto_merge: null,
      active_lock_reason: null,
    };
    size += JSON.stringify(pr).length;
    pulls.push(pr);
  }
  return pulls;
}

function directoryUsers(target) {
  const r = rng(3);
  const users = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    const f = pick(r, FIRST);
    const l = pick(r, LAST);
    const email = `${f}.${l}${i}@example.com`;
    const u = {
      kind: 'admin#directory#user',
      id: `1${String(Math.floor(r() * 1e20)).padStart(20, '0')}`,
      etag: `"${Math.floor(r() * 1e15).toString(36)}"`,
      primaryEmail: email,
      name: { givenName: f, familyName: l, fullName: `${f} ${l}` },
      isAdmin: r() < 0.05,
      isDelegatedAdmin: false,
      lastLoginTime: iso(r),
      creationTime: iso(r),
      agreedToTerms: true,
      suspended: r() < 0.03,
      archived: false,
      changePasswordAtNextLogin: false,
      ipWhitelisted: false,
      emails: [{ address: email, primary: true }, { address: `${f}@example.com`, type: 'work' }],
      phones: [{ value: `+1 555 ${String(Math.floor(r() * 1e7)).padStart(7, '0')}`, type: 'work' }],
      aliases: [`${f}.${l}@example.com`],
      nonEditableAliases: [`${f}.${l}${i}@example.com.test-google-a.com`],
      customerId: 'C03az79cb',
      orgUnitPath: pick(r, ['/', '/Engineering', '/Sales', '/Support']),
      isMailboxSetup: true,
      isEnrolledIn2Sv: true,
      isEnforcedIn2Sv: false,
      includeInGlobalAddressList: true,
      thumbnailPhotoUrl: `https://lh3.googleusercontent.com/a-/${Math.floor(r() * 1e16).toString(36)}`,
      thumbnailPhotoEtag: `"${Math.floor(r() * 1e15).toString(36)}"`,
      organizations: [{ title: sentence(r, 2), primary: true, customType: '', department: pick(r, ['Engineering', 'Sales', 'Support']), description: 'Full time', costCenter: String(Math.floor(r() * 1000)) }],
      relations: [{ value: `${pick(r, FIRST)}@example.com`, type: 'manager' }],
      externalIds: [{ value: String(10000 + i), type: 'organization' }],
      locations: [{ type: 'desk', area: 'desk', buildingId: 'HQ', floorName: String(Math.floor(r() * 10)), deskCode: `D-${Math.floor(r() * 999)}` }],
      recoveryEmail: `${f}.${l}.home@example.net`,
      recoveryPhone: `+15555${String(Math.floor(r() * 1e6)).padStart(6, '0')}`,
    };
    size += JSON.stringify(u).length;
    users.push(u);
  }
  return { kind: 'admin#directory#users', etag: '"x"', users, nextPageToken: 'Q0FNU0ZRMzZBMDR' };
}

mkdirSync(out, { recursive: true });
const TARGET = 5 * 1024 * 1024;
// Formatted as the real APIs send them: Google APIs pretty-print (2 spaces), GitHub is compact.
const files = {
  'calendar-events.json': [calendarEvents(TARGET), 2],
  'github-pulls.json': [githubPulls(TARGET), 0],
  'directory-users.json': [directoryUsers(TARGET), 2],
};
for (const [name, [data, indent]] of Object.entries(files)) writeFileSync(join(out, name), JSON.stringify(data, null, indent || undefined));
export const GENERATED = Object.keys(files);
console.log(`generated ${GENERATED.join(', ')} in ${out}`);
