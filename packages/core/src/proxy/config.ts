import {
  EMAIL_CANONICALIZATIONS,
  EMAIL_DOMAIN_HANDLINGS,
  type EmailCanonicalization,
  type EmailDomainHandling,
  Pseudonymizer,
} from '../pseudonym/pseudonymizer.js';
import type { SecretStore } from '../runtime/secrets.js';
import { parseIpBlocks } from './ip.js';

/** Configuration problems, all of them at once, each saying what is wrong and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    /** Settings or secrets that are missing, by name (the health check's `missingConfigProperties`). */
    readonly missing: string[] = [],
  ) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Settings of the API proxy, from Psoxy's environment names. */
export interface ProxySettings {
  /** `TARGET_HOST` as a base URL. */
  target?: string | undefined;
  /** `RULES` (plain, base64 or base64-gzip YAML). */
  rules?: string | undefined;
  /** `SOURCE`. */
  source?: string | undefined;
  /** How long the source may take to answer: from `REQUEST_TIMEOUT_SECONDS` as Psoxy reads it (default 180: 150 s). */
  timeoutMs: number;
  allowedIpBlocks?: string | undefined;
  requestPathPrefixToTrim?: string | undefined;
  functionName?: string | undefined;
  followRedirects: boolean;
  emailCanonicalization: EmailCanonicalization;
  emailDomainHandling: EmailDomainHandling;
  /** `ASYNC_OUTPUT_DESTINATION`: where asynchronous results go (enables `Prefer: respond-async`). */
  asyncOutputDestination?: string | undefined;
  /** `SIDE_OUTPUT_ORIGINAL`, `SIDE_OUTPUT_SANITIZED`: where copies of responses go. */
  sideOutputOriginal?: string | undefined;
  sideOutputSanitized?: string | undefined;
  /** `USER_AGENT`: what the proxy calls itself to the source (default `psoxy-ts/<version>`). */
  userAgent?: string | undefined;
}

type Env = Record<string, string | undefined>;

/** A boolean setting (true/false/1/0/yes/no); a bad value is added to `problems`. */
export function envBool(env: Env, name: string, dflt: boolean, problems: string[]): boolean {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  problems.push(`${name}=${v} is not a boolean (true or false)`);
  return dflt;
}

/** A setting that is one of `options` (case-insensitive); a bad value is added to `problems`. */
export function envChoice<T extends string>(env: Env, name: string, options: readonly T[], dflt: T, problems: string[]): T {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const u = v.toUpperCase() as T;
  if (options.includes(u)) return u;
  problems.push(`${name}=${v} is not one of ${options.join(', ')}`);
  return dflt;
}

/**
 * `TARGET_HOST` to a base URL: `host[/path]`, `https://` optional, `http://` refused (unless for
 * local development).
 */
export function targetFromHost(value: string, allowInsecure = false): string {
  const v = value.trim().replace(/\/+$/, '');
  // never echo credentials written into the URL
  const shown = value.replace(/\/\/[^/@]*@/, '//<credentials>@');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'https' && scheme !== 'http') throw new Error(`TARGET_HOST=${shown} is a ${scheme}:// URL; the source must be reached over https (host[/path], https:// optional)`);
  if (scheme === 'http' && !allowInsecure) throw new Error(`TARGET_HOST=${shown} uses http://; the source must be reached over https`);
  const withScheme = /^https?:\/\//i.test(v) ? v : `https://${v}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`TARGET_HOST=${shown} is not a host name (expected e.g. api.example.com or api.example.com/base)`);
  }
  if (url.search || url.hash || url.username || url.password) throw new Error(`TARGET_HOST=${shown} must be a host and optional path only (credentials go in the secret store, not the URL)`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Reads and validates the proxy's settings; every bad value is reported. */
export function proxySettingsFromEnv(env: Env, opts: { allowInsecureTarget?: boolean } = {}): ProxySettings {
  const problems: string[] = [];
  let target: string | undefined;
  if (env.TARGET_HOST) {
    try {
      target = targetFromHost(env.TARGET_HOST, opts.allowInsecureTarget);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  // Psoxy's default budget is 180 s, of which the source may take 150
  let timeoutMs = 150_000;
  if (env.REQUEST_TIMEOUT_SECONDS) {
    const n = Number(env.REQUEST_TIMEOUT_SECONDS);
    if (!Number.isFinite(n) || n <= 0 || n > 900)
      problems.push(`REQUEST_TIMEOUT_SECONDS=${env.REQUEST_TIMEOUT_SECONDS} must be a number of seconds between 1 and 900`);
    // as Psoxy reads it: the function's whole budget, of which the source's answer may take all
    // but 30 s (at least 60 s), leaving time to sanitize it and write outputs before the host's
    // own timeout ends the call
    else timeoutMs = Math.min(n, Math.max(60, n - 30)) * 1000;
  }
  if (env.ALLOWED_DATA_ACCESS_IP_BLOCKS) {
    try {
      parseIpBlocks(env.ALLOWED_DATA_ACCESS_IP_BLOCKS);
    } catch (e) {
      problems.push(`ALLOWED_DATA_ACCESS_IP_BLOCKS: ${(e as Error).message}`);
    }
  }
  if (env.USER_AGENT && /[^\t\x20-\x7e]/.test(env.USER_AGENT)) problems.push('USER_AGENT must be printable ASCII (it is sent as a header)');
  const impl = env.PSEUDONYM_IMPLEMENTATION;
  if (impl && !/^(v0\.4|default)$/i.test(impl)) {
    problems.push(`PSEUDONYM_IMPLEMENTATION=${impl} is not supported (only v0.4; legacy v0.3 pseudonyms are not produced)`);
  }
  const settings: ProxySettings = {
    target,
    rules: env.RULES || undefined,
    source: env.SOURCE || undefined,
    timeoutMs,
    allowedIpBlocks: env.ALLOWED_DATA_ACCESS_IP_BLOCKS || undefined,
    requestPathPrefixToTrim: env.REQUEST_PATH_PREFIX_TO_TRIM || undefined,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || env.K_SERVICE || undefined,
    followRedirects: envBool(env, 'FOLLOW_REDIRECTS', true, problems),
    emailCanonicalization: envChoice(env, 'EMAIL_CANONICALIZATION', EMAIL_CANONICALIZATIONS, 'STRICT', problems),
    emailDomainHandling: envChoice(env, 'EMAIL_DOMAIN_HANDLING', EMAIL_DOMAIN_HANDLINGS, 'PRESERVE', problems),
    asyncOutputDestination: env.ASYNC_OUTPUT_DESTINATION?.trim() || undefined,
    sideOutputOriginal: env.SIDE_OUTPUT_ORIGINAL?.trim() || undefined,
    userAgent: env.USER_AGENT?.trim() || undefined,
    sideOutputSanitized: env.SIDE_OUTPUT_SANITIZED?.trim() || undefined,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** The pseudonymizer from the secret store (`PSOXY_SALT` required; keys and the IP/domain variants optional). */
export async function pseudonymizerFromSecrets(secrets: SecretStore, settings: Pick<ProxySettings, 'emailCanonicalization' | 'emailDomainHandling'>): Promise<Pseudonymizer> {
  // read together: on a cold start each is a round trip to the cloud's secret store
  const names = ['PSOXY_SALT', 'PSOXY_ENCRYPTION_KEY', 'SALT_EMAIL_DOMAINS', 'ENCRYPTION_KEY_EMAIL_DOMAINS', 'SALT_IP', 'ENCRYPTION_KEY_IP'] as const;
  const values = await Promise.all(names.map(async (n) => (await secrets.get(n))?.value));
  const [salt, encryptionKey, emailDomainSalt, emailDomainEncryptionKey, ipSalt, ipEncryptionKey] = values;
  if (!salt) throw new ConfigError([`PSOXY_SALT is not set (looked in ${secrets.description}); it is required and must stay the same for pseudonyms to stay the same`], ['PSOXY_SALT']);
  return new Pseudonymizer({
    salt,
    encryptionKey,
    emailCanonicalization: settings.emailCanonicalization,
    emailDomainHandling: settings.emailDomainHandling,
    emailDomainSalt,
    emailDomainEncryptionKey,
    ipSalt,
    ipEncryptionKey,
  });
}
