import { PsoxyCommand } from '../../lib/base.js';
import { discoverConnectors } from '../../lib/connectors.js';

export default class Connectors extends PsoxyCommand {
  static override summary = 'List the installed connectors.';

  static override description = `Connectors are found in installed packages named @psoxy/connector-*, psoxy-connector-* or @<scope>/psoxy-connector-*, and in the modules listed in PSOXY_CONNECTOR_MODULES (comma-separated package names or file paths). 'psoxy connectors show <id>' describes one: its settings and secrets, what the source admin must grant, and the setup steps.`;

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> connectors show gcal'];

  async run(): Promise<void> {
    await this.parse(Connectors);
    const all = [...(await discoverConnectors()).values()].sort((a, b) => (a.connector.id < b.connector.id ? -1 : 1));
    if (all.length === 0) {
      process.stdout.write('no connectors installed: add a connector package, e.g. npm install @psoxy/connector-google-workspace\n');
      return;
    }
    const w = Math.max(...all.map((f) => f.connector.id.length));
    for (const f of all) process.stdout.write(`${f.connector.id.padEnd(w)}  ${f.connector.displayName} (${f.packageName})\n`);
  }
}
