import { gunzipSync } from 'node:zlib';
import { decodeUtf8 } from '../json/parse.js';

const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip']);

/**
 * A source's 2xx body as text, as Psoxy reads it: a body sent as `application/gzip` is a gzipped
 * document (decompressed, within the response size limit), and a `charset` other than UTF-8 is
 * honoured. `relabel` is the content type of the UTF-8 text the proxy answers with, when the
 * source's no longer describes it.
 */
export function sourceText(bytes: Uint8Array, contentType: string | undefined, limit: number): { text: string; relabel?: string } {
  const [mime = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim());
  if (GZIP_TYPES.has(mime.toLowerCase())) {
    return { text: decodeUtf8(gunzipSync(bytes, { maxOutputLength: limit })), relabel: 'application/json; charset=utf-8' };
  }
  const charsetParam = params.find((p) => /^charset=/i.test(p));
  const charset = charsetParam?.slice('charset='.length).replace(/^"|"$/g, '').trim().toLowerCase();
  if (!charset || charset === 'utf-8' || charset === 'utf8') return { text: decodeUtf8(bytes) };
  // an unknown label throws (RangeError), and the response is withheld as any unreadable one
  const text = new TextDecoder(charset, { fatal: true }).decode(bytes);
  return { text, relabel: `${mime || 'application/json'}; charset=utf-8` };
}
