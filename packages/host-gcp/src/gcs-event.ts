import { type BulkHandlerConfig, type BulkOutcome, type Logger, NoApplicableRulesError, type ObjectStore, handleBulkObject, silentLogger } from '@psoxy/core';

/** The CloudEvent type Eventarc delivers when an object is created (or overwritten) in a bucket. */
export const OBJECT_FINALIZED = 'google.cloud.storage.object.v1.finalized';

/** The parts of a Cloud Storage `StorageObjectData` the handler reads. */
export interface StorageObjectData {
  bucket: string;
  name: string;
  contentType?: string;
  generation?: string;
  metageneration?: string;
}

/** The parts of a CloudEvent (as functions-framework's `cloudEvent` hands it over) the handler reads. */
export interface GcsCloudEvent {
  type: string;
  id?: string;
  source?: string;
  subject?: string;
  data?: StorageObjectData;
}

/**
 * The bucket-triggered bulk handler for a CloudEvent function: each object finalized in the
 * input bucket is sanitized to the output bucket and the lookup-table outputs. Other events are
 * skipped with the reason; a failure throws, naming the object, so the invocation is reported as
 * failed (the output that failed was not written).
 */
export function gcsBulkHandler(store: ObjectStore, config: BulkHandlerConfig, log: Logger = silentLogger): (event: GcsCloudEvent) => Promise<BulkOutcome> {
  return async (event) => {
    if (event.type !== OBJECT_FINALIZED || !event.data?.bucket || !event.data.name) {
      const skipped = event.type !== OBJECT_FINALIZED ? `event type ${event.type} is not ${OBJECT_FINALIZED}` : `event ${event.id ?? ''} names no object`;
      log.info('bulk event ignored', { reason: skipped });
      return { skipped, outputs: [] };
    }
    const { bucket, name } = event.data;
    try {
      const outcome = await handleBulkObject(store, config, bucket, name);
      if (outcome.skipped) log.info('bulk object skipped', { reason: outcome.skipped });
      else log.info('bulk object sanitized', { object: `gs://${bucket}/${name}`, outputs: outcome.outputs.map((o) => `gs://${o.bucket}/${o.key}`).join(' ') });
      return outcome;
    } catch (e) {
      // as Psoxy on GCP: an object no rules apply to is skipped (on AWS it is an error)
      if (e instanceof NoApplicableRulesError) {
        log.info('bulk object skipped', { reason: e.message });
        return { skipped: e.message, outputs: [] };
      }
      throw new Error(`could not sanitize gs://${bucket}/${name}: ${(e as Error).message}`, { cause: e });
    }
  };
}
