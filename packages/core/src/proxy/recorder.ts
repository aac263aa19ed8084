import { gzipSync } from 'node:zlib';
import type { Logger } from '../runtime/logger.js';
import type { ProxyOutputs, ProxyRequest, ProxyResponse } from './handler.js';
import { type ProcessingContext, type ProxyStamp, type ResponseOutput, outputKey, requestIdOf, stampHeaders } from './outputs.js';

/** Stores `body` at `key` of `output`, compressed, as Psoxy stores its outputs. */
function store(output: ResponseOutput, key: string, body: Uint8Array, contentType: string | undefined, metadata: Record<string, string>): Promise<void> {
  return output.write(key, gzipSync(body), { contentType: contentType ?? 'application/json', contentEncoding: 'gzip', metadata });
}

/**
 * The outputs of one request: its side outputs (`SIDE_OUTPUT_ORIGINAL`, `SIDE_OUTPUT_SANITIZED`),
 * written at `<yyyyMMdd>/<requestId>`, and the result of a queued request. They are written at
 * the same time; a side output that fails becomes a warning on the answer, a result that fails
 * fails the processing.
 */
export class RequestOutputs {
  private readonly writes: Promise<void>[] = [];
  private readonly warnings: string[] = [];
  private key: string | undefined;

  constructor(
    private readonly outputs: ProxyOutputs,
    private readonly request: ProxyRequest,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  private side(output: ResponseOutput | undefined, body: Uint8Array, contentType: string | undefined, metadata: () => Record<string, string>, warning: string): void {
    if (!output) return;
    this.key ??= outputKey(requestIdOf(this.request), this.request.receivedAt ?? this.now());
    this.writes.push(
      store(output, this.key, body, contentType, metadata()).catch((e) => {
        this.log.warn('side output not written', { output: output.uri, reason: (e as Error).message });
        this.warnings.push(warning);
      }),
    );
  }

  /** The source's bytes, whatever its status (written before they are sanitized, so kept when they cannot be). */
  original(body: Uint8Array, contentType: string | undefined, metadata: () => Record<string, string>): void {
    this.side(this.outputs.original, body, contentType, metadata, 'SIDE_OUTPUT_FAILURE_ORIGINAL');
  }

  /** A sanitized 2xx body. */
  sanitized(body: Uint8Array, contentType: string | undefined, metadata: () => Record<string, string>): void {
    this.side(this.outputs.sanitized, body, contentType, metadata, 'SIDE_OUTPUT_FAILURE_SANITIZED');
  }

  /** A queued request's sanitized result, at the key its caller was told. */
  result(output: ResponseOutput, key: string, body: Uint8Array, contentType: string | undefined, metadata: Record<string, string>): void {
    this.writes.push(store(output, key, body, contentType, metadata));
  }

  /** Waits for every write: the warnings of the side outputs not written; rejects if the result was not written. */
  async settled(): Promise<string[]> {
    await Promise.all(this.writes);
    return this.warnings;
  }
}

/** The processing context of a request about to be queued: where its result will be written. */
export function processingContext(request: ProxyRequest, output: ResponseOutput, now: () => number): ProcessingContext {
  const requestId = requestIdOf(request);
  const receivedAt = request.receivedAt ?? now();
  return { requestId, requestReceivedAt: new Date(receivedAt).toISOString(), async: true, asyncOutputLocation: `${output.uri}${outputKey(requestId, receivedAt)}` };
}

/** Psoxy's answer to a queued request: 202, the processing context as its body, its output as `Location`. */
export function acceptedAnswer(context: ProcessingContext, stamp: ProxyStamp): ProxyResponse {
  return {
    status: 202,
    headers: stampHeaders({ 'content-type': 'application/json', location: context.asyncOutputLocation as string }, stamp),
    body: Buffer.from(JSON.stringify(context), 'utf8'),
  };
}
