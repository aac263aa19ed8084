import { type CompiledRestRules, compileRestRules, connectorRules, loadRestRules } from '@psoxy/core';
import { findConnector } from './connectors.js';
import { readText } from './input.js';

/** Loads and compiles a REST rule file (native YAML/JSON or Psoxy's YAML dialect). */
export async function loadRulesFile(file: string): Promise<CompiledRestRules> {
  const text = await readText(file);
  return compileRestRules(loadRestRules(text, { source: file }), { source: file });
}

/** An installed connector's default rules, for its configuration in the environment. */
export async function connectorRulesFor(id: string): Promise<CompiledRestRules> {
  const { connector } = await findConnector(id);
  // only the rules are needed: settings required for auth do not matter here
  const config = { settings: {}, pseudonymizeAppIds: /^(true|1|yes)$/i.test(process.env.PSEUDONYMIZE_APP_IDS ?? '') };
  return compileRestRules(connectorRules(connector, config), { source: `connector ${connector.id}` });
}
