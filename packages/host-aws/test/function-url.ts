import type { HttpEventV2 } from '../src/index.js';

/** A Lambda Function URL GET event (payload 2.0) for `path` and the raw query, as the service sends it. */
export function functionUrlGet(path: string, rawQueryString = ''): HttpEventV2 {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString,
    headers: { host: 'x.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https' },
    isBase64Encoded: false,
    requestContext: { domainName: 'x.lambda-url.us-east-1.on.aws', http: { method: 'GET', sourceIp: '203.0.113.7' } },
  };
}
