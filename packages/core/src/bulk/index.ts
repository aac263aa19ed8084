export { type ComposeBulkOptions, composeBulk } from './compose.js';
export { csvField, csvRecord } from './csv-write.js';
export { BulkDataError, NoApplicableRulesError } from './errors.js';
export { FolderStore, type FolderWatchOptions, listKeys, watchFolder } from './folder.js';
export {
  type BulkHandlerConfig,
  type BulkOutcome,
  type BulkTransform,
  contentTypeFor,
  destinationKey,
  clashingDestinations,
  handleBulkObject,
  INSTANCE_ID_METADATA,
  type ObjectStore,
  type StoredObject,
} from './handler.js';
export type { RecordFormat } from './record-io.js';
export { type AdditionalTransform, loadBulkRules, parseAdditionalTransforms } from './load.js';
export { checkBulkRules } from './describe.js';
export {
  type BulkRules,
  type ColumnarRules,
  columnarRulesSchema,
  type FieldTransform,
  RECORD_FORMATS,
  type RecordRules,
  type RecordTransform,
  recordRulesSchema,
  toBulkRules,
} from './rules.js';
export { resolveRecordFormat, type SanitizeBulkOptions, SHUFFLE_CHUNK_ROWS, sanitizeBulk } from './sanitize-bulk.js';
export { selectBulkRules } from './select.js';
export type { ByteSource } from './text-input.js';
