import { basename, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { sanitizeBulk } from '@psoxy/core';
import { connectorBulkRules, loadBulkRulesFile, openInput, shortcutRules, writeAllOrNothing } from '../lib/bulk.js';
import { PsoxyCommand } from '../lib/base.js';
import { UserError } from '../lib/errors.js';
import { pseudonymizerFlags, pseudonymizerFrom } from '../lib/pseudonymizer-flags.js';

export default class Pseudonymize extends PsoxyCommand {
  static override summary = 'Pseudonymize a file (CSV, NDJSON, JSON array) as Psoxy bulk mode would.';

  static override description = `Streams the input through bulk rules and writes the sanitized file: to stdout without -o, else to the output file (gzip when its name ends .gz). Inputs may be gzip. Pseudonyms equal those of the API proxy (and of Psoxy) for the same salt, so sanitized HRIS files join with sanitized API data.

Rules are Psoxy bulk rule files: ColumnarRules (columnsToPseudonymize, columnsToRedact, columnsToDuplicate, fieldsToTransform, ...), RecordRules (format, transforms) or multi-type rules (fileRules by object path). Without a rule file, --pseudonymize/--redact/--format describe columnar rules for a CSV file.

CSV rows are shuffled in chunks of 500, as Psoxy does, so that row order cannot link a sanitized row to the original; --no-shuffle keeps the input order (for reproducible output).

Nothing is written unless the whole file is sanitized: a bad row, invalid UTF-8 or a file no rule matches is an error naming the file and line. A column the rules name that the file lacks is written empty, with a warning, as Psoxy does (list optional columns under columnsToPseudonymizeIfPresent).

Exit codes: 0 done; 2 invalid rules, input or configuration.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --rules hris.yaml --salt "$SALT" hris.csv -o hris-sanitized.csv',
    '<%= config.bin %> <%= command.id %> --pseudonymize employee_id,email --redact full_name --format URL_SAFE_TOKEN --salt "$SALT" hris.csv',
    '<%= config.bin %> <%= command.id %> --rules discovery.yaml --object-path users/2024-01-01/users.ndjson --salt "$SALT" users.ndjson.gz',
  ];

  static override args = {
    input: Args.string({ description: "File to pseudonymize (may be gzip), or '-' for stdin.", required: true }),
  };

  static override flags = {
    rules: Flags.string({ char: 'r', description: 'Bulk rule file (Psoxy YAML or native YAML/JSON).', helpValue: '<file>', exclusive: ['pseudonymize', 'redact', 'format', 'connector'] }),
    connector: Flags.string({ char: 'c', description: "Use an installed connector's bulk rules (e.g. slack-discovery-api for Slack's export files).", helpValue: '<id>', exclusive: ['pseudonymize', 'redact', 'rules', 'format'] }),
    'object-path': Flags.string({ description: "Object path that selects rules in a multi-type rule file (default: the input's file name).", helpValue: '<key>' }),
    output: Flags.string({ char: 'o', description: 'Write here instead of stdout (gzip if the name ends .gz).', helpValue: '<file>' }),
    pseudonymize: Flags.string({ description: 'Without --rules: CSV columns to pseudonymize, comma-separated.', helpValue: '<col,col>' }),
    redact: Flags.string({ description: 'Without --rules: CSV columns to drop, comma-separated.', helpValue: '<col,col>' }),
    format: Flags.string({ description: 'Without --rules: how pseudonyms are written.', options: ['URL_SAFE_TOKEN', 'JSON', 'URL_SAFE_HASH_ONLY'], default: 'JSON' }),
    shuffle: Flags.boolean({ description: 'Shuffle CSV rows in chunks of 500 as Psoxy does (--no-shuffle keeps input order).', default: true, allowNo: true }),
    'output-format': Flags.string({ description: 'Record rules: format to write (default: the input format); BULK_OUTPUT_FORMAT.', options: ['NDJSON', 'CSV', 'JSON_ARRAY'], env: 'BULK_OUTPUT_FORMAT' }),
    ...pseudonymizerFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pseudonymize);
    let rules: Awaited<ReturnType<typeof loadBulkRulesFile>>;
    if (flags.rules) rules = await loadBulkRulesFile(flags.rules);
    else if (flags.connector) rules = await connectorBulkRules(flags.connector);
    else if (flags.pseudonymize || flags.redact) rules = shortcutRules(flags);
    else throw new UserError('no rules given: pass --rules <file>, or --pseudonymize <columns> / --redact <columns> for a CSV file');
    // written whole or not at all, the output would still replace the input it is read from
    if (flags.output && args.input !== '-' && resolve(flags.output) === resolve(args.input)) {
      throw new UserError(`--output ${flags.output} is the input file: write the sanitized file elsewhere`);
    }
    if (flags['output-format'] && rules.kind === 'columnar') {
      process.stderr.write(`warning: --output-format (BULK_OUTPUT_FORMAT) applies to record rules; columnar rules write CSV\n`);
    }
    const objectPath = flags['object-path'] ?? (args.input === '-' ? 'stdin' : basename(args.input));
    if (!flags.rules && !flags.connector && /\.(nd)?json(l)?(\.gz)?$/i.test(objectPath)) {
      throw new UserError('--pseudonymize/--redact name CSV columns; for a JSON file write record rules and pass --rules <file>');
    }
    const pseudonymizer = pseudonymizerFrom(flags);
    const text = sanitizeBulk(openInput(args.input), {
      rules,
      objectPath,
      pseudonymizer,
      shuffle: flags.shuffle,
      outputFormat: flags['output-format'] as 'NDJSON' | 'CSV' | 'JSON_ARRAY' | undefined,
      warn: (message) => process.stderr.write(`warning: ${message}\n`),
    });
    await writeAllOrNothing(text, flags.output);
    if (flags.output) process.stderr.write(`wrote ${flags.output}\n`);
  }
}
