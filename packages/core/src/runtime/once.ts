/**
 * A value built on first use and shared after (a host's proxy, once per container); a build that
 * fails is forgotten, so that the next call tries again (a secret filled in meanwhile). With
 * `startNow`, the build starts at once (a cloud's start-up phase, before the first event) and a
 * failure then is left for that first call to meet and retry.
 */
export function buildOnce<T>(build: () => Promise<T>, opts: { startNow?: boolean | undefined } = {}): () => Promise<T> {
  let ready: Promise<T> | undefined;
  const get = () =>
    (ready ??= build().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));
  if (opts.startNow) get().catch(() => undefined);
  return get;
}
