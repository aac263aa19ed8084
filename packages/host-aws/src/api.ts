import {
  type ExchangeHandler,
  type HeaderMap,
  type Logger,
  type ProxyRequest,
  type ProxyResponse,
  PROCESSING_CONTEXT_ATTRIBUTE,
  type QueuedRequest,
  callerOrigin,
  isOk,
  parseProcessingContext,
  requestFromQueue,
} from '@psoxy/core';
import { type HttpEvent, type HttpEventV1, type HttpEventV2, type HttpResultV1, type HttpResultV2, type SqsEvent, type SqsRecord, isV2 } from './events.js';

/** Media types whose bodies go back as text; anything else (gzip included) as base64. */
const TEXT = /^(application\/(json|x-ndjson|[\w.+-]*\+json)|text\/)/i;

function requestBody(body: string | null | undefined, base64: boolean | undefined): Buffer | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** `/prefix` of a proxy route (`ANY /gcal/{proxy+}`, `/gcal/{proxy+}`): what the gateway adds before the connector's path. */
function routePrefix(route: string | undefined): string {
  const path = route?.split(' ').pop() ?? '';
  if (!path.startsWith('/')) return ''; // `$default` (Function URLs)
  const at = path.indexOf('/{proxy+}');
  if (at > 0) return path.slice(0, at);
  // a route with no parameter (`ANY /gcal`, the shape Psoxy's adapter assumes) is the prefix
  // itself; one with another parameter names no fixed prefix
  return path.includes('{') || path === '/' ? '' : path.replace(/\/+$/, '');
}

/** The connector's path: the gateway's stage and route prefix removed, as Psoxy's adapters do. */
function connectorPath(raw: string, stage: string | undefined, route: string | undefined): string {
  let path = raw;
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) path = path.slice(stage.length + 1) || '/';
  const prefix = routePrefix(route);
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) path = path.slice(prefix.length) || '/';
  return path;
}

const firstForwarded = (headers: HeaderMap) => headers['x-forwarded-for']?.split(',')[0]?.trim() || undefined;

/** A v2 event as the proxy takes it: the raw path and query exactly as the caller sent them. */
function fromV2(e: HttpEventV2): ProxyRequest {
  const headers: HeaderMap = {};
  for (const [k, v] of Object.entries(e.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  if (e.cookies?.length) headers.cookie = e.cookies.join('; ');
  const path = connectorPath(e.rawPath, e.requestContext.stage, e.requestContext.routeKey ?? e.routeKey);
  const target = `${path}${e.rawQueryString ? `?${e.rawQueryString}` : ''}`;
  const method = e.requestContext.http.method.toUpperCase();
  return {
    method,
    target,
    headers,
    body: method === 'GET' || method === 'HEAD' ? null : (requestBody(e.body, e.isBase64Encoded) ?? null),
    clientIp: e.requestContext.http.sourceIp ?? firstForwarded(headers),
    origin: callerOrigin('https', e.requestContext.domainName ?? headers.host, 'lambda.invalid'),
    requestId: e.requestContext.requestId,
    receivedAt: e.requestContext.timeEpoch,
  };
}

/**
 * A v1 event as the proxy takes it. API Gateway hands over the query already decoded; it is
 * encoded again (every value, so the rules see exactly one, canonical form).
 */
function fromV1(e: HttpEventV1): ProxyRequest {
  const headers: HeaderMap = {};
  for (const [k, vs] of Object.entries(e.multiValueHeaders ?? {})) {
    if (!vs?.length) continue;
    const name = k.toLowerCase();
    headers[name] = headers[name] === undefined ? vs.join(', ') : `${headers[name]}, ${vs.join(', ')}`;
  }
  for (const [k, v] of Object.entries(e.headers ?? {})) if (v !== undefined && headers[k.toLowerCase()] === undefined) headers[k.toLowerCase()] = v;
  const params: string[] = [];
  const multi = e.multiValueQueryStringParameters ?? {};
  for (const [k, vs] of Object.entries(multi)) for (const v of vs ?? []) params.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  for (const [k, v] of Object.entries(e.queryStringParameters ?? {})) if (v !== undefined && !(k in multi)) params.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const path = connectorPath(e.path, e.requestContext?.stage, e.resource);
  const method = e.httpMethod.toUpperCase();
  return {
    method,
    target: `${path}${params.length ? `?${params.join('&')}` : ''}`,
    headers,
    body: method === 'GET' || method === 'HEAD' ? null : (requestBody(e.body, e.isBase64Encoded) ?? null),
    clientIp: e.requestContext?.identity?.sourceIp ?? firstForwarded(headers),
    origin: callerOrigin('https', e.requestContext?.domainName ?? headers.host, 'lambda.invalid'),
    requestId: e.requestContext?.requestId,
    receivedAt: e.requestContext?.requestTimeEpoch,
  };
}

function responseBody(res: ProxyResponse): { body: string; isBase64Encoded: boolean } {
  const bytes = res.body ? Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength) : Buffer.alloc(0);
  const text = !res.headers['content-encoding'] && (bytes.length === 0 || TEXT.test(res.headers['content-type'] ?? ''));
  return text ? { body: bytes.toString('utf8'), isBase64Encoded: false } : { body: bytes.toString('base64'), isBase64Encoded: true };
}

/** A queued message as the proxy processes it: psoxy-ts's queued request, or the HTTP event Psoxy (Java) queues. */
function queuedMessage(record: SqsRecord): ProxyRequest {
  const attribute = record.messageAttributes?.[PROCESSING_CONTEXT_ATTRIBUTE]?.stringValue;
  if (attribute === undefined) throw new Error(`the message has no ${PROCESSING_CONTEXT_ATTRIBUTE} attribute`);
  const context = parseProcessingContext(attribute);
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error('the message body is not JSON');
  }
  if (typeof body === 'object' && body !== null && 'requestContext' in body) {
    const e = body as HttpEvent;
    return { ...(isV2(e) ? fromV2(e) : fromV1(e as HttpEventV1)), processing: context };
  }
  return requestFromQueue(body as QueuedRequest, context);
}

/**
 * Processes an SQS batch of the asynchronous mode: each queued request is handled again and its
 * sanitized result written where its caller was told. If any fails, the invocation throws, listing
 * them, so that the queue delivers the batch again (and, after its retries, to its dead-letter
 * queue). Not a partial-batch answer: that is only honoured where the trigger enables
 * `ReportBatchItemFailures`, which Psoxy's Terraform does not, and without it the failed messages
 * would be deleted. Requests already written are written again, to the same keys.
 */
export async function processQueuedRecords(proxy: ExchangeHandler, event: SqsEvent, log?: Logger): Promise<{ batchItemFailures: [] }> {
  // the records of a batch (10 at most, as Psoxy's trigger sends them) are processed together: one
  // after another, a few slow sources would outlast the function's timeout
  const outcomes = await Promise.all(
    event.Records.map(async (record): Promise<string | undefined> => {
      let res: ProxyResponse;
      try {
        res = await proxy(queuedMessage(record));
      } catch (e) {
        return `${record.messageId}: ${(e as Error).message}`;
      }
      return isOk(res.status) ? undefined : `${record.messageId}: ${res.status} ${res.headers['x-psoxy-error'] ?? ''}`.trim();
    }),
  );
  const failures = outcomes.filter((f): f is string => f !== undefined);
  if (failures.length > 0) {
    log?.error('queued requests failed', { failed: failures.length, of: event.Records.length });
    throw new Error(`${failures.length} of ${event.Records.length} queued request(s) failed; the batch will be delivered again:\n  ${failures.join('\n  ')}`);
  }
  return { batchItemFailures: [] };
}

const isSqsEvent = (event: unknown): event is SqsEvent => {
  const records = (event as { Records?: { eventSource?: string }[] }).Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r?.eventSource === 'aws:sqs');
};

/**
 * The Lambda handler for HTTP events (Function URLs, API Gateway HTTP and REST APIs) around the
 * proxy's plain-value handler: the event becomes a {@link ProxyRequest} (no Web `Request`, whose
 * first use loads undici, ~35 ms of a cold start), the answer the event's result, bodies base64
 * both ways where they are not text. With `queue` (the asynchronous mode), SQS batches of queued
 * requests are processed too.
 */
export function lambdaApiHandler(
  proxy: ExchangeHandler,
  opts: { queue?: boolean; log?: Logger } = {},
): (event: HttpEvent | SqsEvent) => Promise<HttpResultV1 | HttpResultV2 | { batchItemFailures: [] }> {
  return async (event) => {
    if (opts.queue && isSqsEvent(event)) return processQueuedRecords(proxy, event, opts.log);
    // Not an HTTP event: a queue's or a bucket's. Answering it would tell Lambda it was handled,
    // and the queue would drop it.
    const records = (event as { Records?: { eventSource?: string }[] }).Records;
    if (Array.isArray(records)) {
      throw new Error(
        `this function serves HTTP events only; it got ${records[0]?.eventSource ?? 'a non-HTTP'} records (a queue for the asynchronous mode needs ASYNC_OUTPUT_DESTINATION and ASYNC_API_REQUEST_QUEUE_URL set)`,
      );
    }
    const http = event as HttpEvent;
    const v2 = isV2(http);
    let request: ProxyRequest;
    try {
      request = v2 ? fromV2(http) : fromV1(http as HttpEventV1);
    } catch (e) {
      // an event this adapter cannot read: refuse it, say why
      const body = JSON.stringify({ error: 'INVALID_REQUEST', message: (e as Error).message });
      return v2 ? { statusCode: 400, headers: { 'content-type': 'application/json' }, body, isBase64Encoded: false } : { statusCode: 400, multiValueHeaders: { 'content-type': ['application/json'] }, body, isBase64Encoded: false };
    }
    const res = await proxy(request);
    const { body, isBase64Encoded } = responseBody(res);
    if (v2) return { statusCode: res.status, headers: { ...res.headers }, body, isBase64Encoded };
    const multiValueHeaders: Record<string, string[]> = {};
    for (const k of Object.keys(res.headers)) multiValueHeaders[k] = [res.headers[k] as string];
    return { statusCode: res.status, multiValueHeaders, body, isBase64Encoded };
  };
}
