import type { ServerResponse } from 'node:http';
import {
  type AsyncDispatcher,
  type ExchangeHandler,
  type Logger,
  PROCESSING_CONTEXT_ATTRIBUTE,
  type ProcessingContext,
  type ProxyRequest,
  type QueuedRequest,
  isFinalFailure,
  isOk,
  parseProcessingContext,
  requestFromQueue,
} from '@psoxy/core';
import { OAuth2Client } from 'google-auth-library';
import { type GoogleApiAccess, googleJson } from './google-api.js';
import type { GcpHttpRequest } from './http.js';

/** A topic as `ASYNC_PUB_SUB_QUEUE` names it: `projects/<p>/topics/<t>`, or a topic of the function's project. */
export function topicPath(value: string, project: string): string {
  const v = value.trim();
  if (/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/.test(v)) return v;
  if (/^[A-Za-z][\w.~+%-]{2,254}$/.test(v)) return `projects/${project}/topics/${v}`;
  throw new Error(`ASYNC_PUB_SUB_QUEUE=${value} is not a Pub/Sub topic (projects/<project>/topics/<topic>, or a topic name)`);
}

/**
 * Queues `Prefer: respond-async` requests in Pub/Sub (`ASYNC_PUB_SUB_QUEUE`), whose push
 * subscription invokes this same function: the request as JSON in the message data, its processing
 * context in the `processingContext` attribute.
 */
export class PubSubDispatcher implements AsyncDispatcher {
  private readonly endpoint: string;

  constructor(
    private readonly access: GoogleApiAccess & { endpoint?: string | undefined },
    private readonly topic: string,
  ) {
    this.endpoint = (access.endpoint ?? 'https://pubsub.googleapis.com').replace(/\/+$/, '');
  }

  async dispatch(request: QueuedRequest, context: ProcessingContext): Promise<void> {
    const body = { messages: [{ data: Buffer.from(JSON.stringify(request), 'utf8').toString('base64'), attributes: { [PROCESSING_CONTEXT_ATTRIBUTE]: JSON.stringify(context) } }] };
    await googleJson(this.access, `${this.endpoint}/v1/${this.topic}:publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, `publish to ${this.topic}`);
  }
}

const GOOGLE_CERTS = 'https://www.googleapis.com/oauth2/v1/certs';
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/** How long a fetch of Google's signing certificates may take. */
const CERTS_TIMEOUT_MS = 10_000;

/**
 * Verifies the Google-signed ID tokens Pub/Sub push requests carry: signature, time, issuer
 * (Google) and audience (this function's URL) by google-auth-library's verifier, then who signed
 * in: the push subscription's service account, its email verified. (Any Google account can get an
 * ID token for any audience; only the subscription's account may push.) Google's signing
 * certificates are fetched from `certsUrl` by one request at a time, kept for as long as their
 * `Cache-Control` says, fetched again at most once a minute for a key id not seen, and the last
 * ones are used while a fetch fails.
 */
export class GoogleIdTokenVerifier {
  private readonly client = new OAuth2Client();
  private certs: Record<string, string> | undefined;
  private expires = 0;
  private fetchedAt = 0;
  private fetching: Promise<Record<string, string>> | undefined;

  constructor(private readonly opts: { certsUrl?: string | undefined; fetch?: typeof fetch | undefined; clock?: (() => number) | undefined } = {}) {}

  private now(): number {
    return this.opts.clock?.() ?? Date.now();
  }

  private async fetchCerts(): Promise<Record<string, string>> {
    const res = await (this.opts.fetch ?? globalThis.fetch)(this.opts.certsUrl ?? GOOGLE_CERTS, { redirect: 'error', signal: AbortSignal.timeout(CERTS_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`Google's signing certificates could not be fetched: HTTP ${res.status}`);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1] ?? 0);
    const certs = (await res.json()) as Record<string, string>;
    const now = this.now();
    this.certs = certs;
    this.fetchedAt = now;
    this.expires = now + Math.min(Math.max(maxAge, 60), 24 * 3600) * 1000;
    return certs;
  }

  private async keys(kid: string | undefined): Promise<Record<string, string>> {
    const now = this.now();
    const known = this.certs;
    const stale = !known || now >= this.expires || (kid !== undefined && !Object.hasOwn(known, kid) && now - this.fetchedAt > 60_000);
    if (!stale) return known;
    this.fetching ??= this.fetchCerts().finally(() => {
      this.fetching = undefined;
    });
    try {
      return await this.fetching;
    } catch (e) {
      // Google's keys rotate slowly: the last ones still verify most tokens while the fetch fails
      if (known) return known;
      throw e;
    }
  }

  /** Resolves when `token` is a valid Google ID token for one of `audiences`, signed in as `email`; rejects saying why not. */
  async verify(token: string, audiences: string[], email: string): Promise<void> {
    let kid: unknown;
    try {
      kid = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown }).kid;
    } catch {
      throw new Error('not a JWT');
    }
    const certs = await this.keys(typeof kid === 'string' ? kid : undefined);
    let payload: { email?: unknown; email_verified?: unknown } | undefined;
    try {
      payload = (await this.client.verifySignedJwtWithCertsAsync(token, certs, audiences, GOOGLE_ISSUERS)).getPayload();
    } catch (e) {
      // the library's messages quote the token: never logged
      throw new Error((e as Error).message.replace(/[\w-]+\.[\w-]+\.[\w-]*/g, '<token>').slice(0, 200));
    }
    if (payload?.email !== email || payload.email_verified !== true) throw new Error(`the token was not issued to ${email}, the push subscription's service account`);
  }
}

export interface PubSubPush {
  verifier: GoogleIdTokenVerifier;
  /** This function's URL, the audience of the push subscription's tokens (Psoxy's `SERVICE_URL` secret). */
  audience: string;
  /** The service account the push subscription signs its tokens as. */
  serviceAccount: string;
  log: Logger;
}

/** A Pub/Sub push request (only looked at where the asynchronous mode is configured): by its user agent, as Psoxy tells them. */
export const isPubSubPush = (req: GcpHttpRequest): boolean => req.method === 'POST' && /APIs-Google|Google-Cloud-PubSub/.test(String(req.headers['user-agent'] ?? ''));

/** The most deliveries of one message: later ones are acknowledged unprocessed, as Psoxy drops them. */
const MAX_DELIVERY_ATTEMPTS = 3;

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': '0' });
  res.end();
}

/**
 * Handles a Pub/Sub push of a queued request: its token verified (401 otherwise: a caller that
 * only sets the user agent gets nothing), the request processed and its result written, then
 * acknowledged (204). A failure that may pass is answered 500, so that Pub/Sub delivers it again;
 * one that cannot (a message that cannot be read, a request the rules refuse, a source's 4xx) is
 * acknowledged and logged, since without a dead-letter topic (Psoxy's subscription has none)
 * Pub/Sub would deliver it for as long as it keeps messages.
 */
export async function handlePubSubPush(req: GcpHttpRequest, res: ServerResponse, proxy: ExchangeHandler, push: PubSubPush): Promise<void> {
  const token = /^Bearer (\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  try {
    if (!token) throw new Error('no bearer token');
    const audience = push.audience.replace(/\/+$/, '');
    await push.verifier.verify(token, [audience, `${audience}/`], push.serviceAccount);
  } catch (e) {
    push.log.warn('push request refused: its token is not one the push subscription signed for this function', { reason: (e as Error).message });
    return answer(res, 401);
  }
  let request: ProxyRequest;
  let attempt: number;
  try {
    const envelope = JSON.parse((req.rawBody ?? Buffer.alloc(0)).toString('utf8')) as { message?: { data?: string; attributes?: Record<string, string> }; deliveryAttempt?: number };
    // counted by Pub/Sub only where the subscription has a dead-letter policy
    attempt = Number(req.headers['x-goog-delivery-attempt'] ?? envelope.deliveryAttempt ?? 1) || 1;
    const attribute = envelope.message?.attributes?.[PROCESSING_CONTEXT_ATTRIBUTE];
    if (attribute === undefined) throw new Error(`the message has no ${PROCESSING_CONTEXT_ATTRIBUTE} attribute`);
    const queued = JSON.parse(Buffer.from(envelope.message?.data ?? '', 'base64').toString('utf8')) as QueuedRequest;
    request = requestFromQueue(queued, parseProcessingContext(attribute));
  } catch (e) {
    push.log.error('queued message unreadable; acknowledged without processing', { reason: (e as Error).message });
    return answer(res, 204);
  }
  if (attempt > MAX_DELIVERY_ATTEMPTS) {
    push.log.error('queued request dropped after repeated failures', { attempt });
    return answer(res, 204);
  }
  try {
    const result = await proxy(request);
    if (isOk(result.status)) return answer(res, 204);
    if (isFinalFailure(result.status)) {
      push.log.error('queued request failed for good; acknowledged, nothing written', { status: result.status, error: result.headers['x-psoxy-error'] });
      return answer(res, 204);
    }
    push.log.error('queued request failed; Pub/Sub will deliver it again', { status: result.status, error: result.headers['x-psoxy-error'] });
  } catch (e) {
    push.log.error('queued request failed; Pub/Sub will deliver it again', { reason: (e as Error).message });
  }
  answer(res, 500);
}
