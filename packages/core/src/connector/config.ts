import { ConfigError, targetFromHost } from '../proxy/config.js';
import type { Connector, ConnectorConfig } from './define.js';

/** Psoxy's secret prefix for a connector: `PSOXY_GCAL_`, `PSOXY_MSFT_ENTRA_ID_`. */
export function secretPrefix(connectorId: string, environmentId = 'PSOXY'): string {
  return `${environmentId.toUpperCase()}_${connectorId.toUpperCase().replace(/-/g, '_')}_`;
}

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());

/**
 * A connector's configuration from the environment: its non-secret settings (by Psoxy's names, or
 * with the connector's prefix, or from `TARGET_HOST` where the setting says so), defaults applied,
 * and every missing required one reported at once.
 */
export function connectorConfigFromEnv(c: Connector, env: Record<string, string | undefined>): ConnectorConfig {
  const prefix = secretPrefix(c.id);
  const settings: Record<string, string | undefined> = {};
  const problems: string[] = [];
  for (const s of c.settings) {
    if (s.secret) continue;
    const v = env[s.name] ?? env[prefix + s.name] ?? (s.fromTargetHost ? fromTargetHost(env.TARGET_HOST, s.fromTargetHost) : undefined) ?? s.default;
    if ((v === undefined || v.trim() === '') && s.required) problems.push(`${s.name} is required: ${s.description}`);
    settings[s.name] = v === undefined || v.trim() === '' ? undefined : v.trim();
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `connector ${c.id}: ${p}`));
  return { settings, pseudonymizeAppIds: truthy(env.PSEUDONYMIZE_APP_IDS) };
}

/**
 * `TARGET_HOST` as a host name or a base URL, read as the proxy reads it ({@link targetFromHost});
 * undefined if unset or not a target (the setting is then missing, and reported so).
 */
function fromTargetHost(value: string | undefined, as: 'host' | 'url'): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    // http:// is the proxy's to refuse (or allow, for a local source), not the connector's
    const base = targetFromHost(value, true);
    return as === 'host' ? new URL(base).host : base;
  } catch {
    return undefined;
  }
}

/** A connector's configuration from its settings' defaults alone: what docs, `connectors show` and bundle manifests describe. */
export function defaultConnectorConfig(c: Connector): ConnectorConfig {
  return { settings: Object.fromEntries(c.settings.filter((s) => s.default !== undefined).map((s) => [s.name, s.default])), pseudonymizeAppIds: false };
}
