/** The parts of Lambda's HTTP event shapes the adapter reads (AWS documents the full shapes). */

/** Function URL and API Gateway HTTP API events (payload format 2.0). */
export interface HttpEventV2 {
  version: '2.0';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  routeKey?: string;
  requestContext: { domainName?: string; stage?: string; routeKey?: string; requestId?: string; timeEpoch?: number; http: { method: string; sourceIp?: string } };
}

/** API Gateway REST API events (payload format 1.0). */
export interface HttpEventV1 {
  version?: '1.0';
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  resource?: string;
  requestContext?: { domainName?: string; stage?: string; requestId?: string; requestTimeEpoch?: number; identity?: { sourceIp?: string } };
}

export type HttpEvent = HttpEventV1 | HttpEventV2;

/** An SQS batch (the asynchronous mode's queue invokes the API function with these). */
export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsRecord {
  messageId: string;
  body: string;
  eventSource?: string;
  messageAttributes?: Record<string, { stringValue?: string; dataType?: string } | undefined>;
}

export interface HttpResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export interface HttpResultV1 {
  statusCode: number;
  multiValueHeaders: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export const isV2 = (e: HttpEvent): e is HttpEventV2 => (e as HttpEventV2).version === '2.0';
