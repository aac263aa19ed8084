import { javaNumberToString } from '../json/java-number.js';
import { JsonDouble } from '../json/value.js';
import { isBlank } from '../regex/strings.js';
import {
  InvalidTokenError,
  base64url,
  decryptToken,
  deriveAesKey,
  encryptDeterministic,
  fromBase64url,
  saltFingerprint,
  saltedSha256,
  saltedSha256Base64url,
} from './crypto.js';
import { lastSimpleEmail, parseEmail, scanSimpleEmail } from './email.js';
import { canonicalizeIp } from './ip.js';

export type EmailCanonicalization = 'STRICT' | 'IGNORE_DOTS';
export type EmailDomainHandling = 'PRESERVE' | 'TOKENIZE' | 'ENCRYPT' | 'REDACT';
export type PseudonymEncoding = 'URL_SAFE_TOKEN' | 'JSON' | 'URL_SAFE_HASH_ONLY';

export const EMAIL_CANONICALIZATIONS: readonly EmailCanonicalization[] = ['STRICT', 'IGNORE_DOTS'];
export const EMAIL_DOMAIN_HANDLINGS: readonly EmailDomainHandling[] = ['PRESERVE', 'TOKENIZE', 'ENCRYPT', 'REDACT'];

export interface PseudonymizerOptions {
  /** `PSOXY_SALT`: appended to every value before hashing. Required. */
  salt: string;
  /** `PSOXY_ENCRYPTION_KEY`: password for reversible (`p~`) tokens; without it they cannot be made. */
  encryptionKey?: string | undefined;
  emailCanonicalization?: EmailCanonicalization | undefined;
  emailDomainHandling?: EmailDomainHandling | undefined;
  /** `SALT_EMAIL_DOMAINS` / `ENCRYPTION_KEY_EMAIL_DOMAINS` (fall back to the main salt/key). */
  emailDomainSalt?: string | undefined;
  emailDomainEncryptionKey?: string | undefined;
  /** `SALT_IP` / `ENCRYPTION_KEY_IP` (fall back to the main salt/key). */
  ipSalt?: string | undefined;
  ipEncryptionKey?: string | undefined;
}

/** Psoxy's `PseudonymizedIdentity`: JSON field order is domain, hash, original, reversible. */
export interface PseudonymizedIdentity {
  domain?: string;
  hash: string;
  original?: string;
  reversible?: string;
}

export interface PseudonymizeOptions {
  includeReversible?: boolean;
  includeOriginal?: boolean;
}

export class PseudonymizationError extends Error {
  override readonly name = 'PseudonymizationError';
}

/** A value that can be pseudonymized: a JSON string or number. */
export type PseudonymizableValue = string | number | bigint | JsonDouble;

/**
 * The most common email shape, already canonical: lower-case `[a-z0-9_-]` dot-atoms, and RFC 1035
 * labels. A subset of what the RFC 2822 grammar accepts as a plain address (see email.ts), so the
 * address can be hashed as it is. A native regex test is the cheapest way to recognize it.
 */
const CANONICAL_EMAIL = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,26}$/;

/** Matches reversible tokens embedded in a request (URL, header, body), with an optional domain. */
const REVERSIBLE_IN_TEXT = /(p~[a-zA-Z0-9_-]{43,})((?:@[A-Za-z0-9.-]+)?)/g;

/** Lazily derived AES key: PBKDF2 with 65 536 rounds is slow, so derive once, on first use. */
class LazyKey {
  private key: Buffer | undefined;
  constructor(
    private readonly password: string | undefined,
    private readonly salt: string,
    private readonly what: string,
  ) {}
  get available(): boolean {
    return this.password !== undefined && this.password !== '';
  }
  get(): Buffer {
    if (!this.available) {
      throw new PseudonymizationError(
        `no encryption key is configured, so ${this.what} cannot be made or reversed: set PSOXY_ENCRYPTION_KEY (or --encryption-key)`,
      );
    }
    this.key ??= deriveAesKey(this.password as string, this.salt);
    return this.key;
  }
}

/**
 * Pseudonyms byte-compatible with Psoxy: `t~` + base64url(SHA-256(canonical + salt)), emails
 * canonicalized with their domain kept (or tokenized, encrypted, redacted), and deterministic
 * reversible `p~` tokens (hash ‖ AES-256-CBC) that the proxy can decrypt in later requests.
 */
export class Pseudonymizer {
  readonly emailCanonicalization: EmailCanonicalization;
  readonly emailDomainHandling: EmailDomainHandling;
  private readonly salt: string;
  private readonly key: LazyKey;
  private readonly domainSalt: string;
  private readonly domainKey: LazyKey;
  private readonly ipSalt: string;
  private readonly ipKey: LazyKey;

  constructor(opts: PseudonymizerOptions) {
    if (typeof opts.salt !== 'string' || opts.salt === '') {
      throw new PseudonymizationError('a salt is required: set PSOXY_SALT (or --salt)');
    }
    this.salt = opts.salt;
    this.emailCanonicalization = opts.emailCanonicalization ?? 'STRICT';
    this.emailDomainHandling = opts.emailDomainHandling ?? 'PRESERVE';
    this.key = new LazyKey(opts.encryptionKey, opts.salt, 'reversible pseudonyms');
    this.domainSalt = opts.emailDomainSalt || opts.salt;
    this.domainKey = new LazyKey(opts.emailDomainEncryptionKey || opts.encryptionKey, this.domainSalt, 'encrypted email domains');
    this.ipSalt = opts.ipSalt || opts.salt;
    this.ipKey = new LazyKey(opts.ipEncryptionKey || opts.encryptionKey, this.ipSalt, 'encrypted IP addresses');
  }

  /** Whether reversible tokens can be made (an encryption key is configured). */
  get canReverse(): boolean {
    return this.key.available;
  }

  /** The salt's fingerprint (`X-Psoxy-PII-Salt-Sha256`), safe to show. */
  get saltFingerprint(): string {
    return saltFingerprint(this.salt);
  }

  private canonicalEmail(local: string, domain: string): string {
    let mailbox = local.toLowerCase();
    const plus = mailbox.indexOf('+');
    if (plus >= 0) mailbox = mailbox.slice(0, plus);
    if (this.emailCanonicalization === 'IGNORE_DOTS') mailbox = mailbox.replace(/\./g, '');
    return `${mailbox}@${domain.toLowerCase()}`;
  }

  private handleDomain(domain: string): string | undefined {
    switch (this.emailDomainHandling) {
      case 'PRESERVE':
        return domain;
      case 'REDACT':
        return undefined;
      case 'TOKENIZE':
        return `h~${base64url(saltedSha256(domain.toLowerCase(), this.domainSalt))}`;
      case 'ENCRYPT': {
        const h = saltedSha256(domain.toLowerCase(), this.domainSalt);
        return `e~${base64url(encryptDeterministic(this.domainKey.get(), h, domain))}`;
      }
    }
  }

  /**
   * Psoxy's `Pseudonymizer.pseudonymize`: null for null or blank values; an error for anything but
   * a string or a number.
   */
  pseudonymize(value: unknown, opts: PseudonymizeOptions = {}): PseudonymizedIdentity | null {
    if (value === null || value === undefined) return null;
    let text: string;
    if (typeof value === 'string') {
      if (isBlank(value)) return null;
      text = value;
    } else if (typeof value === 'number' || typeof value === 'bigint' || value instanceof JsonDouble) {
      text = javaNumberToString(value);
    } else {
      throw new PseudonymizationError(
        `only strings and numbers can be pseudonymized, but the rule matched ${describeType(value)}; point the rule's JSONPath at the leaf values`,
      );
    }
    const email = typeof value === 'string' ? parseEmail(value) : undefined;
    const canonical = email ? this.canonicalEmail(email.localPart, email.domain) : text;
    const hash = saltedSha256(canonical, this.salt);
    const identity: PseudonymizedIdentity = { hash: base64url(hash) };
    let domain: string | undefined;
    if (email) {
      domain = this.handleDomain(email.domain);
      if (domain !== undefined) identity.domain = domain;
      // keep JSON field order: domain first
      const { hash: h } = identity;
      delete (identity as { hash?: string }).hash;
      identity.hash = h;
    }
    if (opts.includeOriginal) identity.original = text;
    if (opts.includeReversible) {
      const token = `p~${base64url(encryptDeterministic(this.key.get(), hash, text))}`;
      identity.reversible = domain === undefined ? token : `${token}@${domain}`;
    }
    return identity;
  }

  /** URL_SAFE_TOKEN form: the reversible token if there is one, else `t~hash[@domain]`. */
  static token(identity: PseudonymizedIdentity): string {
    if (identity.reversible !== undefined) return identity.reversible;
    return identity.domain === undefined ? `t~${identity.hash}` : `t~${identity.hash}@${identity.domain}`;
  }

  /**
   * `t~`/`p~` token of a value (URL_SAFE_TOKEN encoding), or null for null/blank: the hot path of
   * sanitization, without building the identity object.
   */
  pseudonymToken(value: unknown, opts?: PseudonymizeOptions): string | null {
    // no default `{}`: allocating it on every call cost this hot path ~15 %
    if (typeof value !== 'string' || opts?.includeReversible) {
      const id = this.pseudonymize(value, opts);
      return id ? Pseudonymizer.token(id) : null;
    }
    if (isBlank(value)) return null;
    // no '@': not an email of any form (the common case for ids)
    if (value.indexOf('@') < 0) return `t~${saltedSha256Base64url(value, this.salt)}`;
    if (CANONICAL_EMAIL.test(value)) {
      const at = value.indexOf('@');
      const canonical = this.emailCanonicalization === 'IGNORE_DOTS' ? this.canonicalEmail(value.slice(0, at), value.slice(at + 1)) : value;
      const domain = this.handleDomain(value.slice(at + 1));
      const hash = saltedSha256Base64url(canonical, this.salt);
      return domain === undefined ? `t~${hash}` : `t~${hash}@${domain}`;
    }
    const at = scanSimpleEmail(value);
    if (at > 0) {
      // A plain address already in canonical form (the usual case) is hashed as it is.
      const s = lastSimpleEmail;
      const canonical =
        s.upper || s.plus || s.domainUpper || (s.dot && this.emailCanonicalization === 'IGNORE_DOTS')
          ? this.canonicalEmail(value.slice(0, at), value.slice(at + 1))
          : value;
      const domain = this.handleDomain(value.slice(at + 1));
      const hash = saltedSha256Base64url(canonical, this.salt);
      return domain === undefined ? `t~${hash}` : `t~${hash}@${domain}`;
    }
    const email = parseEmail(value);
    if (email === undefined) return `t~${saltedSha256Base64url(value, this.salt)}`;
    const domain = this.handleDomain(email.domain);
    const hash = saltedSha256Base64url(this.canonicalEmail(email.localPart, email.domain), this.salt);
    return domain === undefined ? `t~${hash}` : `t~${hash}@${domain}`;
  }

  /** A bare reversible token of the whole value, without domain handling (the `tokenize` transform). */
  tokenize(value: string): string {
    return `p~${base64url(encryptDeterministic(this.key.get(), saltedSha256(value, this.salt), value))}`;
  }

  /** `hashIp`: `t~` hash of the canonical IP, or null if it is not an IP literal. */
  hashIp(value: string): string | null {
    const canon = canonicalizeIp(value);
    return canon === undefined ? null : `t~${base64url(saltedSha256(canon, this.ipSalt))}`;
  }

  /** `encryptIp`: a reversible `p~` token of the canonical IP, or null if it is not an IP literal. */
  encryptIp(value: string): string | null {
    const canon = canonicalizeIp(value);
    if (canon === undefined) return null;
    return `p~${base64url(encryptDeterministic(this.ipKey.get(), saltedSha256(canon, this.ipSalt), canon))}`;
  }

  /** Decrypts one `p~…` token (a trailing `@domain` is ignored). */
  reverse(token: string): string {
    const at = token.indexOf('@');
    const body = at < 0 ? token : token.slice(0, at);
    if (!body.startsWith('p~')) throw new InvalidTokenError('not a reversible (p~) pseudonym');
    const bytes = fromBase64url(body.slice(2));
    if (!bytes) throw new InvalidTokenError('reversible pseudonym is not valid base64url');
    return decryptToken(this.key.get(), bytes);
  }

  /** Replaces every `p~…[@domain]` token in `text` by its plaintext (URLs, headers, request bodies). */
  reverseAll(text: string): string {
    if (!text.includes('p~')) return text;
    return text.replace(REVERSIBLE_IN_TEXT, (_m, token: string) => this.reverse(token));
  }
}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return `a ${typeof v}`;
}
