import { randomUUID } from 'node:crypto';
import { type LoopbackOptions, type LoopbackServer, startLoopback } from './server.js';

/** A message as the fake Pub/Sub holds it. */
export interface FakePubSubMessage {
  topic: string;
  messageId: string;
  /** Base64, as published. */
  data: string;
  attributes: Record<string, string>;
}

export interface FakePubSub extends LoopbackServer {
  token: string;
  /** Every message published, in order. */
  messages: FakePubSubMessage[];
  /** The body of the push request Pub/Sub would send a push subscription's endpoint for `message`. */
  pushBody(message: FakePubSubMessage, subscription?: string): string;
}

/**
 * Pub/Sub on 127.0.0.1, speaking its REST v1 `topics.publish` (what the asynchronous mode sends on
 * GCP), with Bearer auth checked; `pushBody` makes the envelope a push subscription delivers.
 */
export async function startFakePubSub(token = 'pubsub-token', opts: LoopbackOptions = {}): Promise<FakePubSub> {
  const messages: FakePubSubMessage[] = [];
  const server = await startLoopback((req, res) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } });
    const m = /^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/.exec(req.path);
    if (req.method !== 'POST' || !m) return send(404, { error: { code: 404, status: 'NOT_FOUND', message: `no such method ${req.method} ${req.path}` } });
    const body = JSON.parse(req.body || '{}') as { messages?: { data?: string; attributes?: Record<string, string> }[] };
    if (!body.messages?.length) return send(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'messages is empty' } });
    const ids = body.messages.map((msg) => {
      const messageId = randomUUID();
      messages.push({ topic: m[1] as string, messageId, data: msg.data ?? '', attributes: msg.attributes ?? {} });
      return messageId;
    });
    send(200, { messageIds: ids });
  }, opts);
  return {
    ...server,
    token,
    messages,
    pushBody: (message, subscription = 'projects/test-project/subscriptions/psoxy-async-output-subscription') =>
      JSON.stringify({ message: { data: message.data, attributes: message.attributes, messageId: message.messageId, publishTime: new Date().toISOString() }, subscription }),
  };
}
