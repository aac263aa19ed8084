import type { AuthStrategy } from '../auth/types.js';
import { ipAllowed } from './ip.js';
import type { ProxyOptions, ProxyResponse } from './handler.js';

/**
 * Psoxy's health check: `X-Psoxy-Health-Check` on any request. 200 when the proxy can work, 412
 * when not; JSON with properties in alphabetical order, then CRLF. Names missing secrets, never
 * their values.
 */
export async function healthCheck(args: {
  opts: ProxyOptions;
  auth: AuthStrategy;
  clientIp: string | undefined;
  ipBlocks: Parameters<typeof ipAllowed>[1] | undefined;
  version: string;
}): Promise<ProxyResponse> {
  const { opts, auth, clientIp, ipBlocks, version } = args;
  const missing: string[] = [];
  const optional = new Set(auth.optionalSecretNames ?? []);
  for (const name of auth.secretNames) {
    if (optional.has(name)) continue;
    try {
      if ((await opts.secrets.get(name)) === undefined) missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  const authorized = ipBlocks ? ipAllowed(clientIp, ipBlocks) : undefined;
  const warnings = [...opts.rules.warnings];
  if (!opts.pseudonymizer.canReverse) warnings.push('PSOXY_ENCRYPTION_KEY is not set: rules that need reversible pseudonyms will fail');
  const body: Record<string, unknown> = {
    callerIp: clientIp ?? 'unknown',
    ...(authorized !== undefined ? { clientIpAuthorized: authorized } : {}),
    configuredHost: new URL(opts.target).host + new URL(opts.target).pathname.replace(/\/+$/, ''),
    configuredSource: opts.source ?? null,
    missingConfigProperties: missing,
    pseudonymImplementation: 'v0.4',
    saltSha256Hash: opts.pseudonymizer.saltFingerprint,
    sourceAuthStrategy: auth.kind,
    version,
    warningMessages: warnings,
  };
  const passed = opts.source !== undefined && missing.length === 0 && authorized !== false;
  return { status: passed ? 200 : 412, headers: { 'content-type': 'application/json' }, body: Buffer.from(`${JSON.stringify(body)}\r\n`, 'utf8') };
}
