import { type ObjectStore, type OutputMeta, type ResponseOutput, fitMetadata } from '@psoxy/core';

/** Cloud Storage allows 8 KiB of custom metadata per object. */
const GCS_METADATA_LIMIT = 8192;

/** `gs://bucket[/prefix]` as a bucket and a prefix ending with `/` (or empty). */
export function parseGsUri(uri: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(uri.trim());
  if (!m) throw new Error('expected a Cloud Storage URI, gs://<bucket>[/<prefix>]');
  const path = (m[2] ?? '').replace(/^\/+/, '');
  if (path.split('/').some((s) => s === '.' || s === '..')) throw new Error('the prefix may not hold . or .. segments');
  return { bucket: m[1] as string, prefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

/** A response output in Cloud Storage (Psoxy's side outputs on GCP), written by the bulk functions' object store. */
export class GcsResponseOutput implements ResponseOutput {
  readonly uri: string;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    uri: string,
    private readonly store: ObjectStore,
  ) {
    const { bucket, prefix } = parseGsUri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `gs://${bucket}/${prefix}`;
  }

  async write(key: string, body: Uint8Array, meta: OutputMeta): Promise<void> {
    await this.store.write(
      this.bucket,
      `${this.prefix}${key}`,
      (async function* () {
        yield body;
      })(),
      { ...meta, metadata: fitMetadata(meta.metadata, GCS_METADATA_LIMIT).metadata },
    );
  }
}
