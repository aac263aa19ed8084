import { javaNumberToString } from '../json/java-number.js';
import { JsonDouble } from '../json/value.js';
import { isBlank } from '../regex/strings.js';
import { InvalidTokenError, LOCAL_DOTS, LOCAL_PLAIN, NOT_STAGED, SaltedSha256, base64url, decryptToken, deriveAesKey, encryptDeterministic, fromBase64url, saltFingerprint } from './crypto.js';
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

/** An email domain as a pseudonym shows it (see `emailDomainHandling`). */
interface HandledDomain {
  readonly domain: string;
  readonly handled: string | undefined;
  /** What a `t~` token ends with: `@` and the handled domain, or nothing. */
  readonly suffix: string;
}

const DOMAIN_CACHE_SIZE = 256;

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
  private readonly hash: SaltedSha256;
  private readonly key: LazyKey;
  private readonly domainHash: SaltedSha256;
  private readonly domainKey: LazyKey;
  private readonly ipHash: SaltedSha256;
  private readonly ipKey: LazyKey;
  private fingerprint: string | undefined;
  // Domains handled, and their results: a response's addresses are in a few domains, and TOKENIZE
  // or ENCRYPT would otherwise hash or encrypt the domain again for every address. Bounded: the
  // cache is emptied when it holds DOMAIN_CACHE_SIZE domains.
  private readonly domains = new Map<string, HandledDomain>();
  private last: HandledDomain | undefined;
  /** The domain of the last address that matched CANONICAL_EMAIL (a canonical domain), handled. */
  private lastCanonical: HandledDomain | undefined;

  constructor(opts: PseudonymizerOptions) {
    if (typeof opts.salt !== 'string' || opts.salt === '') {
      throw new PseudonymizationError('a salt is required: set PSOXY_SALT (or --salt)');
    }
    this.salt = opts.salt;
    this.hash = new SaltedSha256(opts.salt);
    this.emailCanonicalization = opts.emailCanonicalization ?? 'STRICT';
    this.emailDomainHandling = opts.emailDomainHandling ?? 'PRESERVE';
    this.key = new LazyKey(opts.encryptionKey, opts.salt, 'reversible pseudonyms');
    const domainSalt = opts.emailDomainSalt || opts.salt;
    this.domainHash = new SaltedSha256(domainSalt);
    this.domainKey = new LazyKey(opts.emailDomainEncryptionKey || opts.encryptionKey, domainSalt, 'encrypted email domains');
    const ipSalt = opts.ipSalt || opts.salt;
    this.ipHash = new SaltedSha256(ipSalt);
    this.ipKey = new LazyKey(opts.ipEncryptionKey || opts.encryptionKey, ipSalt, 'encrypted IP addresses');
  }

  /** Whether reversible tokens can be made (an encryption key is configured). */
  get canReverse(): boolean {
    return this.key.available;
  }

  /** The salt's fingerprint (`X-Psoxy-PII-Salt-Sha256`), safe to show. */
  get saltFingerprint(): string {
    // every response carries it (X-Psoxy-PII-Salt-Sha256): made once, not once per response
    this.fingerprint ??= saltFingerprint(this.salt);
    return this.fingerprint;
  }

  private canonicalEmail(local: string, domain: string): string {
    let mailbox = local.toLowerCase();
    const plus = mailbox.indexOf('+');
    if (plus >= 0) mailbox = mailbox.slice(0, plus);
    if (this.emailCanonicalization === 'IGNORE_DOTS') mailbox = mailbox.replace(/\./g, '');
    return `${mailbox}@${domain.toLowerCase()}`;
  }

  /** {@link handleDomain}, remembered. */
  private handledDomain(domain: string): string | undefined {
    return this.remember(domain).handled;
  }

  /** What a `t~` token of an address in `domain` ends with: `@` and the handled domain, or nothing. */
  private suffixOf(domain: string): string {
    return this.remember(domain).suffix;
  }

  /**
   * {@link suffixOf} the domain of the address `value` (its `@` at `at`). The last domain is
   * compared in place, so the commonest case copies nothing; with the lengths equal, `endsWith` is
   * the same test as `startsWith(last, at + 1)`, and V8 makes it several times cheaper.
   */
  private suffixAt(value: string, at: number): string {
    const last = this.last;
    if (last !== undefined && value.length - at - 1 === last.domain.length && value.endsWith(last.domain)) return last.suffix;
    return this.remember(value.slice(at + 1)).suffix;
  }

  private remember(domain: string): HandledDomain {
    if (this.last?.domain === domain) return this.last;
    let d = this.domains.get(domain);
    if (d === undefined) {
      const handled = this.handleDomain(domain);
      d = { domain, handled, suffix: handled === undefined ? '' : `@${handled}` };
      if (this.domains.size >= DOMAIN_CACHE_SIZE) this.domains.clear();
      this.domains.set(domain, d);
    }
    this.last = d;
    return d;
  }

  private handleDomain(domain: string): string | undefined {
    switch (this.emailDomainHandling) {
      case 'PRESERVE':
        return domain;
      case 'REDACT':
        return undefined;
      case 'TOKENIZE':
        return `h~${base64url(this.domainHash.bytes(domain.toLowerCase()))}`;
      case 'ENCRYPT': {
        const h = this.domainHash.bytes(domain.toLowerCase());
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
    const hash = this.hash.bytes(canonical);
    const identity: PseudonymizedIdentity = { hash: base64url(hash) };
    let domain: string | undefined;
    if (email) {
      domain = this.handledDomain(email.domain);
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
    const hash = this.hash;
    // one pass over an ASCII value finds its '@' and copies it to be hashed (see SaltedSha256.stage)
    const staged = hash.stage(value);
    // no '@': not an email of any form (the common case for ids)
    if (staged === -1) return `t~${hash.stagedBase64url(value.length)}`;
    if (staged === NOT_STAGED && value.indexOf('@') < 0) return `t~${hash.base64url(value)}`;
    // An address in the last domain that matched CANONICAL_EMAIL (the usual case: a page's
    // addresses share a few domains) is canonical when its local part is: that is checked on the
    // staged bytes, and the regular expression, the costliest step for an address, is skipped. The
    // value has one '@': the one found while staging, before a domain that holds none.
    const known = this.lastCanonical;
    if (staged > 0 && known !== undefined && value.length - staged - 1 === known.domain.length && value.endsWith(known.domain)) {
      const local = hash.stagedLocalPart(value.length, staged);
      if (local === LOCAL_PLAIN || (local === LOCAL_DOTS && this.emailCanonicalization !== 'IGNORE_DOTS')) {
        return `t~${hash.stagedBase64url(value.length)}${known.suffix}`;
      }
    }
    // The value as it is, when it is the canonical address, is hashed from what was staged (the
    // domain's own hasher, under TOKENIZE, has a scratch space of its own).
    if (CANONICAL_EMAIL.test(value)) {
      // staged: the first '@', found while staging
      const at = staged >= 0 ? staged : value.indexOf('@');
      const h = this.emailCanonicalization === 'IGNORE_DOTS' ? hash.base64url(this.canonicalEmail(value.slice(0, at), value.slice(at + 1))) : this.hashAsIs(value, staged);
      const suffix = this.suffixAt(value, at);
      // suffixAt left the domain's entry in `last`
      this.lastCanonical = this.last;
      return `t~${h}${suffix}`;
    }
    const at = scanSimpleEmail(value);
    if (at > 0) {
      // A plain address already in canonical form (the usual case) is hashed as it is.
      const s = lastSimpleEmail;
      const h =
        s.upper || s.plus || s.domainUpper || (s.dot && this.emailCanonicalization === 'IGNORE_DOTS')
          ? hash.base64url(this.canonicalEmail(value.slice(0, at), value.slice(at + 1)))
          : this.hashAsIs(value, staged);
      return `t~${h}${this.suffixAt(value, at)}`;
    }
    const email = parseEmail(value);
    if (email === undefined) return `t~${this.hashAsIs(value, staged)}`;
    const h = hash.base64url(this.canonicalEmail(email.localPart, email.domain));
    return `t~${h}${this.suffixOf(email.domain)}`;
  }

  /** The hash of `value` itself, from the scratch space when `staged` says it was copied there. */
  private hashAsIs(value: string, staged: number): string {
    return staged >= 0 ? this.hash.stagedBase64url(value.length) : this.hash.base64url(value);
  }

  /** A bare reversible token of the whole value, without domain handling (the `tokenize` transform). */
  tokenize(value: string): string {
    return `p~${base64url(encryptDeterministic(this.key.get(), this.hash.bytes(value), value))}`;
  }

  /** `hashIp`: `t~` hash of the canonical IP, or null if it is not an IP literal. */
  hashIp(value: string): string | null {
    const canon = canonicalizeIp(value);
    return canon === undefined ? null : `t~${base64url(this.ipHash.bytes(canon))}`;
  }

  /** `encryptIp`: a reversible `p~` token of the canonical IP, or null if it is not an IP literal. */
  encryptIp(value: string): string | null {
    const canon = canonicalizeIp(value);
    if (canon === undefined) return null;
    return `p~${base64url(encryptDeterministic(this.ipKey.get(), this.ipHash.bytes(canon), canon))}`;
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
