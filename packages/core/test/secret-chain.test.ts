import { describe, expect, it } from 'vitest';
import { ChainSecretStore, MemorySecretStore, type SecretStore, SecretStoreError } from '../src/runtime/index.js';

/** A layer that answers after `ms` with `value`, or fails, and counts its reads. */
function layer(name: string, ms: number, value: string | undefined | Error): SecretStore & { reads: number } {
  const store = {
    description: name,
    reads: 0,
    async get() {
      store.reads++;
      await new Promise((r) => setTimeout(r, ms));
      if (value instanceof Error) throw value;
      return value === undefined ? undefined : { value };
    },
    async set() {},
  };
  return store;
}

describe('ChainSecretStore', () => {
  it('answers as if asked in order: the first layer that holds the secret', async () => {
    expect((await new ChainSecretStore([layer('a', 5, undefined), layer('b', 1, 'from b'), layer('c', 1, 'from c')]).get('X'))?.value).toBe('from b');
    expect((await new ChainSecretStore([layer('a', 20, 'from a'), layer('b', 1, 'from b')]).get('X'))?.value).toBe('from a');
    expect(await new ChainSecretStore([layer('a', 1, undefined), new MemorySecretStore({})]).get('X')).toBeUndefined();
  });

  it("an earlier layer's failure is the answer, even when a later layer holds the secret", async () => {
    await expect(new ChainSecretStore([layer('a', 5, new SecretStoreError('a is down')), layer('b', 1, 'from b')]).get('X')).rejects.toThrow('a is down');
  });

  it("a later layer's failure after an earlier answer is ignored, and handled", async () => {
    const chain = new ChainSecretStore([layer('a', 1, 'from a'), layer('b', 10, new SecretStoreError('b is down'))]);
    expect((await chain.get('X'))?.value).toBe('from a');
    // vitest fails the run on an unhandled rejection
    await new Promise((r) => setTimeout(r, 30));
  });

  it('asks every layer at once, without waiting for the earlier ones to answer', async () => {
    let answerA: (v: undefined) => void = () => undefined;
    const a = {
      description: 'a',
      reads: 0,
      get() {
        a.reads++;
        return new Promise<undefined>((r) => {
          answerA = r;
        });
      },
      set: async () => {},
    };
    const [b, c] = [layer('b', 1, undefined), layer('c', 1, 'from c')];
    const pending = new ChainSecretStore([a, b, c]).get('X');
    expect([a.reads, b.reads, c.reads]).toEqual([1, 1, 1]);
    answerA(undefined);
    expect((await pending)?.value).toBe('from c');
  });
});
