/**
 * @psoxy/host-gcp: psoxy on Google Cloud Run functions (gen2).
 * @module
 */
export { gcpHttpFunction, clientIp, type GcpHttpFunction, type GcpHttpRequest } from './http.js';
export {
  createGcpApiFunction,
  createGcsBulkFunction,
  gcpSecrets,
  instanceNamespace,
  type GcpApiOptions,
  type GcsBulkOptions,
  type SecretManagerSettings,
} from './functions.js';
export { SecretManagerStore, LATEST_VERSION_LABEL, type SecretManagerStoreOptions } from './secret-manager.js';
export { SecretManagerLease, LOCK_LABEL, lockSecretId, type SecretManagerLeaseOptions } from './secret-manager-lease.js';
export type { SecretManagerAccess } from './secret-manager-api.js';
export { GcsObjectStore, type GcsObjectStoreOptions } from './gcs.js';
export { gcsBulkHandler, OBJECT_FINALIZED, type GcsCloudEvent, type StorageObjectData } from './gcs-event.js';
export { GoogleApiError, type GoogleApiAccess } from './google-api.js';
export { applicationDefault, type GoogleCredentials } from './credentials.js';
export { gcpLogger } from './log.js';
export { GcsResponseOutput, parseGsUri } from './outputs.js';
export { GoogleIdTokenVerifier, PubSubDispatcher, handlePubSubPush, isPubSubPush, topicPath, type PubSubPush } from './pubsub.js';
