import { Flags } from '@oclif/core';
import { EMAIL_CANONICALIZATIONS, EMAIL_DOMAIN_HANDLINGS, Pseudonymizer } from '@psoxy/core';
import { UserError } from './errors.js';

/** Flags shared by every command that pseudonymizes. Environment names are Psoxy's. */
export const pseudonymizerFlags = {
  salt: Flags.string({
    description: 'Salt appended to every value before hashing. Keep it secret; the same salt gives the same pseudonyms as Psoxy.',
    env: 'PSOXY_SALT',
    helpValue: '<salt>',
  }),
  'encryption-key': Flags.string({
    description: 'Password for reversible (p~) pseudonyms. Without it, rules that need reversible tokens fail.',
    env: 'PSOXY_ENCRYPTION_KEY',
    helpValue: '<key>',
  }),
  // no oclif `options`: they compare case-sensitively, and Psoxy takes these values in any case
  'email-canonicalization': Flags.string({
    description: `How email local parts are canonicalized before hashing: ${EMAIL_CANONICALIZATIONS.join(' or ')} (any case).`,
    env: 'EMAIL_CANONICALIZATION',
    helpValue: EMAIL_CANONICALIZATIONS.join('|'),
    default: 'STRICT',
  }),
  'email-domain-handling': Flags.string({
    description: `What becomes of an email domain in its pseudonym: ${EMAIL_DOMAIN_HANDLINGS.join(', ')} (any case).`,
    env: 'EMAIL_DOMAIN_HANDLING',
    helpValue: EMAIL_DOMAIN_HANDLINGS.join('|'),
    default: 'PRESERVE',
  }),
};

export function pseudonymizerFrom(flags: {
  salt?: string | undefined;
  'encryption-key'?: string | undefined;
  'email-canonicalization'?: string | undefined;
  'email-domain-handling'?: string | undefined;
}): Pseudonymizer {
  if (!flags.salt) throw new UserError('a salt is required: pass --salt <salt> or set PSOXY_SALT');
  return new Pseudonymizer({
    salt: flags.salt,
    encryptionKey: flags['encryption-key'] || undefined,
    emailCanonicalization: choice('--email-canonicalization (EMAIL_CANONICALIZATION)', flags['email-canonicalization'], EMAIL_CANONICALIZATIONS, 'STRICT'),
    emailDomainHandling: choice('--email-domain-handling (EMAIL_DOMAIN_HANDLING)', flags['email-domain-handling'], EMAIL_DOMAIN_HANDLINGS, 'PRESERVE'),
    emailDomainSalt: process.env.SALT_EMAIL_DOMAINS || undefined,
    emailDomainEncryptionKey: process.env.ENCRYPTION_KEY_EMAIL_DOMAINS || undefined,
    ipSalt: process.env.SALT_IP || undefined,
    ipEncryptionKey: process.env.ENCRYPTION_KEY_IP || undefined,
  });
}

/** One of `options`, in any case; anything else is the user's mistake, named with what is accepted. */
function choice<T extends string>(what: string, value: string | undefined, options: readonly T[], dflt: T): T {
  if (value === undefined || value === '') return dflt;
  const upper = value.trim().toUpperCase() as T;
  if (options.includes(upper)) return upper;
  throw new UserError(`${what}: '${value}' is not one of ${options.join(', ')}`);
}
