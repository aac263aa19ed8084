import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BulkDataError } from './errors.js';

/** Bytes of a file, as a stream or any async iterable of chunks. */
export type ByteSource = AsyncIterable<Uint8Array>;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * The bytes of a file, gunzipped if they are gzip. Psoxy looks at the name or Content-Encoding
 * and then at the magic bytes; the magic bytes alone decide here, since gzip can never be valid
 * UTF-8 text (0x8b cannot start a character) and a mislabelled file should still work.
 */
export async function* maybeGunzip(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (r.value.length === 0) continue;
    head.push(r.value);
    have += r.value.length;
  }
  const rest = (async function* () {
    yield* head;
    if (!done) {
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
  })();
  const first = head[0];
  const b0 = first?.[0];
  const b1 = first && first.length > 1 ? first[1] : head[1]?.[0];
  if (b0 !== GZIP_MAGIC_0 || b1 !== GZIP_MAGIC_1) {
    yield* rest;
    return;
  }
  // pipeline, not pipe: a failure reading the source must reach us through the gunzip stream
  const gunzip = createGunzip();
  const piped = pipeline(Readable.from(rest, { objectMode: false }), gunzip);
  piped.catch(() => {});
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
    await piped;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new BulkDataError(`the file starts as gzip but does not decompress: ${(e as Error).message}`, file);
    }
    throw e;
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
function invalidUtf8At(b: Uint8Array, allowTruncatedEnd: boolean): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) {
      // a sequence cut by the end of the chunk: the next chunk may complete it
      if (!allowTruncatedEnd) return i;
      for (let k = i + 1; k < n; k++) if (((b[k] as number) & 0xc0) !== 0x80) return i;
      return -1;
    }
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countLines(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Streams a file as strict UTF-8 text: gzip undone, the BOM dropped, invalid bytes an error that
 * names the line they are on.
 */
export async function* decodeText(source: ByteSource, file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lines = 0;
  let first = true;
  for await (const bytes of maybeGunzip(source, file)) {
    let s: string;
    try {
      s = decoder.decode(bytes, { stream: true });
    } catch {
      const at = Math.max(0, invalidUtf8At(bytes, true));
      const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
      throw new BulkDataError('invalid UTF-8: the file must be UTF-8 text', file, lines + countLines(before) + 1);
    }
    if (first && s.length > 0) {
      first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    lines += countLines(s);
    if (s.length > 0) yield s;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new BulkDataError('invalid UTF-8: the file ends inside a character', file, lines + 1);
  }
  if (tail.length > 0) yield tail;
}
