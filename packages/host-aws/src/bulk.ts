import { S3Client } from '@aws-sdk/client-s3';
import { type BulkOutcome, type Connector, buildOnce, composeBulk, nodeHttpClient, streamLogger } from '@psoxy/core';
import { type S3Event, s3BulkHandler } from './s3.js';
import type { AwsJsonClient } from './aws-json.js';
import { inLambda } from './lambda-env.js';
import { awsSecrets } from './secrets.js';

export interface S3BulkOptions {
  /** The connector whose bulk rules apply when `RULES` is not set. */
  connector?: Connector;
  env?: Record<string, string | undefined>;
  s3?: S3Client;
  /** SSM Parameter Store (default: from the environment Lambda sets). */
  ssm?: AwsJsonClient;
  secretsManager?: AwsJsonClient;
}

/**
 * The Lambda entry point of a bulk connector, as Psoxy deploys it: on each S3 event, every object
 * is sanitized into `OUTPUT_BUCKET` (and the `ADDITIONAL_TRANSFORMS` destinations) with `RULES`
 * (env or SSM, else the connector's bulk rules); the salt from the same secret lookup as the API
 * functions. Configuration is read once per container.
 */
export function createS3BulkHandler(o: S3BulkOptions = {}): (event: S3Event) => Promise<BulkOutcome[]> {
  const env = o.env ?? process.env;
  // In Lambda, start during the init phase (as the API function does): rules and salt are read
  // before the first event. A failure there is met, and retried, by that event.
  const ready = buildOnce(
    async () => {
      const log = streamLogger({ json: true });
      const { secrets, config: settings } = awsSecrets(env, o.connector, { ssm: o.ssm, secretsManager: o.secretsManager, http: nodeHttpClient(), log });
      const config = await composeBulk({ connector: o.connector, env, secrets, config: settings, instanceId: env.AWS_LAMBDA_FUNCTION_NAME ?? 'psoxy-bulk', log });
      return s3BulkHandler(o.s3 ?? new S3Client({}), config);
    },
    { startNow: inLambda(env) },
  );
  return async (event) => (await ready())(event);
}
