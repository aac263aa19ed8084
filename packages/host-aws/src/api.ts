import type { ProxyHandler, RequestInfo } from '@psoxy/core';
import { type HttpEvent, type HttpEventV1, type HttpEventV2, type HttpResultV1, type HttpResultV2, isV2 } from './events.js';

/** Media types whose bodies go back as text; anything else (gzip included) as base64. */
const TEXT = /^(application\/(json|x-ndjson|[\w.+-]*\+json)|text\/)/i;

function requestBody(body: string | null | undefined, base64: boolean | undefined): Buffer | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** `/prefix` of a proxy route (`ANY /gcal/{proxy+}`, `/gcal/{proxy+}`): what the gateway adds before the connector's path. */
function routePrefix(route: string | undefined): string {
  const path = route?.split(' ').pop() ?? '';
  const at = path.indexOf('/{proxy+}');
  return at > 0 ? path.slice(0, at) : '';
}

/** The connector's path: the gateway's stage and route prefix removed, as Psoxy's adapters do. */
function connectorPath(raw: string, stage: string | undefined, route: string | undefined): string {
  let path = raw;
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) path = path.slice(stage.length + 1) || '/';
  const prefix = routePrefix(route);
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) path = path.slice(prefix.length) || '/';
  return path;
}

const firstForwarded = (headers: Headers) => headers.get('x-forwarded-for')?.split(',')[0]?.trim() || undefined;

/** A v2 event as a Web request: the raw path and query exactly as the caller sent them. */
function fromV2(e: HttpEventV2): { request: Request; info: RequestInfo } {
  const headers = new Headers();
  for (const [k, v] of Object.entries(e.headers ?? {})) if (v !== undefined) headers.set(k, v);
  if (e.cookies?.length) headers.set('cookie', e.cookies.join('; '));
  const host = e.requestContext.domainName ?? headers.get('host') ?? 'lambda.invalid';
  const path = connectorPath(e.rawPath, e.requestContext.stage, e.requestContext.routeKey ?? e.routeKey);
  const target = `${path}${e.rawQueryString ? `?${e.rawQueryString}` : ''}`;
  const method = e.requestContext.http.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : requestBody(e.body, e.isBase64Encoded);
  return {
    request: new Request(`https://${host}${target}`, { method, headers, body }),
    info: { rawTarget: target, clientIp: e.requestContext.http.sourceIp ?? firstForwarded(headers) },
  };
}

/**
 * A v1 event as a Web request. API Gateway hands over the query already decoded; it is encoded
 * again (every value, so the rules see exactly one, canonical form).
 */
function fromV1(e: HttpEventV1): { request: Request; info: RequestInfo } {
  const headers = new Headers();
  for (const [k, vs] of Object.entries(e.multiValueHeaders ?? {})) for (const v of vs ?? []) headers.append(k, v);
  for (const [k, v] of Object.entries(e.headers ?? {})) if (v !== undefined && !headers.has(k)) headers.set(k, v);
  const params: string[] = [];
  const multi = e.multiValueQueryStringParameters ?? {};
  for (const [k, vs] of Object.entries(multi)) for (const v of vs ?? []) params.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  for (const [k, v] of Object.entries(e.queryStringParameters ?? {})) if (v !== undefined && !(k in multi)) params.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const path = connectorPath(e.path, e.requestContext?.stage, e.resource);
  const target = `${path}${params.length ? `?${params.join('&')}` : ''}`;
  const host = e.requestContext?.domainName ?? headers.get('host') ?? 'lambda.invalid';
  const method = e.httpMethod.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : requestBody(e.body, e.isBase64Encoded);
  return {
    request: new Request(`https://${host}${target}`, { method, headers, body }),
    info: { rawTarget: target, clientIp: e.requestContext?.identity?.sourceIp ?? firstForwarded(headers) },
  };
}

async function responseBody(res: Response): Promise<{ body: string; isBase64Encoded: boolean }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const text = !res.headers.get('content-encoding') && (bytes.length === 0 || TEXT.test(type));
  return text ? { body: bytes.toString('utf8'), isBase64Encoded: false } : { body: bytes.toString('base64'), isBase64Encoded: true };
}

/**
 * The Lambda handler for HTTP events (Function URLs, API Gateway HTTP and REST APIs) around a
 * proxy handler: the event becomes a Web `Request`, the `Response` becomes the event's result,
 * bodies base64 both ways where they are not text.
 */
export function lambdaApiHandler(proxy: ProxyHandler): (event: HttpEvent) => Promise<HttpResultV1 | HttpResultV2> {
  return async (event) => {
    const v2 = isV2(event);
    let converted: { request: Request; info: RequestInfo };
    try {
      converted = v2 ? fromV2(event) : fromV1(event as HttpEventV1);
    } catch (e) {
      // a request Lambda accepted but a URL cannot express: refuse it, say why
      const body = JSON.stringify({ error: 'INVALID_REQUEST', message: (e as Error).message });
      return v2 ? { statusCode: 400, headers: { 'content-type': 'application/json' }, body, isBase64Encoded: false } : { statusCode: 400, multiValueHeaders: { 'content-type': ['application/json'] }, body, isBase64Encoded: false };
    }
    const res = await proxy(converted.request, converted.info);
    const { body, isBase64Encoded } = await responseBody(res);
    if (v2) {
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        if (k !== 'set-cookie') headers[k] = v;
      });
      const cookies = res.headers.getSetCookie();
      return { statusCode: res.status, headers, ...(cookies.length ? { cookies } : {}), body, isBase64Encoded };
    }
    const multiValueHeaders: Record<string, string[]> = {};
    res.headers.forEach((v, k) => {
      multiValueHeaders[k] = k === 'set-cookie' ? res.headers.getSetCookie() : [v];
    });
    return { statusCode: res.status, multiValueHeaders, body, isBase64Encoded };
  };
}
