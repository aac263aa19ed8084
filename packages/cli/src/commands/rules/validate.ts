import { Args } from '@oclif/core';
import { PsoxyCommand } from '../../lib/base.js';
import { loadRulesFile } from '../../lib/rules.js';

export default class RulesValidate extends PsoxyCommand {
  static override summary = 'Check that a rule file loads and can be enforced faithfully.';

  static override description =
    'Loads the rules (Psoxy YAML dialect or native YAML/JSON), compiles every JSONPath, regex and path template, and prints one line per endpoint. Exits 2 with the location of the first problem otherwise.';

  static override examples = ['<%= config.bin %> <%= command.id %> github.yaml'];

  static override args = {
    file: Args.string({ description: 'Rule file to check.', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(RulesValidate);
    const rules = await loadRulesFile(args.file);
    for (const w of rules.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const e of rules.endpoints) {
      const methods = e.spec.allowedMethods?.join(',') ?? 'any method';
      const transforms = e.transforms.map((t) => t.method).join(', ') || 'no transforms';
      process.stdout.write(`${e.label}  [${methods}]  ${transforms}\n`);
    }
    process.stdout.write(`ok: ${rules.endpoints.length} endpoint(s), rules sha1 ${rules.sha}\n`);
  }
}
