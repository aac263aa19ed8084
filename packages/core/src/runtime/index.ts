export * from './lease.js';
export * from './logger.js';
export { type NodeServer, serveNode } from './node-server.js';
export { type FirstReadRetry, GCP_PLACEHOLDER, ReadCache, secretValue } from './secret-cache.js';
export * from './secrets.js';
export { buildOnce } from './once.js';
export { FolderOutput, InProcessQueue, localFolder } from './local-outputs.js';
