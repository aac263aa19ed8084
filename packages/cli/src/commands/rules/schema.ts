import { rulesJsonSchema } from '@psoxy/core';
import { PsoxyCommand } from '../../lib/base.js';

export default class RulesSchema extends PsoxyCommand {
  static override summary = 'Print the JSON Schema of REST rule files (for editor completion).';

  static override description =
    'Prints a draft-07 JSON Schema describing native rule files. Point yaml-language-server at it with a "# yaml-language-server: $schema=<file>" comment.';

  static override examples = ['<%= config.bin %> <%= command.id %> > rules.schema.json'];

  async run(): Promise<void> {
    await this.parse(RulesSchema);
    process.stdout.write(`${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
  }
}
