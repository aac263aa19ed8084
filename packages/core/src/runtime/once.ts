/**
 * A value built on first use and shared after (a host's proxy, once per container); a build that
 * fails is forgotten, so that the next call tries again (a secret filled in meanwhile).
 */
export function buildOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= build().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));
}
