export * from './types.js';
export { type NodeHttpClientOptions, headerMapOf, nodeHttpClient } from './node-client.js';
export { fetchHttpClient } from './fetch-client.js';
