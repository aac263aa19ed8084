import { Flags } from '@oclif/core';
import { EMAIL_CANONICALIZATIONS, EMAIL_DOMAIN_HANDLINGS, type EmailCanonicalization, type EmailDomainHandling, Pseudonymizer } from '@psoxy/core';
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
  'email-canonicalization': Flags.string({
    description: 'How email local parts are canonicalized before hashing.',
    env: 'EMAIL_CANONICALIZATION',
    options: [...EMAIL_CANONICALIZATIONS],
    default: 'STRICT',
  }),
  'email-domain-handling': Flags.string({
    description: 'What becomes of an email domain in its pseudonym.',
    env: 'EMAIL_DOMAIN_HANDLING',
    options: [...EMAIL_DOMAIN_HANDLINGS],
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
    emailCanonicalization: (flags['email-canonicalization']?.toUpperCase() ?? 'STRICT') as EmailCanonicalization,
    emailDomainHandling: (flags['email-domain-handling']?.toUpperCase() ?? 'PRESERVE') as EmailDomainHandling,
    emailDomainSalt: process.env.SALT_EMAIL_DOMAINS || undefined,
    emailDomainEncryptionKey: process.env.ENCRYPTION_KEY_EMAIL_DOMAINS || undefined,
    ipSalt: process.env.SALT_IP || undefined,
    ipEncryptionKey: process.env.ENCRYPTION_KEY_IP || undefined,
  });
}
