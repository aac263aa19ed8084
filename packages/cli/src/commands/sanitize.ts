import { Args, Flags } from '@oclif/core';
import { parseJsonDocuments, sanitizeResponse, writeJsonPretty } from '@psoxy/core';
import { PsoxyCommand } from '../lib/base.js';
import { EXIT, UserError } from '../lib/errors.js';
import { readInput } from '../lib/input.js';
import { pseudonymizerFlags, pseudonymizerFrom } from '../lib/pseudonymizer-flags.js';
import { connectorRulesFor, loadRulesFile } from '../lib/rules.js';

export default class Sanitize extends PsoxyCommand {
  static override summary = 'Sanitize an API response as the proxy would, and print it.';

  static override description = `Treats the given file (or stdin) as the upstream's 200 response to METHOD URL, checks the request against the rules, then applies the matching endpoint's response schema and transforms (redact, pseudonymize, tokenize, ...) and prints the sanitized body to stdout.

Rules are Psoxy rule files (YAML with !<pseudonymize> tags) or the native YAML/JSON form, or an installed connector's default rules (--connector; PSEUDONYMIZE_APP_IDS=true selects its variant that also pseudonymizes app ids). Pseudonyms are the same as Psoxy's for the same salt.

Exit codes: 0 sanitized; 2 invalid rules, input or configuration; 3 the rules block the request (the reason is printed on stderr as "blocked: <why>").`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --rules calendar.yaml --url https://www.googleapis.com/calendar/v3/calendars/primary/events --salt s3cret events.json',
    '<%= config.bin %> <%= command.id %> --connector gcal --url https://www.googleapis.com/calendar/v3/calendars/primary/events --salt s3cret events.json',
    'curl -s $UPSTREAM | PSOXY_SALT=s3cret <%= config.bin %> <%= command.id %> --rules rules.yaml --url "$UPSTREAM" -',
  ];

  static override args = {
    response: Args.string({ description: "File holding the upstream's response body, or '-' for stdin.", required: false }),
  };

  static override flags = {
    rules: Flags.string({ char: 'r', description: 'Rule file (Psoxy YAML or native YAML/JSON).', helpValue: '<file>', exactlyOne: ['rules', 'connector'] }),
    connector: Flags.string({ char: 'c', description: "Use an installed connector's default rules (see psoxy connectors).", helpValue: '<id>', exactlyOne: ['rules', 'connector'] }),
    url: Flags.string({ char: 'u', description: 'URL the response came from; selects the endpoint rule.', required: true, helpValue: '<url>' }),
    method: Flags.string({ char: 'm', description: 'HTTP method of the request.', default: 'GET' }),
    ...pseudonymizerFlags,
    pretty: Flags.boolean({ description: 'Pretty-print the output (as Psoxy writes its example files).', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sanitize);
    const rules = flags.rules ? await loadRulesFile(flags.rules) : await connectorRulesFor(flags.connector as string);
    for (const w of rules.warnings) process.stderr.write(`warning: ${w}\n`);
    const pseudonymizer = pseudonymizerFrom(flags);
    const body = await readInput(args.response, 'response');
    if (!/^[A-Za-z]+$/.test(flags.method)) throw new UserError(`invalid HTTP method '${flags.method}'`);
    const out = sanitizeResponse({ rules, pseudonymizer, method: flags.method.toUpperCase(), url: flags.url, body });
    if (out.blocked) {
      process.stderr.write(`blocked: ${out.reason}\n`);
      return this.exit(EXIT.BLOCKED);
    }
    const text = flags.pretty ? parseJsonDocuments(out.body).map((d) => writeJsonPretty(d)).join('\n') : out.body;
    process.stdout.write(text.length > 0 ? `${text}\n` : '');
  }
}
