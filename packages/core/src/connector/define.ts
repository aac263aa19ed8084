// zod/mini, as the rules model (see there); a namespace import lets bundlers drop what is unused
import * as z from 'zod/mini';
import type { AuthStrategy } from '../auth/types.js';
import type { BulkRules } from '../bulk/rules.js';
import { RULES_PARSE, type RestRules, isCheckedRestRules, restRulesSchema } from '../rules/model.js';

/** A setting or secret a connector reads, with Psoxy's name for it. */
export interface ConnectorSetting {
  /** Logical name (`SERVICE_ACCOUNT_KEY`, `CLIENT_ID`, `TARGET_HOST`...), as Psoxy reads it. */
  name: string;
  description: string;
  /** Kept in the secret store (a credential), not plain configuration. */
  secret: boolean;
  required: boolean;
  /** The proxy writes it back (a rotated refresh token, a shared access token). */
  writable?: boolean;
  /** Used when the setting is absent. */
  default?: string;
  /**
   * Absent, taken from `TARGET_HOST` (where Psoxy's Terraform puts the source's host): its host
   * name (`host`) or its base URL with any path (`url`). A Psoxy deployment then needs no new setting.
   */
  fromTargetHost?: 'host' | 'url';
}

/** What the admin of the source must do, and grant, for the connector to work. */
export interface ConnectorDocs {
  /** OAuth scopes, API permissions or roles to grant, exactly as the source's console names them. */
  grants: readonly string[];
  /** Setup steps, in order. */
  setup: readonly string[];
  /** Example calls a user can make through the proxy (paths with query). */
  exampleCalls?: readonly string[];
}

/** What a connector's factories receive: its resolved settings (values from env or the store). */
export interface ConnectorConfig {
  /** Non-secret settings, from configuration (env). */
  settings: Readonly<Record<string, string | undefined>>;
  /** `PSEUDONYMIZE_APP_IDS`: choose the rules variant that also pseudonymizes app ids. */
  pseudonymizeAppIds: boolean;
}

export interface ConnectorDefinition {
  /** Psoxy's connector id (`gcal`, `msft-entra-id`, `github`...). */
  id: string;
  displayName: string;
  /** Psoxy's `SOURCE` value (default rules key), when it differs from the id (`azure-ad`). */
  sourceKind?: string;
  settings: readonly ConnectorSetting[];
  docs: ConnectorDocs;
  /** Base URL of the source: fixed, or computed from settings (never from the caller's request). */
  target: string | ((config: ConnectorConfig) => string);
  /** Builds the auth strategy from settings; secrets are read through the strategy's context. */
  auth: (config: ConnectorConfig) => AuthStrategy;
  /** The endpoint allowlist and transforms; may depend on settings (`PSEUDONYMIZE_APP_IDS`). */
  rules: RestRules | ((config: ConnectorConfig) => RestRules);
  /** Bulk (file) rules, for connectors whose data also arrives as files. */
  bulkRules?: BulkRules;
  /** Return non-2xx bodies to the caller (only for sources whose errors hold no personal data). */
  passThroughErrorBodies?: boolean;
}

const BRAND = Symbol.for('psoxy.connector');

/** A validated, frozen connector: what hosts and the CLI accept. */
export type Connector = Readonly<ConnectorDefinition> & { readonly [BRAND]: true };

export class ConnectorDefinitionError extends Error {
  override readonly name = 'ConnectorDefinitionError';
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');

const definitionSchema = z.object({
  id: z.string().check(z.regex(ID, 'a connector id is lower-case words joined by hyphens (gcal, msft-entra-id)')),
  displayName: z.string().check(z.minLength(1)),
  sourceKind: z.optional(z.string().check(z.regex(ID))),
  settings: z.array(
    z.object({
      name: z.string().check(z.regex(SETTING_NAME, 'setting names are UPPER_SNAKE_CASE, as Psoxy names them')),
      description: z.string().check(z.minLength(1)),
      secret: z.boolean(),
      required: z.boolean(),
      writable: z.optional(z.boolean()),
      default: z.optional(z.string()),
      fromTargetHost: z.optional(z.enum(['host', 'url'])),
    }),
  ),
  docs: z.object({ grants: z.array(z.string()), setup: z.array(z.string()).check(z.minLength(1, 'say how to set the source up')), exampleCalls: z.optional(z.array(z.string())) }),
  target: z.union([z.url({ protocol: /^https?$/ }), fn]),
  auth: fn,
  rules: z.union([fn, z.looseObject({})]),
  bulkRules: z.optional(z.looseObject({})),
  passThroughErrorBodies: z.optional(z.boolean()),
});

/**
 * Makes a connector: checks the definition (and its static rules) now, so that a broken plugin
 * fails when it is loaded rather than on the first request; then freezes and brands it.
 */
export function defineConnector(def: ConnectorDefinition): Connector {
  const r = definitionSchema.safeParse(def, RULES_PARSE);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ConnectorDefinitionError(`connector ${JSON.stringify((def as { id?: unknown })?.id ?? '?')}: ${i?.path.join('.') || '(definition)'}: ${i?.message}`);
  }
  if (typeof def.rules !== 'function' && !isCheckedRestRules(def.rules)) {
    const rules = restRulesSchema.safeParse(def.rules, RULES_PARSE);
    if (!rules.success) throw new ConnectorDefinitionError(`connector ${def.id}: invalid rules: ${rules.error.issues[0]?.message}`);
  }
  const names = new Set<string>();
  for (const s of def.settings) {
    if (names.has(s.name)) throw new ConnectorDefinitionError(`connector ${def.id}: setting ${s.name} is declared twice`);
    names.add(s.name);
  }
  return Object.freeze({ ...def, settings: Object.freeze([...def.settings]), [BRAND]: true as const });
}

/** Whether a value (e.g. a dynamically imported module's export) is a connector. */
export function isConnector(x: unknown): x is Connector {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

/** The connector's rules for a configuration. */
export function connectorRules(c: Connector, config: ConnectorConfig): RestRules {
  return typeof c.rules === 'function' ? c.rules(config) : c.rules;
}

/** The connector's base URL for a configuration. */
export function connectorTarget(c: Connector, config: ConnectorConfig): string {
  return typeof c.target === 'function' ? c.target(config) : c.target;
}
