import { createHash, randomUUID } from 'node:crypto';
import { type LoopbackOptions, type LoopbackServer, isSigV4For, startLoopback } from './server.js';

/** A message as the fake queue holds it, and as Lambda would hand it to a function in an SQS event record. */
export interface FakeSqsMessage {
  messageId: string;
  queueUrl: string;
  body: string;
  messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
}

export interface FakeSqs extends LoopbackServer {
  /** Every message sent, in order. */
  messages: FakeSqsMessage[];
  /** Queue URLs that do not exist: SendMessage to them is refused as SQS refuses it. */
  missing: Set<string>;
  /** The messages as the SQS event Lambda invokes a function with. */
  event(messages?: FakeSqsMessage[]): { Records: { messageId: string; body: string; eventSource: 'aws:sqs'; messageAttributes: FakeSqsMessage['messageAttributes'] }[] };
}

/**
 * SQS on 127.0.0.1, speaking its JSON 1.0 wire protocol for SendMessage (what the asynchronous mode
 * sends), so that tests drive the hosts' SQS client over HTTP, signature checked for shape as AWS
 * checks it. Point `AWS_ENDPOINT_URL_SQS` (or the client's `endpoint`) at it.
 */
export async function startFakeSqs(opts: LoopbackOptions = {}): Promise<FakeSqs> {
  const messages: FakeSqsMessage[] = [];
  const missing = new Set<string>();
  const server = await startLoopback((req, res) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers['content-type'] !== 'application/x-amz-json-1.0') return send(400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: 'SQS takes application/x-amz-json-1.0' });
    if (!isSigV4For(req.headers.authorization, 'sqs')) {
      return send(400, { __type: 'com.amazonaws.sqs#MissingAuthenticationToken', message: 'Missing or malformed SigV4 signature' });
    }
    const op = (req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    if (op !== 'SendMessage') return send(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: op });
    const input = JSON.parse(req.body || '{}') as { QueueUrl?: string; MessageBody?: string; MessageAttributes?: Record<string, { DataType: string; StringValue?: string }> };
    if (!input.QueueUrl || missing.has(input.QueueUrl)) return send(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
    if (typeof input.MessageBody !== 'string' || input.MessageBody === '') return send(400, { __type: 'com.amazonaws.sqs#MissingParameter', message: 'MessageBody is required' });
    const messageId = randomUUID();
    const messageAttributes: FakeSqsMessage['messageAttributes'] = {};
    for (const [k, v] of Object.entries(input.MessageAttributes ?? {})) messageAttributes[k] = { stringValue: v.StringValue, dataType: v.DataType };
    messages.push({ messageId, queueUrl: input.QueueUrl, body: input.MessageBody, messageAttributes });
    send(200, { MessageId: messageId, MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex') });
  }, opts);
  return {
    ...server,
    messages,
    missing,
    event: (list = messages) => ({ Records: list.map((m) => ({ messageId: m.messageId, body: m.body, eventSource: 'aws:sqs' as const, messageAttributes: m.messageAttributes })) }),
  };
}
