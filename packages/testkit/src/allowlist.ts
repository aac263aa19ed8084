import { type Connector, type ConnectorConfig, compileRestRules, connectorRules } from '@psoxy/core';
import { testConfig } from './golden.js';

/** `GET /path?query` or just `/path?query` (GET). */
type Call = string;

function parseCall(call: Call): { method: string; target: string } {
  const m = /^([A-Z]+)\s+(\S+)$/.exec(call.trim());
  return m ? { method: m[1] as string, target: m[2] as string } : { method: 'GET', target: call.trim() };
}

/**
 * Checks a connector's allowlist: every `allowed` call must pass its rules and every `blocked` one
 * must not. Throws one error listing each call that went the wrong way.
 */
export function checkAllowlist(connector: Connector, calls: { allowed?: Call[]; blocked?: Call[] }, config?: Partial<ConnectorConfig>): void {
  const rules = compileRestRules(connectorRules(connector, testConfig(config)), { source: `connector ${connector.id}` });
  const problems: string[] = [];
  for (const call of calls.allowed ?? []) {
    const { method, target } = parseCall(call);
    const r = rules.match({ method, url: target });
    if (!r.allowed) problems.push(`should be allowed but is blocked (${r.reason}): ${method} ${target}`);
  }
  for (const call of calls.blocked ?? []) {
    const { method, target } = parseCall(call);
    const r = rules.match({ method, url: target });
    if (r.allowed) problems.push(`should be blocked but is allowed: ${method} ${target}`);
  }
  if (problems.length > 0) throw new Error(`allowlist of ${connector.id}:\n  ${problems.join('\n  ')}`);
}
