import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { type LoopbackOptions, type RecordedRequest, startLoopback } from './server.js';

/** What a token endpoint handler answers. */
export interface TokenAnswer {
  status?: number;
  body: Record<string, unknown>;
}

export interface TokenEndpoint {
  /** Base URL; the token path is `${url}/token`. */
  url: string;
  tokenUrl: string;
  /** Every token request received, with its form fields. */
  readonly requests: (RecordedRequest & { form: URLSearchParams })[];
  close(): Promise<void>;
}

/**
 * A token endpoint on 127.0.0.1 at `/token`. `handle` sees each request and its form; whatever
 * it throws becomes a 400 `invalid_request` with the message (so a test sees why a grant failed).
 */
export async function startTokenEndpoint(handle: (req: RecordedRequest & { form: URLSearchParams }) => TokenAnswer | Promise<TokenAnswer>, opts: LoopbackOptions = {}): Promise<TokenEndpoint> {
  const requests: (RecordedRequest & { form: URLSearchParams })[] = [];
  const server = await startLoopback(async (req, res) => {
    const r = { ...req, form: new URLSearchParams(req.body) };
    requests.push(r);
    let answer: TokenAnswer;
    try {
      answer = await handle(r);
    } catch (e) {
      answer = { status: 400, body: { error: 'invalid_request', error_description: (e as Error).message } };
    }
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }, opts);
  return { url: server.url, tokenUrl: `${server.url}/token`, requests, close: server.close };
}

/** An RSA key pair (PEM) for signing test assertions, made fresh per test run. */
export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * Verifies an RS256 JWT's signature with a public key and its time claims (`exp` in the future,
 * `iat` not ahead of `now` by more than a minute); returns header and claims.
 */
export function verifyJwt(jwt: string, publicKeyPem: string, now = Date.now()): VerifiedJwt {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('the assertion is not a JWT (three dot-separated parts)');
  const [h, c, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (header.alg !== 'RS256') throw new Error(`JWT alg is ${String(header.alg)}, expected RS256`);
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${c}`), createPublicKey(publicKeyPem), Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('JWT signature does not verify with the expected public key');
  const t = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= t) throw new Error('JWT is expired or has no exp');
  if (typeof claims.iat === 'number' && claims.iat > t + 60) throw new Error('JWT iat is in the future');
  return { header, claims };
}
