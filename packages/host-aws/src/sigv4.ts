import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 (header form) on `node:crypto`. Written here rather than taken from
 * aws4fetch because our need differs: aws4fetch signs with WebCrypto, whose first use costs ~10 ms
 * of a Lambda cold start (the API function's budget is 250 ms), while these synchronous HMACs cost
 * ~1 ms. The algorithm is AWS's published one; the tests check every signature against the AWS
 * SDK's own signer (`@smithy/signature-v4`).
 */

/** An access key, and the session token of temporary credentials (what Lambda gives a function's role). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SigV4Request {
  method: string;
  url: string;
  /** Headers to sign and send (any case); `host`, `x-amz-date` and the session token are added. */
  headers: Readonly<Record<string, string>>;
  body: string | Uint8Array;
}

export interface SigV4Scope {
  service: string;
  region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string | Uint8Array): string => (typeof data === 'string' ? createHash('sha256').update(data, 'utf8') : createHash('sha256').update(data)).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 percent-encoding as SigV4 wants it: everything but unreserved characters. */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of services other than S3: empty segments removed, then each segment of the
 * (already percent-encoded) path encoded again, as AWS's signers do. Dot segments never get here:
 * parsing the URL removed them.
 */
function canonicalPath(pathname: string): string {
  const segments = pathname.split('/').filter((s) => s !== '');
  const joined = `/${segments.join('/')}${segments.length > 0 && pathname.endsWith('/') ? '/' : ''}`;
  return uriEscape(joined).replace(/%2F/g, '/');
}

/** Query parameters sorted by encoded name, then value (both encoded). */
function canonicalQuery(search: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of search) pairs.push([uriEscape(k), uriEscape(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** `YYYYMMDDTHHMMSSZ`. */
function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Signs a request: returns the headers to send (the given ones lower-cased, plus `host`,
 * `x-amz-date`, `x-amz-security-token` with temporary credentials, `x-amz-content-sha256` for S3,
 * and `authorization`).
 * `keys` caches derived signing keys (four chained HMACs) by date, region, service and secret.
 */
export function signV4(req: SigV4Request, creds: AwsCredentials, scope: SigV4Scope, now: Date, keys?: Map<string, Buffer>): Record<string, string> {
  const url = new URL(req.url);
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  headers['x-amz-date'] = date;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const payloadHash = sha256Hex(req.body);
  // S3 signs the payload's hash as a header too, and its paths as sent (encoded once, slashes kept)
  const s3 = scope.service === 's3';
  if (s3) headers['x-amz-content-sha256'] = payloadHash;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] as string).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method.toUpperCase(), s3 ? url.pathname : canonicalPath(url.pathname), canonicalQuery(url.searchParams), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${date}\n${credentialScope}\n${sha256Hex(canonicalRequest)}`;
  const cacheKey = `${day}/${scope.region}/${scope.service}/${creds.accessKeyId}/${sha256Hex(creds.secretAccessKey)}`;
  let key = keys?.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), scope.region), scope.service), 'aws4_request');
    if (keys) {
      // one entry per day and credentials is all a function needs; drop yesterday's
      if (keys.size >= 8) keys.clear();
      keys.set(cacheKey, key);
    }
  }
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
