export * from './types.js';
export { type NodeHttpClientOptions, nodeHttpClient } from './node-client.js';
export { fetchHttpClient } from './fetch-client.js';
