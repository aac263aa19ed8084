import * as nodeCrypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';

// One-shot `crypto.hash` (Node >= 20.12) is several times faster than createHash for short inputs.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string | Uint8Array, enc: string) => string | Buffer }).hash;

/** SHA-256 of the bytes (a string: its UTF-8), base64url-encoded without padding. */
function sha256Base64url(input: Uint8Array | string): string {
  if (oneShot) return oneShot('sha256', input, 'base64url') as string;
  return createHash('sha256').update(input).digest('base64url');
}

/** What {@link SaltedSha256.stage} returns for a value it did not copy (not ASCII, or too long). */
export const NOT_STAGED = -2;

/** {@link SaltedSha256.stagedLocalPart}: not canonical, canonical without a dot, canonical with dots. */
export const NOT_CANONICAL = 0;
export const LOCAL_PLAIN = 1;
export const LOCAL_DOTS = 2;

/** 1 for the bytes of a canonical dot-atom: `a-z`, `0-9`, `_`, `-`. */
const LOCAL_ATOM = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789_-') LOCAL_ATOM[c.charCodeAt(0)] = 1;

/** Bytes of scratch space per hasher: the salt at its end, an ASCII value right before it. */
const SCRATCH_SIZE = 512;

/**
 * SHA-256 of `canonical + salt` (the salt appended, no separator, UTF-8), as Psoxy hashes.
 *
 * Each hasher keeps a scratch buffer that ends with the salt's bytes, written once. An ASCII value
 * (nearly every identifier) is copied by a JS loop to end right where the salt begins, and the
 * value and salt are hashed from one view: the same bytes as `value + salt` in UTF-8, without
 * making that string, which Node would then copy again to hash it (~90 bytes of garbage per hash,
 * and a response holds tens of thousands of identifiers), and without copying the salt per hash.
 * Hashing is synchronous and each hasher has its own buffer, so nothing can come in between.
 */
export class SaltedSha256 {
  private readonly saltBytes: Uint8Array;
  private readonly scratch: Uint8Array;
  /** Where the salt starts in the scratch buffer: the longest value that can be staged. */
  private readonly saltAt: number;
  /** Views of the scratch buffer by value length: the value's bytes then the salt's. */
  private readonly views: Uint8Array[] = [];
  private staged = -1;

  constructor(private readonly salt: string) {
    this.saltBytes = Buffer.from(salt, 'utf8');
    this.scratch = new Uint8Array(Math.max(SCRATCH_SIZE, this.saltBytes.length));
    this.saltAt = this.scratch.length - this.saltBytes.length;
    this.scratch.set(this.saltBytes, this.saltAt);
  }

  /**
   * Copies `value` into the scratch space when it is ASCII and fits before the salt, and returns
   * where its first `@` is (-1: none), else NOT_STAGED. `stagedBase64url` then hashes it without
   * copying it again, so one pass over a value both routes it (id or address) and stages it.
   */
  stage(value: string): number {
    const n = value.length;
    const from = this.saltAt - n;
    if (from < 0) return NOT_STAGED;
    const scratch = this.scratch;
    this.staged = -1;
    let at = -1;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) return NOT_STAGED;
      if (c === 0x40 && at < 0) at = i;
      scratch[from + i] = c;
    }
    this.staged = n;
    return at;
  }

  /**
   * Whether the staged value's first `at` bytes (the local part of an address staged with its `@`
   * at `at`) are canonical dot-atoms: `[a-z0-9_-]+(\.[a-z0-9_-]+)*`, the local part of
   * CANONICAL_EMAIL. LOCAL_DOTS when they hold a dot, NOT_CANONICAL when they are not canonical.
   */
  stagedLocalPart(length: number, at: number): number {
    if (length !== this.staged || at <= 0) return NOT_CANONICAL;
    const scratch = this.scratch;
    const from = this.saltAt - length;
    let dots = false;
    let previous = 0x2e; // as if after a dot: a leading dot is refused
    for (let i = from, end = from + at; i < end; i++) {
      const c = scratch[i] as number;
      if (c === 0x2e) {
        if (previous === 0x2e) return NOT_CANONICAL;
        dots = true;
      } else if (LOCAL_ATOM[c] !== 1) return NOT_CANONICAL;
      previous = c;
    }
    if (previous === 0x2e) return NOT_CANONICAL;
    return dots ? LOCAL_DOTS : LOCAL_PLAIN;
  }

  /** The hash of the value staged last (of `length` chars), then the salt, base64url-encoded. */
  stagedBase64url(length: number): string {
    return sha256Base64url(this.view(length));
  }

  /** The staged value's bytes followed by the salt's, as a view of the scratch space. */
  private view(length: number): Uint8Array {
    if (length !== this.staged) throw new Error(`no value of length ${length} is staged`);
    const views = this.views;
    let v = views[length];
    if (v === undefined) {
      v = this.scratch.subarray(this.saltAt - length);
      views[length] = v;
    }
    return v;
  }

  /** The bytes to hash: a view of the scratch space, or the joined string when it is not ASCII or too long. */
  private input(canonical: string): Uint8Array | string {
    return this.stage(canonical) === NOT_STAGED ? javaUtf8Safe(canonical) + this.salt : this.view(canonical.length);
  }

  /** The hash as raw bytes. */
  bytes(canonical: string): Buffer {
    const input = this.input(canonical);
    if (oneShot) return oneShot('sha256', input, 'buffer') as Buffer;
    return createHash('sha256').update(input).digest();
  }

  /** The hash base64url-encoded without padding (43 chars). */
  base64url(canonical: string): string {
    return sha256Base64url(this.input(canonical));
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The string whose UTF-8 is what Java's `getBytes(UTF_8)` gives for `s`: Java writes `?` for a lone
 * surrogate (half of a pair, alone), where Node writes U+FFFD. Only non-ASCII text gets here.
 */
export function javaUtf8Safe(s: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '?') : s;
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict base64url decoding (no padding); undefined if `s` is not valid base64url. */
export function fromBase64url(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64url');
}

/** Psoxy's legacy `HashUtils.hash`, used only for salt fingerprints. */
export function legacyHash(...fragments: string[]): string {
  return createHash('sha256')
    .update(fragments.join(''), 'utf8')
    .digest('base64')
    .replace(/=+$/, '')
    .replace(/\//g, '_')
    .replace(/\+/g, '.');
}

const SALT_FINGERPRINT_SUFFIX = 'f33c366c-ae91-4819-b221-f9794ebb8145';

/** A non-reversible fingerprint of the salt (Psoxy's `X-Psoxy-PII-Salt-Sha256`). */
export function saltFingerprint(salt: string): string {
  return legacyHash(salt, SALT_FINGERPRINT_SUFFIX);
}

export const PBKDF2_ITERATIONS = 65536;

/** AES-256 key as Psoxy derives it: PBKDF2-HMAC-SHA256(password, salt bytes, 65 536, 256 bit). */
export function deriveAesKey(password: string, salt: string): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), PBKDF2_ITERATIONS, 32, 'sha256');
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/**
 * Psoxy's deterministic reversible token: `hash ‖ AES-256-CBC(key, iv = hash[0:16], plaintext)`.
 */
export function encryptDeterministic(key: Buffer, hash: Buffer, plaintext: string): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, hash.subarray(0, 16));
  return Buffer.concat([hash, cipher.update(javaUtf8Safe(plaintext), 'utf8'), cipher.final()]);
}

/** Decrypts token bytes (the embedded hash is not checked, as in Psoxy). */
export function decryptToken(key: Buffer, token: Uint8Array): string {
  if (token.length < 48 || (token.length - 32) % 16 !== 0) throw new InvalidTokenError('token has an invalid length');
  try {
    const b = Buffer.from(token.buffer, token.byteOffset, token.byteLength);
    const decipher = createDecipheriv('aes-256-cbc', key, b.subarray(0, 16));
    const out = Buffer.concat([decipher.update(b.subarray(32)), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(out);
  } catch {
    throw new InvalidTokenError('token could not be decrypted with the configured key');
  }
}
