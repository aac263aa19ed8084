// ReadCache: what a host's secret store remembers, as Psoxy's caching config service does.
import { describe, expect, it } from 'vitest';
import { ReadCache, type SecretValue } from '../src/runtime/index.js';

/** A store whose answers are scripted per call: a value, `undefined` (absent), or an Error (a failed call). */
function scripted(...answers: (string | undefined | Error)[]) {
  let calls = 0;
  const load = async (): Promise<SecretValue | undefined> => {
    const a = answers[Math.min(calls++, answers.length - 1)];
    if (a instanceof Error) throw a;
    return a === undefined ? undefined : { value: a };
  };
  return { load, calls: () => calls };
}

describe('ReadCache', () => {
  let now = 0;
  const slept: number[] = [];
  const cache = () =>
    new ReadCache(1000, () => now, {
      attempts: 3,
      delayMs: 500,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });

  it('reuses a value (and an absence) for the TTL, then reads again', async () => {
    now = 0;
    const c = cache();
    const s = scripted('a', 'b');
    expect((await c.get('X', s.load))?.value).toBe('a');
    now = 999;
    expect((await c.get('X', s.load))?.value).toBe('a');
    now = 1000;
    expect((await c.get('X', s.load))?.value).toBe('b');
    expect(s.calls()).toBe(2);
    const absent = scripted(undefined);
    expect(await c.get('Y', absent.load)).toBeUndefined();
    expect(await c.get('Y', absent.load)).toBeUndefined();
    expect(absent.calls()).toBe(1);
  });

  it('asks again, 500 ms apart, when the first read of a name fails, and gives up after three reads', async () => {
    slept.length = 0;
    const flaky = scripted(new Error('throttled'), new Error('throttled'), 'salt');
    expect((await cache().get('PSOXY_SALT', flaky.load))?.value).toBe('salt');
    expect(flaky.calls()).toBe(3);
    expect(slept).toEqual([500, 500]);
    const down = scripted(new Error('the store is down'));
    await expect(cache().get('PSOXY_SALT', down.load)).rejects.toThrow('the store is down');
    expect(down.calls()).toBe(3);
  });

  it('keeps a value it had when a refresh fails or reads it empty, and takes a new one when there is one', async () => {
    now = 0;
    const c = cache();
    const s = scripted('v1', new Error('timeout'), undefined, 'v2');
    expect((await c.get('K', s.load))?.value).toBe('v1');
    now = 1000;
    expect((await c.get('K', s.load))?.value).toBe('v1');
    // kept for another TTL: no call each time while the store is failing
    expect((await c.get('K', s.load))?.value).toBe('v1');
    expect(s.calls()).toBe(2);
    now = 2000;
    expect((await c.get('K', s.load))?.value).toBe('v1');
    now = 3000;
    expect((await c.get('K', s.load))?.value).toBe('v2');
  });

  it('a fresh read (after taking a lease) goes to the store, and a write is what is read next', async () => {
    now = 0;
    const c = cache();
    const s = scripted('old', 'rotated');
    await c.get('REFRESH_TOKEN', s.load);
    expect((await c.get('REFRESH_TOKEN', s.load, true))?.value).toBe('rotated');
    c.wrote('REFRESH_TOKEN', 'mine');
    expect((await c.get('REFRESH_TOKEN', s.load))?.value).toBe('mine');
    expect(s.calls()).toBe(2);
  });
});
