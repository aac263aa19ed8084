import { parseQuery } from '../endpoint/query.js';
import { parseJson } from '../json/parse.js';
import { type JsonValue, isJsonObject, keysOf } from '../json/value.js';
import { writeJson } from '../json/write.js';
import { InvalidTokenError } from '../pseudonym/crypto.js';
import { PseudonymizationError, type Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import { ProxyError } from './errors.js';

// Reversible pseudonyms (`p~...`) a caller sends back are decrypted before the request reaches the source.

/** Decrypts every reversible token in `text`; a token that does not decrypt is the caller's error (409). */
export function reverseTokens(p: Pseudonymizer, text: string): string {
  try {
    return p.reverseAll(text);
  } catch (e) {
    if (e instanceof InvalidTokenError) {
      throw new ProxyError(409, 'TOKENIZED_REQUEST_PARAMETER_INVALID', 'a reversible pseudonym (p~...) in the request is not valid');
    }
    if (e instanceof PseudonymizationError) throw new ProxyError(500, 'CONFIGURATION_FAILURE', e.message);
    throw e;
  }
}

function reverseJson(p: Pseudonymizer, v: JsonValue): JsonValue {
  if (typeof v === 'string') return reverseTokens(p, v);
  if (Array.isArray(v)) return v.map((x) => reverseJson(p, x));
  if (isJsonObject(v)) {
    for (const k of keysOf(v)) v[k] = reverseJson(p, v[k] as JsonValue);
    return v;
  }
  return v;
}

/** Decrypts reversible tokens in a request body: JSON string leaves or form values. */
export function reverseBodyTokens(p: Pseudonymizer, body: string, contentType: string | null): string {
  if (!body.includes('p~')) return body;
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) {
    let doc: JsonValue;
    try {
      doc = parseJson(body);
    } catch {
      throw new ProxyError(400, 'INVALID_REQUEST', 'the request body is not valid JSON');
    }
    return writeJson(reverseJson(p, doc));
  }
  if (type === 'application/x-www-form-urlencoded') {
    return parseQuery(body)
      .map((q) => `${encodeURIComponent(q.name)}${q.value === null ? '' : `=${encodeURIComponent(reverseTokens(p, q.value))}`}`)
      .join('&');
  }
  throw new ProxyError(400, 'INVALID_REQUEST', `reversible pseudonyms can only be used in JSON or form bodies, not ${type}`);
}
