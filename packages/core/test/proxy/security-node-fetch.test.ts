// The whole proxy security suite again, with the proxy calling sources through nodeHttpFetch (the
// fast node:http fetch hosts may pass in) instead of Node's built-in fetch.
import { nodeHttpFetch } from '../../src/runtime/index.js';
import { useUpstreamFetch } from './harness.js';

useUpstreamFetch(nodeHttpFetch());
await import('./security.test.js');
