export {
  type BulkRules,
  type ColumnarRules,
  type RecordRules,
  type FieldTransform,
  type RecordTransform,
  RECORD_FORMATS,
  columnarRulesSchema,
  recordRulesSchema,
  loadBulkRules,
  toBulkRules,
  parseAdditionalTransforms,
  type AdditionalTransform,
} from './rules.js';
export { BulkDataError } from './errors.js';
export { selectBulkRules } from './select.js';
export { sanitizeBulk, resolveRecordFormat, SHUFFLE_CHUNK_ROWS, type SanitizeBulkOptions } from './sanitize-bulk.js';
export type { ByteSource } from './text-input.js';
export type { RecordFormat } from './record-io.js';
export { csvField, csvRecord } from './csv-write.js';
export {
  handleBulkObject,
  destinationKey,
  contentTypeFor,
  INSTANCE_ID_METADATA,
  type ObjectStore,
  type StoredObject,
  type BulkTransform,
  type BulkHandlerConfig,
  type BulkOutcome,
} from './handler.js';
export { FolderStore, listKeys, watchFolder, type FolderWatchOptions } from './folder.js';
