import { SecretStoreError } from '@psoxy/core';
import { type FakeSecretManager, startFakeSecretManager } from '@psoxy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION_LABEL, LOCK_LABEL, SecretManagerLease, SecretManagerStore, lockSecretId } from '../src/index.js';

let sm: FakeSecretManager;
beforeAll(async () => {
  sm = await startFakeSecretManager();
});
afterAll(() => sm.close());

const access = () => ({ project: sm.project, endpoint: sm.url, accessToken: async () => sm.token });
const callsSince = (n: number) => sm.calls.slice(n);

describe('SecretManagerStore reads (Psoxy: label-pinned version, else latest)', () => {
  it('reads the version the latest-version label names, with the Bearer token', async () => {
    sm.put('PSOXY_GCAL_CLIENT_ID', ['pinned', 'newer-but-not-labelled'], { [LATEST_VERSION_LABEL]: '1' });
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_GCAL_' });
    const before = sm.calls.length;
    expect((await store.get('CLIENT_ID'))?.value).toBe('pinned');
    expect(callsSince(before)).toEqual([`GET /v1/projects/${sm.project}/secrets/PSOXY_GCAL_CLIENT_ID`, `GET /v1/projects/${sm.project}/secrets/PSOXY_GCAL_CLIENT_ID/versions/1:access`]);
    expect(sm.unauthenticated).toEqual([]);
  });

  it('without a label, or when the labelled version is gone, reads latest', async () => {
    sm.put('PSOXY_GCAL_A', ['a1', 'a2']);
    sm.put('PSOXY_GCAL_B', ['b1', { value: 'b2', state: 'DESTROYED' }, 'b3'], { [LATEST_VERSION_LABEL]: '2' });
    sm.put('PSOXY_GCAL_C', ['c1'], { [LATEST_VERSION_LABEL]: '7' });
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_GCAL_' });
    expect((await store.get('A'))?.value).toBe('a2');
    expect((await store.get('B'))?.value).toBe('b3');
    expect((await store.get('C'))?.value).toBe('c1');
  });

  it('an accessor-only role (403 on the secret) goes straight to latest', async () => {
    const s = sm.put('PSOXY_GCAL_ACCESSOR_ONLY', ['v1', 'v2'], { [LATEST_VERSION_LABEL]: '1' });
    s.denyMetadata = true;
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_GCAL_' });
    expect((await store.get('ACCESSOR_ONLY'))?.value).toBe('v2');
  });

  it('missing secrets, secrets without versions and placeholders are absent', async () => {
    sm.put('PSOXY_GCAL_EMPTY', []);
    sm.put('PSOXY_GCAL_TF_PLACEHOLDER', ['placeholder value - fill me']);
    sm.put('PSOXY_GCAL_PLACEHOLDER', ['fill me']);
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_GCAL_' });
    for (const name of ['NOPE', 'EMPTY', 'TF_PLACEHOLDER', 'PLACEHOLDER']) expect(await store.get(name), name).toBeUndefined();
  });

  it('reuses what it read for the cache TTL (misses too), then reads again', async () => {
    let now = 1_000_000;
    sm.put('PSOXY_TTL_X', ['one']);
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_TTL_', cacheTtlMs: 60_000, clock: () => now });
    expect((await store.get('X'))?.value).toBe('one');
    expect(await store.get('Y')).toBeUndefined();
    sm.put('PSOXY_TTL_X', ['one', 'two']);
    sm.put('PSOXY_TTL_Y', ['why']);
    const before = sm.calls.length;
    now += 59_000;
    expect((await store.get('X'))?.value).toBe('one');
    expect(await store.get('Y')).toBeUndefined();
    expect(sm.calls.length).toBe(before);
    now += 2_000;
    expect((await store.get('X'))?.value).toBe('two');
    expect((await store.get('Y'))?.value).toBe('why');
    sm.put('PSOXY_TTL_X', ['one', 'two', 'three']);
    expect((await store.get('X'))?.value).toBe('two');
    expect((await store.get('X', { fresh: true }))?.value).toBe('three');
  });

  it('a server error is a SecretStoreError naming the secret', async () => {
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_GCAL_', accessToken: async () => 'wrong-token', firstReadRetry: { attempts: 3, delayMs: 1 } });
    const before = sm.calls.length;
    const err = await store.get('CLIENT_ID').catch((e: Error) => e);
    // asked three times (a first read is retried, as Psoxy's cache does), then the error
    expect(sm.calls.length - before).toBe(3);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect(String(err)).toMatch(/PSOXY_GCAL_CLIENT_ID.*401 UNAUTHENTICATED/);
  });
});

describe('SecretManagerStore writes (Psoxy: add version, move the label, destroy what it replaced)', () => {
  it('adds a version, labels it, destroys the other enabled versions and week-old disabled ones', async () => {
    const old = new Date(Date.now() - 8 * 24 * 3_600_000).toISOString();
    sm.put(
      'PSOXY_ZOOM_ACCESS_TOKEN',
      ['t1', 't2', { value: 'old-disabled', state: 'DISABLED', createTime: old }, { value: 'recent-disabled', state: 'DISABLED' }],
      { [LATEST_VERSION_LABEL]: '2', terraform_managed_value: 'false' },
    );
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_ZOOM_' });
    expect((await store.get('ACCESS_TOKEN'))?.value).toBe('t2');
    const before = sm.calls.length;
    await store.set('ACCESS_TOKEN', '{"token":"t5","expirationDate":1}');
    const s = sm.secrets.get('PSOXY_ZOOM_ACCESS_TOKEN');
    expect(s?.labels).toEqual({ [LATEST_VERSION_LABEL]: '5', terraform_managed_value: 'false' });
    expect(s?.versions.map((v) => v.state)).toEqual(['DESTROYED', 'DESTROYED', 'DESTROYED', 'DISABLED', 'ENABLED']);
    expect(sm.value('PSOXY_ZOOM_ACCESS_TOKEN')).toBe('{"token":"t5","expirationDate":1}');
    const writes = callsSince(before).filter((c) => !c.startsWith('GET '));
    expect(writes).toEqual([
      `POST /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN:addVersion`,
      `PATCH /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN?updateMask=labels`,
      `POST /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN/versions/2:destroy`,
      `POST /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN/versions/1:destroy`,
      `POST /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN/versions/3:destroy`,
    ]);
    expect(callsSince(before)).toContain(`GET /v1/projects/${sm.project}/secrets/PSOXY_ZOOM_ACCESS_TOKEN/versions?filter=state%3AENABLED&pageSize=20`);
    // the write refreshed the cache: no call to read it back
    const after = sm.calls.length;
    expect((await store.get('ACCESS_TOKEN'))?.value).toBe('{"token":"t5","expirationDate":1}');
    expect(sm.calls.length).toBe(after);
  });

  it('two concurrent writes: the label ends on the newer version, whichever update came first', async () => {
    sm.put('PSOXY_BOTH_TOKEN', []);
    const shared = patchBarrier(2);
    const [a, b] = [new SecretManagerStore({ ...access(), fetch: shared, prefix: 'PSOXY_BOTH_' }), new SecretManagerStore({ ...access(), fetch: shared, prefix: 'PSOXY_BOTH_' })];
    await Promise.all([a.set('TOKEN', 'from-a'), b.set('TOKEN', 'from-b')]);
    const s = sm.secrets.get('PSOXY_BOTH_TOKEN');
    expect(s?.labels[LATEST_VERSION_LABEL]).toBe('2');
    expect(s?.versions.map((v) => v.state)).toEqual(['DESTROYED', 'ENABLED']);
    expect((await new SecretManagerStore({ ...access(), prefix: 'PSOXY_BOTH_' }).get('TOKEN'))?.value).toBe(sm.value('PSOXY_BOTH_TOKEN', 2));
  });

  it('creates a secret that does not exist yet', async () => {
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_NEW_' });
    await store.set('ACCESS_TOKEN', 'fresh');
    expect(sm.value('PSOXY_NEW_ACCESS_TOKEN')).toBe('fresh');
    expect(sm.secrets.get('PSOXY_NEW_ACCESS_TOKEN')?.labels).toEqual({ [LATEST_VERSION_LABEL]: '1' });
    expect((await new SecretManagerStore({ ...access(), prefix: 'PSOXY_NEW_' }).get('ACCESS_TOKEN'))?.value).toBe('fresh');
  });

  it('a refused write is a SecretStoreError naming the secret, never the value', async () => {
    sm.put('PSOXY_RO_REFRESH_TOKEN', ['r1']).denyWrite = true;
    const store = new SecretManagerStore({ ...access(), prefix: 'PSOXY_RO_' });
    const err = await store.set('REFRESH_TOKEN', 'very-secret-value').catch((e: Error) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect(String(err)).toMatch(/cannot write secret PSOXY_RO_REFRESH_TOKEN: .*403 PERMISSION_DENIED/);
    expect(String(err)).not.toContain('very-secret-value');
    expect(sm.value('PSOXY_RO_REFRESH_TOKEN')).toBe('r1');
  });
});

/** A fetch that holds the first `n` PATCH requests until all `n` are sent: contenders that all read the same etag. */
function patchBarrier(n: number): typeof fetch {
  const held: (() => void)[] = [];
  return (input, init) => {
    if (init?.method !== 'PATCH' || held.length >= n) return fetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      held.push(() => fetch(input, init).then(resolve, reject));
      if (held.length === n) for (const go of held) go();
    });
  };
}

describe('SecretManagerLease (Psoxy: locked=<epoch ms> label, etag-protected)', () => {
  it('two contenders that read the same etag: the update of only one applies', async () => {
    const id = lockSecretId('PSOXY_RACE_', 'OAUTH_REFRESH_TOKEN');
    sm.put(id, []);
    const fetch = patchBarrier(2);
    const lease = (now: number) => new SecretManagerLease({ ...access(), fetch, prefix: 'PSOXY_RACE_', clock: () => now });
    const [a, b] = await Promise.all([lease(1_000).tryAcquire('OAUTH_REFRESH_TOKEN', 60_000), lease(2_000).tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)]);
    expect([a, b].filter((h) => h !== undefined)).toHaveLength(1);
    expect(sm.secrets.get(id)?.labels[LOCK_LABEL]).toBe(a ? '1000' : '2000');
  });

  it('of two contenders one holds it; released, the other takes it', async () => {
    const now = 5_000_000;
    const lease = () => new SecretManagerLease({ ...access(), prefix: 'PSOXY_JIRA_', clock: () => now });
    const [a, b] = await Promise.all([lease().tryAcquire('OAUTH_REFRESH_TOKEN', 60_000), lease().tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)]);
    expect([a, b].filter((h) => h !== undefined)).toHaveLength(1);
    const id = lockSecretId('PSOXY_JIRA_', 'OAUTH_REFRESH_TOKEN');
    // Psoxy's name: the lockable secret its Terraform creates and grants
    expect(id).toBe('PSOXY_JIRA_OAUTH_REFRESH_TOKEN');
    expect(sm.secrets.get(id)?.labels).toEqual({ [LOCK_LABEL]: String(now) });
    expect(sm.secrets.get(id)?.versions).toEqual([]);
    expect(await lease().tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)).toBeUndefined();
    await (a ?? b)?.release();
    expect(sm.secrets.get(id)?.labels).toEqual({});
    const next = await lease().tryAcquire('OAUTH_REFRESH_TOKEN', 60_000);
    expect(next).toBeDefined();
    await next?.release();
  });

  it('takes over a stale lock; the old holder then releases nothing', async () => {
    let now = 9_000_000;
    const clock = () => now;
    const id = lockSecretId('PSOXY_SF_', 'OAUTH_REFRESH_TOKEN');
    sm.put(id, [], { keep: 'me' });
    const first = await new SecretManagerLease({ ...access(), prefix: 'PSOXY_SF_', clock }).tryAcquire('OAUTH_REFRESH_TOKEN', 60_000);
    expect(first).toBeDefined();
    now += 30_000;
    expect(await new SecretManagerLease({ ...access(), prefix: 'PSOXY_SF_', clock }).tryAcquire('OAUTH_REFRESH_TOKEN', 60_000)).toBeUndefined();
    now += 31_000;
    const second = await new SecretManagerLease({ ...access(), prefix: 'PSOXY_SF_', clock }).tryAcquire('OAUTH_REFRESH_TOKEN', 60_000);
    expect(second).toBeDefined();
    expect(sm.secrets.get(id)?.labels).toEqual({ keep: 'me', [LOCK_LABEL]: String(now) });
    await first?.release();
    expect(sm.secrets.get(id)?.labels).toEqual({ keep: 'me', [LOCK_LABEL]: String(now) });
    await second?.release();
    expect(sm.secrets.get(id)?.labels).toEqual({ keep: 'me' });
  });
});
