/**
 * Reads a Web stream whole, up to `limit` bytes: nothing partial is ever returned. Past the limit
 * the rest is cancelled and `errors.tooLarge()` thrown; a read that fails is cancelled too, and
 * `errors.failed(cause)` thrown.
 */
export async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  errors: { tooLarge: () => Error; failed: (cause: unknown) => unknown },
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw errors.failed(e);
      }
      if (chunk.done) return Buffer.concat(chunks, size);
      size += chunk.value.byteLength;
      if (size > limit) throw errors.tooLarge();
      chunks.push(chunk.value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
}
