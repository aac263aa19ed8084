import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type BulkHandlerConfig, type BulkOutcome, type ObjectStore, type StoredObject, handleBulkObject } from '@psoxy/core';
import { Readable } from 'node:stream';

/** S3 as the bulk handler's object store. */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async head(bucket: string, key: string): Promise<StoredObject> {
    const h = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { bucket, key, contentType: h.ContentType, contentEncoding: h.ContentEncoding, metadata: h.Metadata ?? {} };
  }

  read(bucket: string, key: string): AsyncIterable<Uint8Array> {
    const s3 = this.s3;
    return (async function* () {
      const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!o.Body) return;
      for await (const chunk of o.Body as Readable) yield chunk as Uint8Array;
    })();
  }

  /**
   * Streams an object up (multipart for large outputs). If the body fails, the upload is aborted
   * and nothing appears at `key`: S3 shows an object only once the upload completes.
   */
  async write(bucket: string, key: string, body: AsyncIterable<Uint8Array>, meta: { contentType: string; contentEncoding?: string | undefined; metadata: Record<string, string> }): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      leavePartsOnError: false,
      params: { Bucket: bucket, Key: key, Body: Readable.from(body), ContentType: meta.contentType, ContentEncoding: meta.contentEncoding, Metadata: meta.metadata },
    });
    await upload.done();
  }
}

/** The parts of an S3 event notification the handler reads. */
export interface S3Event {
  Records: { eventName?: string; s3: { bucket: { name: string }; object: { key: string } } }[];
}

/** S3 notifications URL-encode keys, with `+` for a space. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

/**
 * The bucket-triggered bulk handler: every record of the event (Psoxy reads only the first),
 * each object sanitized to the output bucket and the lookup-table outputs. A failing object does
 * not stop the others; the handler then throws, listing them, so that Lambda reports the failure.
 */
export function s3BulkHandler(s3: S3Client, config: BulkHandlerConfig): (event: S3Event) => Promise<BulkOutcome[]> {
  const store = new S3ObjectStore(s3);
  return async (event) => {
    const outcomes: BulkOutcome[] = [];
    const failures: string[] = [];
    for (const r of event.Records ?? []) {
      const bucket = r.s3.bucket.name;
      const key = decodeS3Key(r.s3.object.key);
      try {
        outcomes.push(await handleBulkObject(store, config, bucket, key));
      } catch (e) {
        failures.push(`${bucket}/${key}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(`could not sanitize ${failures.length} object(s); nothing was written for them:\n  ${failures.join('\n  ')}`);
    return outcomes;
  };
}
