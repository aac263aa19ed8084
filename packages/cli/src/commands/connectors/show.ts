import { Args } from '@oclif/core';
import { compileRestRules, connectorRules, connectorTarget, defaultConnectorConfig, secretPrefix } from '@psoxy/core';
import { PsoxyCommand } from '../../lib/base.js';
import { findConnector } from '../../lib/connectors.js';

export default class ConnectorsShow extends PsoxyCommand {
  static override summary = 'Describe a connector: settings, secrets, grants, setup and endpoints.';

  static override description = 'Prints what a deployment of the connector needs: its target, each setting and secret (with the Psoxy name a cloud host stores it under), the scopes or permissions the source admin must grant, the setup steps, example calls and the endpoints its rules allow.';

  static override examples = ['<%= config.bin %> <%= command.id %> gcal'];

  static override args = {
    id: Args.string({ description: 'Connector id (see psoxy connectors).', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ConnectorsShow);
    const { connector: c, packageName } = await findConnector(args.id);
    const config = defaultConnectorConfig(c);
    const out: string[] = [`${c.id}: ${c.displayName} (${packageName})`, `target: ${connectorTarget(c, config)}`, '', 'settings and secrets:'];
    for (const s of c.settings) {
      const flags = [s.secret ? 'secret' : 'setting', s.required ? 'required' : 'optional', ...(s.writable ? ['written back'] : []), ...(s.default ? [`default: ${s.default}`] : [])];
      out.push(`  ${s.name} (${flags.join(', ')}${s.secret ? `; in a cloud host: ${secretPrefix(c.id)}${s.name}` : ''})`, `      ${s.description}`);
    }
    out.push('', 'the source admin grants:', ...c.docs.grants.map((g) => `  ${g}`), '', 'setup:', ...c.docs.setup.map((s, i) => `  ${i + 1}. ${s}`));
    if (c.docs.exampleCalls?.length) out.push('', 'example calls:', ...c.docs.exampleCalls.map((e) => `  ${e}`));
    const rules = compileRestRules(connectorRules(c, config));
    out.push(
      '',
      'endpoints allowed:',
      ...rules.endpoints.map((e) => `  ${e.allowedMethods ? [...e.allowedMethods].join(',') : 'any method'} ${e.label}${e.allowedQueryParams ? ` (query: ${[...e.allowedQueryParams].join(', ') || 'none'})` : ''}`),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
