export * from './logger.js';
export * from './secrets.js';
export * from './lease.js';
export { serveNode, type NodeServer } from './node-server.js';
export { nodeHttpFetch, type NodeHttpFetchOptions } from './node-fetch.js';
