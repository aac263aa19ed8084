import type { AuthStrategy } from '../auth/types.js';
import { ipAllowed } from './ip.js';
import type { ProxyOptions, ProxyResponse } from './handler.js';

/**
 * Psoxy's health check: `X-Psoxy-Health-Check` on any request. 200 when the proxy can work, 412
 * when not; JSON with Psoxy's fields in alphabetical order, then CRLF. Names missing secrets, never
 * their values; `rules` is the effective rule set (no secret in it) as YAML.
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
  const optional = new Set(auth.optionalSecretNames ?? []);
  for (const name of auth.secretNames) {
    try {
      const v = await opts.secrets.get(name);
      if (v?.updatedAt !== undefined) lastModified[name] = new Date(v.updatedAt).toISOString();
      if (v === undefined && !optional.has(name)) missing.push(name);
    } catch {
      if (!optional.has(name)) missing.push(name);
    }
  }
  const authorized = ipBlocks ? ipAllowed(clientIp, ipBlocks) : undefined;
  const warnings = [...opts.rules.warnings];
  if (!opts.pseudonymizer.canReverse) warnings.push('PSOXY_ENCRYPTION_KEY is not set: rules that need reversible pseudonyms will fail');
  const target = new URL(opts.target);
  const health = opts.health ?? {};
  const body: Record<string, unknown> = {
    bundleFilename: health.bundleFilename ?? null,
    callerIp: clientIp ?? 'unknown',
    ...(authorized !== undefined ? { clientIpAuthorized: authorized } : {}),
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
    version,
    warningMessages: warnings,
  };
  const passed = opts.source !== undefined && missing.length === 0 && authorized !== false;
  return { status: passed ? 200 : 412, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(`${JSON.stringify(body)}\r\n`, 'utf8') };
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
