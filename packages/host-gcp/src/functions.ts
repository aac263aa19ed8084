import type { ServerResponse } from 'node:http';
import {
  type BulkOutcome,
  buildOnce,
  ConfigError,
  type Connector,
  type HttpClient,
  type Lease,
  type Logger,
  type ObjectStore,
  type SecretStore,
  composeBulk,
  composeProxy,
  layeredSecrets,
  nodeHttpClient,
  secretPrefix,
  startupFailureExchange,
} from '@psoxy/core';
import { type GoogleCredentials, applicationDefault } from './credentials.js';
import { GcsObjectStore } from './gcs.js';
import { GcsResponseOutput } from './outputs.js';
import { GoogleIdTokenVerifier, PubSubDispatcher, type PubSubPush, topicPath } from './pubsub.js';
import { type GcsCloudEvent, gcsBulkHandler } from './gcs-event.js';
import { endpointFromEnv } from './google-api.js';
import { type GcpHttpFunction, type GcpHttpRequest, gcpHttpFunction } from './http.js';
import { gcpLogger } from './log.js';
import { SecretManagerStore } from './secret-manager.js';
import { SecretManagerLease } from './secret-manager-lease.js';

type Env = Record<string, string | undefined>;

/** How to reach Secret Manager; what is not given comes from Application Default Credentials. */
export interface SecretManagerSettings {
  project?: string | undefined;
  accessToken?: (() => Promise<string>) | undefined;
  fetch?: typeof fetch | undefined;
  endpoint?: string | undefined;
}

/**
 * The instance namespace of the secrets: `PATH_TO_INSTANCE_CONFIG`, else the function's name
 * (`K_SERVICE`, `psoxy-gcal` → `PSOXY_GCAL_`) as Psoxy's GCP module derives it, else the connector's.
 */
export function instanceNamespace(env: Env, connector: Connector | undefined): string {
  if (env.PATH_TO_INSTANCE_CONFIG !== undefined) return env.PATH_TO_INSTANCE_CONFIG;
  if (env.K_SERVICE) return `${env.K_SERVICE.toUpperCase().replace(/-/g, '_')}_`;
  return connector ? secretPrefix(connector.id) : 'PSOXY_';
}

/**
 * Psoxy's secret lookup on GCP: Secret Manager under the instance namespace, then the shared one
 * (`PATH_TO_SHARED_CONFIG`, default `psoxy_`, where `PSOXY_SALT` lives), then the environment;
 * leases on the instance namespace (a token refresh re-reads past the caches after taking one,
 * since another instance may have written meanwhile).
 */
export async function gcpSecrets(
  env: Env,
  connector: Connector | undefined,
  settings: SecretManagerSettings = {},
  log?: Logger,
  credentials: GoogleCredentials = applicationDefault(env),
): Promise<{ secrets: SecretStore; lease: Lease; instance: string; instanceSecrets: SecretStore }> {
  const access = {
    project: settings.project ?? (await credentials.project()),
    accessToken: settings.accessToken ?? credentials.accessToken,
    fetch: settings.fetch,
    endpoint: settings.endpoint ?? endpointFromEnv(env, 'SECRET_MANAGER_ENDPOINT'),
  };
  const instance = instanceNamespace(env, connector);
  const shared = env.PATH_TO_SHARED_CONFIG ?? 'psoxy_';
  const secrets = layeredSecrets((prefix, cacheTtlMs) => new SecretManagerStore({ ...access, prefix, cacheTtlMs, log }), instance, shared, env);
  return { secrets, lease: new SecretManagerLease({ ...access, prefix: instance }), instance, instanceSecrets: new SecretManagerStore({ ...access, prefix: instance, log }) };
}

/**
 * While the proxy cannot start: a 500 naming the problem (the next request tries again); a health
 * check gets its 412, as Psoxy's.
 */
async function startupFailureAnswer(req: GcpHttpRequest, res: ServerResponse, e: unknown, log: Logger): Promise<void> {
  log.error('psoxy could not start', { reason: (e as Error).message });
  await gcpHttpFunction(startupFailureExchange(e))(req, res);
}

export interface GcpApiOptions {
  /** The connector this function serves (bundled with it); without one, `RULES` and `TARGET_HOST` say all. */
  connector?: Connector | undefined;
  env?: Env | undefined;
  secretManager?: SecretManagerSettings | undefined;
  /** How the function calls the source and token endpoints (default: `nodeHttpClient()`). */
  http?: HttpClient | undefined;
  /** Tests only: a loopback http source. */
  allowInsecureTarget?: boolean | undefined;
  log?: Logger | undefined;
  /** Where side outputs (`SIDE_OUTPUT_*`, `gs://…`) are written (default: Cloud Storage with Application Default Credentials). */
  storage?: ObjectStore | undefined;
  /**
   * The asynchronous mode's Pub/Sub (default: `PUBSUB_EMULATOR_HOST` or Google's, with Application
   * Default Credentials), and the service account its push subscription signs tokens as (default:
   * this function's, which Psoxy's Terraform gives the subscription).
   */
  pubsub?:
    | { endpoint?: string | undefined; accessToken?: (() => Promise<string>) | undefined; project?: string | undefined; pushServiceAccount?: string | undefined }
    | undefined;
  /** Verifies the ID tokens of Pub/Sub pushes (default: against Google's signing certificates). */
  idTokens?: GoogleIdTokenVerifier | undefined;
}

/**
 * On Cloud Run (which sets `K_REVISION`; a local functions-framework does not), a function starts
 * building while the instance starts up, under Cloud Run's startup CPU boost, rather than on the
 * first request (as the AWS host does in Lambda's init phase).
 */
const onCloudRun = (env: Env): boolean => Boolean(env.K_REVISION);

/**
 * The HTTP function of an API connector, as Psoxy deploys it on Cloud Run functions:
 * configuration from the environment (Psoxy's names), secrets from Secret Manager (instance
 * namespace, shared namespace, then the environment), token refreshes leased through Secret
 * Manager, `/<K_SERVICE>` accepted as a path prefix. Built once per instance: on Cloud Run
 * (`K_REVISION` set) as soon as the function is created, elsewhere on the first request; while it
 * cannot be built, each request gets a 500 saying why, and tries again.
 */
export function createGcpApiFunction(o: GcpApiOptions = {}): GcpHttpFunction {
  const env = o.env ?? process.env;
  const log = o.log ?? gcpLogger();
  const ready = buildOnce(async () => {
    const credentials = applicationDefault(env);
    const { secrets, lease, instanceSecrets } = await gcpSecrets(env, o.connector, o.secretManager, log, credentials);
    let storage = o.storage;
    // Psoxy's asynchronous mode on GCP: requests queued in Pub/Sub, pushed back to this function
    const queue = env.ASYNC_PUB_SUB_QUEUE?.trim() || undefined;
    const destination = env.ASYNC_OUTPUT_DESTINATION?.trim() || undefined;
    if (queue && !destination) throw new ConfigError(['ASYNC_PUB_SUB_QUEUE is set, but ASYNC_OUTPUT_DESTINATION is not: set both for the asynchronous mode, or neither']);
    let push: PubSubPush | undefined;
    let asyncDispatcher: PubSubDispatcher | undefined;
    if (queue) {
      const project = o.pubsub?.project ?? o.secretManager?.project ?? (await credentials.project());
      let topic: string;
      try {
        topic = topicPath(queue, project);
      } catch (e) {
        throw new ConfigError([(e as Error).message]);
      }
      // the audience of the push subscription's tokens: this function's URL, which Psoxy's Terraform
      // can only know after deploying it, so keeps as a secret of this instance (never the shared
      // namespace: functions would accept each other's pushes)
      const audience = ((await instanceSecrets.get('SERVICE_URL'))?.value ?? env.SERVICE_URL)?.trim();
      if (!audience) throw new ConfigError(["ASYNC_PUB_SUB_QUEUE is set, but SERVICE_URL (this function's URL, the audience of Pub/Sub's push tokens) is not among this function's secrets or in the environment"], ['SERVICE_URL']);
      // who signs the pushes: the subscription's service account (Psoxy's Terraform: the function's own)
      const signer = o.pubsub?.pushServiceAccount ?? (await credentials.serviceAccountEmail());
      asyncDispatcher = new PubSubDispatcher({ accessToken: o.pubsub?.accessToken ?? credentials.accessToken, endpoint: o.pubsub?.endpoint ?? endpointFromEnv(env, 'PUBSUB_EMULATOR_HOST') }, topic);
      push = { verifier: o.idTokens ?? new GoogleIdTokenVerifier(), audience, serviceAccount: signer, log };
    }
    const { handler } = await composeProxy({
      asyncDispatcher,
      // Psoxy's side outputs, in Cloud Storage (made only when a SIDE_OUTPUT_* setting names one)
      output: (uri) => {
        storage ??= new GcsObjectStore({ accessToken: credentials.accessToken, endpoint: endpointFromEnv(env, 'STORAGE_EMULATOR_HOST') });
        return new GcsResponseOutput(uri, storage);
      },
      connector: o.connector,
      env,
      secrets,
      lease,
      http: o.http ?? nodeHttpClient(),
      log,
      allowInsecureTarget: o.allowInsecureTarget,
      functionName: env.K_SERVICE,
    });
    return gcpHttpFunction(handler.exchange, { push });
  }, { startNow: onCloudRun(env) });
  return async (req, res) => {
    let serve: GcpHttpFunction;
    try {
      serve = await ready();
    } catch (e) {
      await startupFailureAnswer(req, res, e, log);
      return;
    }
    await serve(req, res);
  };
}

export interface GcsBulkOptions {
  /** The connector whose bulk rules apply when `RULES` is not set. */
  connector?: Connector | undefined;
  env?: Env | undefined;
  /** Defaults to Cloud Storage with Application Default Credentials. */
  storage?: ObjectStore | undefined;
  secretManager?: SecretManagerSettings | undefined;
  log?: Logger | undefined;
}

/**
 * The CloudEvent function of a bulk connector, as Psoxy deploys it: each object finalized in the
 * input bucket is sanitized into `OUTPUT_BUCKET` (and the `ADDITIONAL_TRANSFORMS` destinations)
 * with `RULES` (env or Secret Manager, else the connector's bulk rules), the salt from the same
 * secret lookup as the API functions. Configuration is read once per instance.
 */
export function createGcsBulkFunction(o: GcsBulkOptions = {}): (event: GcsCloudEvent) => Promise<BulkOutcome> {
  const env = o.env ?? process.env;
  const log = o.log ?? gcpLogger();
  const ready = buildOnce(async () => {
    const credentials = applicationDefault(env);
    const { secrets } = await gcpSecrets(env, o.connector, o.secretManager, log, credentials);
    const config = await composeBulk({ connector: o.connector, env, secrets, instanceId: env.K_SERVICE ?? 'psoxy-bulk', log });
    const storage = o.storage ?? new GcsObjectStore({ accessToken: credentials.accessToken, endpoint: endpointFromEnv(env, 'STORAGE_EMULATOR_HOST') });
    return gcsBulkHandler(storage, config, log);
  }, { startNow: onCloudRun(env) });
  return async (event) => (await ready())(event);
}
