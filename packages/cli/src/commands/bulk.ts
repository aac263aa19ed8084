import { randomUUID } from 'node:crypto';
import { resolve, sep } from 'node:path';
import { Flags } from '@oclif/core';
import {
  clashingDestinations,
  type BulkHandlerConfig,
  type BulkTransform,
  FolderStore,
  PSOXY_TS_VERSION,
  handleBulkObject,
  listKeys,
  parseAdditionalTransforms,
  watchFolder,
} from '@psoxy/core';
import { PsoxyCommand } from '../lib/base.js';
import { EXIT, UserError, describeError } from '../lib/errors.js';
import { readText } from '../lib/input.js';
import { connectorBulkRules, loadBulkRulesFile } from '../lib/bulk.js';
import { pseudonymizerFlags, pseudonymizerFrom } from '../lib/pseudonymizer-flags.js';

export default class Bulk extends PsoxyCommand {
  static override summary = 'Sanitize every file that lands in a folder, as the bucket-triggered function does.';

  static override description = `A local stand-in for Psoxy's bulk mode: each file in the input folder (and, with --watch, each file that appears later, once it stops changing) is sanitized with the bulk rules and written under the same relative path in the output folder. Additional transforms (Psoxy's ADDITIONAL_TRANSFORMS, e.g. lookup tables) write further outputs from the same input to their own folders. This is the same handler the cloud hosts call for bucket events.

An output appears only once its input was sanitized whole (temporary file, then rename). Hidden files (names starting with '.') are ignored.

Compression: --compress-output as-input (default here) gzips an output when its input was gzip; always gzips every output, as Psoxy does by default (COMPRESS_OUTPUT_ALWAYS=true); never writes plain text. The file name is kept, as Psoxy does.

Exit codes (without --watch): 0 every file sanitized; 2 a file failed or invalid rules/configuration. With --watch, failures are reported and watching goes on until Ctrl-C.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --rules hris.yaml --input ./inbox --output ./sanitized --salt "$SALT"',
    '<%= config.bin %> <%= command.id %> --rules hris.yaml --additional-transforms lookup.yaml --input ./inbox --output ./sanitized --watch',
  ];

  static override flags = {
    rules: Flags.string({ char: 'r', description: 'Bulk rule file (Psoxy YAML or native YAML/JSON).', helpValue: '<file>', exactlyOne: ['rules', 'connector'] }),
    connector: Flags.string({ char: 'c', description: "Use an installed connector's bulk rules (e.g. slack-discovery-api).", helpValue: '<id>', exactlyOne: ['rules', 'connector'] }),
    input: Flags.string({ char: 'i', description: 'Folder files arrive in (the input bucket).', helpValue: '<dir>', required: true }),
    output: Flags.string({ char: 'o', description: 'Folder sanitized files are written to (the output bucket).', helpValue: '<dir>', required: true }),
    'additional-transforms': Flags.string({
      description: "YAML list of further outputs: [{destinationBucketName: <dir>, pathWithinBucket?, rules, compressOutput?}] (Psoxy's ADDITIONAL_TRANSFORMS; the env variable holds the YAML itself).",
      helpValue: '<file>',
    }),
    'input-base-path': Flags.string({ description: 'Removed from each input path to form the output path (INPUT_BASE_PATH).', env: 'INPUT_BASE_PATH', default: '' }),
    'output-base-path': Flags.string({ description: 'Prefixed to each output path (OUTPUT_BASE_PATH).', env: 'OUTPUT_BASE_PATH', default: '' }),
    'compress-output': Flags.string({ description: 'When outputs are gzip.', options: ['as-input', 'always', 'never'], default: 'as-input' }),
    'output-format': Flags.string({ description: 'Record rules: format to write (BULK_OUTPUT_FORMAT).', options: ['NDJSON', 'CSV', 'JSON_ARRAY'], env: 'BULK_OUTPUT_FORMAT' }),
    shuffle: Flags.boolean({ description: 'Shuffle CSV rows in chunks of 500 as Psoxy does (--no-shuffle keeps input order).', default: true, allowNo: true }),
    watch: Flags.boolean({ char: 'w', description: 'Keep watching the input folder for new files until Ctrl-C.', default: false }),
    interval: Flags.integer({ description: 'With --watch: how often to look for new files, in milliseconds.', default: 500, min: 50 }),
    ...pseudonymizerFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Bulk);
    const input = resolve(flags.input);
    const output = resolve(flags.output);
    if (output === input || output.startsWith(input + sep)) {
      throw new UserError('the output folder must not be the input folder or inside it: outputs would be read back as inputs');
    }
    const rulesText = flags.rules ? await readText(flags.rules) : undefined;
    const rules = flags.rules ? await loadBulkRulesFile(flags.rules) : await connectorBulkRules(flags.connector as string);
    const pseudonymizer = pseudonymizerFrom(flags);
    const extraText = flags['additional-transforms'] ? await readText(flags['additional-transforms']) : process.env.ADDITIONAL_TRANSFORMS;
    const extra = extraText ? parseAdditionalTransforms(extraText, { source: flags['additional-transforms'] ?? 'ADDITIONAL_TRANSFORMS' }) : [];
    for (const t of extra) {
      const d = resolve(t.destinationBucketName);
      if (d === input || d.startsWith(input + sep)) throw new UserError(`additional transform destination ${t.destinationBucketName} is inside the input folder`);
    }
    const mode = flags['compress-output'];
    const compress = (t?: boolean) => (mode === 'never' ? false : t);
    const transforms: BulkTransform[] = [
      { destinationBucketName: output, pathWithinBucket: flags['output-base-path'], rules, compressOutput: compress(undefined) },
      ...extra.map((t) => ({ ...t, destinationBucketName: resolve(t.destinationBucketName), compressOutput: compress(t.compressOutput) })),
    ];
    const clash = clashingDestinations(transforms);
    if (clash) throw new UserError(clash);
    const config: BulkHandlerConfig = {
      instanceId: `psoxy-cli-${randomUUID()}`,
      inputBasePath: flags['input-base-path'] || undefined,
      compressOutputAlways: mode === 'always',
      outputFormat: flags['output-format'] as BulkHandlerConfig['outputFormat'],
      transforms,
      pseudonymizer,
      rulesText,
      version: PSOXY_TS_VERSION,
      shuffle: flags.shuffle,
      warn: (message) => process.stderr.write(`warning: ${message}\n`),
    };
    const store = new FolderStore();
    let failures = 0;
    const handle = async (key: string) => {
      const t0 = performance.now();
      try {
        const r = await handleBulkObject(store, config, input, key);
        const outs = r.outputs.map((o) => `${o.bucket}/${o.key}${o.compressed ? ' (gzip)' : ''}`).join(', ');
        process.stdout.write(`sanitized ${key} -> ${outs} in ${Math.round(performance.now() - t0)} ms\n`);
      } catch (e) {
        failures++;
        process.stderr.write(`failed ${key}: ${describeError(e).message}\n`);
      }
    };
    if (!flags.watch) {
      const keys = await listKeys(input);
      if (keys.length === 0) process.stderr.write(`no files in ${input}\n`);
      for (const key of keys) await handle(key);
      if (failures > 0) {
        process.stderr.write(`${failures} of ${keys.length} file(s) failed; nothing was written for them\n`);
        return this.exit(EXIT.INVALID);
      }
      return;
    }
    const abort = new AbortController();
    const stop = () => {
      process.stdout.write('stopping\n');
      abort.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.stdout.write(`watching ${input} -> ${output} (Ctrl-C to stop)\n`);
    await watchFolder(input, { intervalMs: flags.interval, signal: abort.signal, onFile: handle });
  }
}
