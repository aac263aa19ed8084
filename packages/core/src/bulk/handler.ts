import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import type { RecordFormat } from './record-io.js';
import type { BulkRules } from './rules.js';
import { sanitizeBulk } from './sanitize-bulk.js';
import type { ByteSource } from './text-input.js';

/** An object in a bucket (a cloud bucket, or a local folder standing in for one). */
export interface StoredObject {
  bucket: string;
  key: string;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  metadata: Record<string, string>;
}

/** What a bulk handler needs from a bucket service; hosts implement it for S3, GCS, folders. */
export interface ObjectStore {
  head(bucket: string, key: string): Promise<StoredObject>;
  read(bucket: string, key: string): ByteSource;
  /**
   * Writes an object from a stream. Atomic: if `body` fails, nothing is left at `key` (a local
   * store writes a temporary file and renames it; a cloud store aborts the upload).
   */
  write(
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array>,
    meta: { contentType: string; contentEncoding?: string | undefined; metadata: Record<string, string> },
  ): Promise<void>;
}

/** One output of a bulk object: Psoxy's default transform or an `ADDITIONAL_TRANSFORMS` entry. */
export interface BulkTransform {
  destinationBucketName: string;
  pathWithinBucket?: string | undefined;
  rules: BulkRules;
  compressOutput?: boolean | undefined;
}

export interface BulkHandlerConfig {
  /** This instance's id, written into outputs' metadata and checked to skip our own outputs. */
  instanceId: string;
  /** `INPUT_BASE_PATH`: removed from the key (every occurrence, as Java's `String.replace`). */
  inputBasePath?: string | undefined;
  /** `COMPRESS_OUTPUT_ALWAYS` (default true). */
  compressOutputAlways?: boolean | undefined;
  /** `BULK_OUTPUT_FORMAT`. */
  outputFormat?: RecordFormat | undefined;
  /** The default transform first, then the additional ones (lookup tables). */
  transforms: BulkTransform[];
  pseudonymizer: Pseudonymizer;
  /** The raw `RULES` text, for `psoxy-rules-sha`. */
  rulesText?: string | undefined;
  version: string;
  shuffle?: boolean | undefined;
  /** Where what Psoxy only logs goes (a column the rules name that a file lacks). */
  warn?: ((message: string) => void) | undefined;
}

export interface BulkOutcome {
  skipped?: string;
  outputs: { bucket: string; key: string; compressed: boolean }[];
}

export const INSTANCE_ID_METADATA = 'psoxy-instance-id';
const GENERIC_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'application/octet-stream', 'binary/octet-stream']);

/** Psoxy's content type of an output: the object's own unless generic, else from the extension. */
export function contentTypeFor(key: string, given?: string): string {
  const g = given?.trim();
  if (g && !GENERIC_CONTENT_TYPES.has(g.toLowerCase().split(';')[0] as string)) return g;
  const k = key.toLowerCase().replace(/\.gz$/, '');
  if (k.endsWith('.ndjson') || k.endsWith('.jsonl')) return 'application/x-ndjson';
  if (k.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (k.endsWith('.json')) return 'application/json';
  if (k.endsWith('.parquet')) return 'application/vnd.apache.parquet';
  return g || 'application/octet-stream';
}

/** Output key: `pathWithinBucket + sourceKey.replace(INPUT_BASE_PATH, "")`; the file name is kept. */
export function destinationKey(sourceKey: string, inputBasePath: string | undefined, pathWithinBucket: string | undefined): string {
  const stripped = inputBasePath ? sourceKey.replaceAll(inputBasePath, '') : sourceKey;
  return (pathWithinBucket ?? '') + stripped;
}

async function* encode(text: AsyncIterable<string>, gzip: boolean): AsyncGenerator<Uint8Array> {
  const utf8 = async function* () {
    for await (const s of text) yield Buffer.from(s, 'utf8');
  };
  if (!gzip) {
    yield* utf8();
    return;
  }
  // pipeline, not pipe: a failure of the source must reach the reader of the gzip stream
  const z = createGzip();
  const done = pipeline(Readable.from(utf8()), z);
  done.catch(() => {});
  for await (const c of z) yield c as Uint8Array;
  await done;
}

/**
 * Psoxy's `StorageHandler` for one created object: skip our own outputs, then for each transform
 * read, sanitize and write the object to its destination, with Psoxy's metadata. A failure
 * writes nothing for that transform and is thrown.
 */
export async function handleBulkObject(store: ObjectStore, config: BulkHandlerConfig, bucket: string, key: string): Promise<BulkOutcome> {
  const object = await store.head(bucket, key);
  if (object.metadata[INSTANCE_ID_METADATA] === config.instanceId) {
    return { skipped: `${bucket}/${key} was written by this instance`, outputs: [] };
  }
  const sourceCompressed = object.contentEncoding?.toLowerCase() === 'gzip' || key.toLowerCase().endsWith('.gz');
  const metadata: Record<string, string> = {
    [INSTANCE_ID_METADATA]: config.instanceId,
    'psoxy-version': config.version,
    'psoxy-original-object-key': `${bucket}/${key}`,
    'psoxy-rules-sha': config.rulesText === undefined ? 'unknown' : createHash('sha1').update(config.rulesText).digest('hex'),
  };
  metadata['psoxy-salt-sha'] = config.pseudonymizer.saltFingerprint;
  const outputs: BulkOutcome['outputs'] = [];
  for (const t of config.transforms) {
    const compressed = t.compressOutput ?? (sourceCompressed || config.compressOutputAlways !== false);
    const outKey = destinationKey(key, config.inputBasePath, t.pathWithinBucket);
    const text = sanitizeBulk(store.read(bucket, key), {
      rules: t.rules,
      objectPath: key,
      pseudonymizer: config.pseudonymizer,
      contentType: object.contentType,
      outputFormat: config.outputFormat,
      shuffle: config.shuffle,
      warn: config.warn,
    });
    await store.write(t.destinationBucketName, outKey, encode(text, compressed), {
      contentType: contentTypeFor(key, object.contentType),
      // Psoxy copies the source's encoding onto an uncompressed output; that mislabels it
      contentEncoding: compressed ? 'gzip' : undefined,
      metadata,
    });
    outputs.push({ bucket: t.destinationBucketName, key: outKey, compressed });
  }
  return { outputs };
}

/**
 * Two transforms that would write the same object (same bucket, same path within it): one output
 * would replace the other, perhaps a redacted file with a less redacted one. A description of the
 * clash, or undefined.
 */
export function clashingDestinations(transforms: readonly BulkTransform[]): string | undefined {
  const seen = new Set<string>();
  for (const t of transforms) {
    const key = `${t.destinationBucketName}\u0000${(t.pathWithinBucket ?? '').replace(/^\/+|\/+$/g, '')}`;
    if (seen.has(key)) return `two transforms write to ${t.destinationBucketName}${t.pathWithinBucket ? ` under ${t.pathWithinBucket}` : ''}: one output would overwrite the other; give each its own bucket or pathWithinBucket`;
    seen.add(key);
  }
  return undefined;
}
