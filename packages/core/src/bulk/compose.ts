import type { Connector } from '../connector/define.js';
import { ConfigError, envBool, envChoice, proxySettingsFromEnv, pseudonymizerFromSecrets } from '../proxy/config.js';
import { PSOXY_TS_VERSION } from '../proxy/handler.js';
import type { Logger } from '../runtime/logger.js';
import type { SecretStore } from '../runtime/secrets.js';
import { type BulkHandlerConfig, type BulkTransform, clashingDestinations } from './handler.js';
import type { RecordFormat } from './record-io.js';
import { loadBulkRules, parseAdditionalTransforms } from './load.js';
import type { BulkRules } from './rules.js';

const OUTPUT_FORMATS: readonly RecordFormat[] = ['NDJSON', 'CSV', 'JSON_ARRAY'];

export interface ComposeBulkOptions {
  /** The connector whose bulk rules apply when `RULES` is not set. */
  connector?: Connector | undefined;
  /** Configuration by Psoxy's names: `OUTPUT_BUCKET`, `RULES`, `ADDITIONAL_TRANSFORMS`, `INPUT_BASE_PATH`... */
  env: Record<string, string | undefined>;
  /** Secrets (`PSOXY_SALT`...), and where Psoxy's Terraform puts `RULES` / `ADDITIONAL_TRANSFORMS` when not in the environment. */
  secrets: SecretStore;
  /** Where settings not in `env` are read (`RULES`, `ADDITIONAL_TRANSFORMS`), when not where the secrets are (default `secrets`). */
  config?: SecretStore | undefined;
  /** This function's name: the instance id written into outputs' metadata (the loop guard). */
  instanceId: string;
  /** Where warnings about the files go (a column the rules name that a file lacks). */
  log?: Logger | undefined;
}

const read = async (o: ComposeBulkOptions, name: string): Promise<string | undefined> =>
  o.env[name] || (await (o.config ?? o.secrets).get(name))?.value || undefined;

/**
 * The bucket-triggered handler's configuration from Psoxy's settings: the default transform to
 * `OUTPUT_BUCKET` under `OUTPUT_BASE_PATH` with `RULES` (else the connector's bulk rules), then
 * each `ADDITIONAL_TRANSFORMS` entry; the pseudonymizer from the secrets. Every problem is a
 * ConfigError, raised before any object is read.
 */
export async function composeBulk(o: ComposeBulkOptions): Promise<BulkHandlerConfig> {
  const problems: string[] = [];
  const settings = proxySettingsFromEnv(o.env);
  const output = o.env.OUTPUT_BUCKET;
  if (!output) problems.push('OUTPUT_BUCKET is not set: name the bucket sanitized files are written to');
  const compressOutputAlways = envBool(o.env, 'COMPRESS_OUTPUT_ALWAYS', true, problems);
  const format = o.env.BULK_OUTPUT_FORMAT ? envChoice(o.env, 'BULK_OUTPUT_FORMAT', OUTPUT_FORMATS, 'NDJSON', problems) : undefined;
  const rulesText = await read(o, 'RULES');
  let rules: BulkRules | undefined;
  try {
    if (rulesText) rules = loadBulkRules(rulesText, { source: 'RULES' });
    else if (o.connector?.bulkRules) rules = o.connector.bulkRules;
    else
      problems.push(
        o.connector
          ? `RULES is not set and connector ${o.connector.id} has no bulk rules`
          : 'RULES is not set: give the bulk rules (YAML, or base64 of gzip of YAML)',
      );
  } catch (e) {
    problems.push((e as Error).message);
  }
  const extraText = await read(o, 'ADDITIONAL_TRANSFORMS');
  const transforms: BulkTransform[] = [];
  if (rules && output) transforms.push({ destinationBucketName: output, pathWithinBucket: o.env.OUTPUT_BASE_PATH || undefined, rules });
  try {
    if (extraText) transforms.push(...parseAdditionalTransforms(extraText, { source: 'ADDITIONAL_TRANSFORMS' }));
  } catch (e) {
    problems.push((e as Error).message);
  }
  const clash = clashingDestinations(transforms);
  if (clash) problems.push(clash);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    instanceId: o.instanceId,
    inputBasePath: o.env.INPUT_BASE_PATH || undefined,
    compressOutputAlways,
    outputFormat: format,
    transforms,
    pseudonymizer: await pseudonymizerFromSecrets(o.secrets, settings),
    rulesText,
    version: PSOXY_TS_VERSION,
    warn: o.log ? (message) => o.log?.warn(message) : undefined,
  };
}
