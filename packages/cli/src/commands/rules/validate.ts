import { Args } from '@oclif/core';
import { checkBulkRules, compileRestRules, loadBulkRules, loadRestRules, parseRulesText, rulesKind } from '@psoxy/core';
import { PsoxyCommand } from '../../lib/base.js';
import { readText } from '../../lib/input.js';

export default class RulesValidate extends PsoxyCommand {
  static override summary = 'Check that a rule file loads and can be enforced faithfully.';

  static override description =
    'Loads the rules (Psoxy YAML dialect or native YAML/JSON; REST API rules or bulk file rules), compiles every JSONPath, regex and path template, and prints one line per endpoint (REST) or per rule set (bulk: CSV columns, records, or each file template). Exits 2 with the location of the first problem otherwise.';

  static override examples = ['<%= config.bin %> <%= command.id %> github.yaml', '<%= config.bin %> <%= command.id %> hris-csv.yaml'];

  static override args = {
    file: Args.string({ description: 'Rule file to check.', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(RulesValidate);
    const text = await readText(args.file);
    if (rulesKind(parseRulesText(text, { source: args.file })) === 'bulk') {
      const lines = checkBulkRules(loadBulkRules(text, { source: args.file }), args.file);
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.stdout.write(`ok: bulk rules, ${lines.length} rule set(s)\n`);
      return;
    }
    const rules = compileRestRules(loadRestRules(text, { source: args.file }), { source: args.file });
    for (const w of rules.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const e of rules.endpoints) {
      const methods = e.spec.allowedMethods?.join(',') ?? 'any method';
      const transforms = e.transforms.map((t) => t.method).join(', ') || 'no transforms';
      process.stdout.write(`${e.label}  [${methods}]  ${transforms}\n`);
    }
    process.stdout.write(`ok: ${rules.endpoints.length} endpoint(s), rules sha1 ${rules.sha}\n`);
  }
}
