import { type AuthStrategy, requiredSecretNames } from '../auth/types.js';
import { ipAllowed } from './ip.js';
import type { ProxyOptions, ProxyResponse } from './handler.js';

/** Psoxy's health check fields; those left undefined are not written. */
export interface HealthReport {
  bundleFilename: string | null;
  callerIp: string;
  /** Only when an IP allowlist is set. */
  clientIpAuthorized?: boolean | undefined;
  configPropertiesLastModified: Record<string, string>;
  configuredHost: string | null;
  configuredSource: string | null;
  javaSourceCodeVersion: null;
  missingConfigProperties: string[];
  nonDefaultSalt: boolean;
  pseudonymImplementation: string;
  pseudonymizeAppIds: boolean;
  rules?: string | null | undefined;
  saltSha256Hash: string | null;
  sourceAuthGrantType: string | null;
  sourceAuthStrategy: string | null;
  userAgent?: string | undefined;
  version: string;
  warningMessages: string[];
}

/** The health check's answer: 200 when it passed, else 412; the fields in alphabetical order, as Psoxy writes them, then CRLF. */
export function healthResponse(report: HealthReport, passed: boolean): ProxyResponse {
  const fields = Object.entries(report)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    status: passed ? 200 : 412,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(`${JSON.stringify(Object.fromEntries(fields))}\r\n`, 'utf8'),
  };
}

/**
 * Psoxy's health check: `X-Psoxy-Health-Check` on any request. 200 when the proxy can work, 412
 * when not. Names missing secrets, never their values; `rules` is the effective rule set (no
 * secret in it) as YAML.
 */
export async function healthCheck(args: {
  opts: ProxyOptions;
  auth: AuthStrategy;
  clientIp: string | undefined;
  ipBlocks: Parameters<typeof ipAllowed>[1] | undefined;
  version: string;
  userAgent: string;
}): Promise<ProxyResponse> {
  const { opts, auth, clientIp, ipBlocks, version, userAgent } = args;
  const missing: string[] = [];
  const lastModified: Record<string, string> = {};
  const required = new Set(requiredSecretNames(auth));
  for (const name of auth.secretNames) {
    try {
      const v = await opts.secrets.get(name);
      if (v?.updatedAt !== undefined) lastModified[name] = new Date(v.updatedAt).toISOString();
      if (v === undefined && required.has(name)) missing.push(name);
    } catch {
      if (required.has(name)) missing.push(name);
    }
  }
  const authorized = ipBlocks ? ipAllowed(clientIp, ipBlocks) : undefined;
  const warnings = [...opts.rules.warnings];
  if (authorized === false) warnings.push(`the caller's IP address (${clientIp ?? 'unknown'}) is not authorized by ALLOWED_DATA_ACCESS_IP_BLOCKS`);
  if (!opts.pseudonymizer.canReverse) warnings.push('PSOXY_ENCRYPTION_KEY is not set: rules that need reversible pseudonyms will fail');
  const target = new URL(opts.target);
  const health = opts.health ?? {};
  const report: HealthReport = {
    bundleFilename: health.bundleFilename ?? null,
    callerIp: clientIp ?? 'unknown',
    clientIpAuthorized: authorized,
    configPropertiesLastModified: lastModified,
    configuredHost: target.host + target.pathname.replace(/\/+$/, ''),
    configuredSource: opts.source ?? null,
    // this is no Java implementation; the field is kept, as Psoxy's clients may read it
    javaSourceCodeVersion: null,
    missingConfigProperties: missing,
    // the salt is present, or the proxy would not have started
    nonDefaultSalt: true,
    pseudonymImplementation: 'v0.4',
    pseudonymizeAppIds: health.pseudonymizeAppIds ?? false,
    rules: await rulesYaml(opts),
    saltSha256Hash: opts.pseudonymizer.saltFingerprint,
    sourceAuthGrantType: health.sourceAuthGrantType ?? null,
    sourceAuthStrategy: health.sourceAuthStrategy ?? auth.kind,
    userAgent,
    version: versionOf(health.bundleFilename) ?? version,
    warningMessages: warnings,
  };
  return healthResponse(report, opts.source !== undefined && missing.length === 0 && authorized !== false);
}

/** The effective rules as YAML (the YAML writer is loaded only here: a health check is rare). */
async function rulesYaml(opts: ProxyOptions): Promise<string | null> {
  try {
    const { stringify } = await import('yaml');
    return stringify(opts.rules.rules);
  } catch {
    return null;
  }
}

/** Psoxy's version from its bundle's name: `psoxy-aws-rc-v0.1.15.jar` is `rc-v0.1.15`. */
function versionOf(bundleFilename: string | undefined): string | undefined {
  return bundleFilename === undefined ? undefined : /^psoxy-[^-]+-(.+)\.jar$/.exec(bundleFilename)?.[1];
}
