// The whole proxy security suite again, with the proxy calling sources through Node's built-in
// fetch (fetchHttpClient, what an application embedding the proxy may pass) instead of the
// node:http client the hosts use.
import { fetchHttpClient } from '../../src/http/index.js';
import { useUpstreamHttp } from './harness.js';

useUpstreamHttp(fetchHttpClient(globalThis.fetch));
await import('./security.test.js');
