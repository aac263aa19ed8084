import { ProxyError } from './errors.js';

/**
 * Checks a raw request path (as received, percent-encoding kept) before it is matched or sent on.
 * The path is matched raw and forwarded raw, so what the rules allowed is what the source receives;
 * what could be read differently by the source is refused: dot segments, in any encoding (a
 * `..%2F` inside an allowed `{id}` would step out of it once the source decodes it), backslashes,
 * control characters and whitespace, and a request target that is not a path.
 */
export function checkRawPath(path: string): void {
  if (!path.startsWith('/')) throw new ProxyError(400, 'INVALID_REQUEST', 'the request target must be a path starting with /');
  if (/[\x00-\x20\x7f\\#]/.test(path)) throw new ProxyError(400, 'INVALID_REQUEST', 'the request path holds characters that are not allowed');
  let p = path;
  // look at each decoding level (double encoding: %252e -> %2e -> .)
  for (let level = 0; level < 4; level++) {
    const segments = p.split(/\/|\\/);
    if (segments.some((s) => s === '.' || s === '..')) {
      throw new ProxyError(400, 'INVALID_REQUEST', 'the request path holds dot segments (. or ..), which are not allowed');
    }
    if (!p.includes('%')) return;
    let next: string;
    try {
      next = decodeURIComponent(p);
    } catch {
      throw new ProxyError(400, 'INVALID_REQUEST', 'the request path holds an invalid percent-encoding');
    }
    if (/[\x00-\x1f\x7f\\]/.test(next)) throw new ProxyError(400, 'INVALID_REQUEST', 'the request path encodes characters that are not allowed');
    if (next === p) return;
    p = next;
  }
  throw new ProxyError(400, 'INVALID_REQUEST', 'the request path is encoded too many times');
}

/** Query strings are forwarded raw too; refuse what no source should receive. */
export function checkRawQuery(query: string | null): void {
  if (query !== null && /[\x00-\x20\x7f#]/.test(query)) {
    throw new ProxyError(400, 'INVALID_REQUEST', 'the query string holds characters that are not allowed (encode them)');
  }
}

/** Psoxy's path normalization before matching: strip the target's own path, a configured prefix, the function name. */
export function normalizeInboundPath(path: string, opts: { targetPath?: string; prefixToTrim?: string | undefined; functionName?: string | undefined }): string {
  let p = path;
  const tp = opts.targetPath?.replace(/\/+$/, '');
  if (tp && tp !== '' && p.startsWith(tp) && (p.length === tp.length || p[tp.length] === '/')) p = p.slice(tp.length) || '/';
  if (opts.prefixToTrim) {
    const prefix = opts.prefixToTrim.startsWith('/') ? opts.prefixToTrim : `/${opts.prefixToTrim}`;
    if (prefix.endsWith('/') && p.startsWith(prefix)) p = `/${p.slice(prefix.length).replace(/^\/+/, '')}`;
    else if (p === prefix) p = '/';
    else if (p.startsWith(`${prefix}/`)) p = p.slice(prefix.length);
  }
  if (opts.functionName) {
    const f = `/${opts.functionName}`;
    if (p === f) p = '/';
    else if (p.startsWith(`${f}/`)) p = p.slice(f.length);
  }
  return p;
}

/**
 * `X-Psoxy-TargetPath` / `X-Psoxy-TargetQuery` overrides, validated as Psoxy does: at most 4096
 * printable ASCII characters, no CR/LF, space, tab or `#`; a path starting with `/` without `?`.
 */
export function overrideTarget(pathHeader: string | null, queryHeader: string | null): { path?: string; query?: string | null } {
  const check = (v: string, what: string) => {
    if (v.length > 4096) throw new ProxyError(400, 'INVALID_REQUEST', `${what} is longer than the max length of 4096 characters`);
    if (/[\r\n]/.test(v)) throw new ProxyError(400, 'INVALID_REQUEST', `${what} must not hold CR/LF`);
    if (/[^\x21-\x7e]/.test(v) || v.includes('#')) {
      throw new ProxyError(400, 'INVALID_REQUEST', `${what} must be printable ASCII, without spaces, tabs or '#'`);
    }
  };
  const out: { path?: string; query?: string | null } = {};
  if (pathHeader !== null) {
    const p = pathHeader.trim();
    check(p, 'X-Psoxy-TargetPath');
    if (!p.startsWith('/') || p.includes('?')) throw new ProxyError(400, 'INVALID_REQUEST', 'X-Psoxy-TargetPath must start with / and hold no query');
    out.path = p;
  }
  if (queryHeader !== null) {
    let q = queryHeader.trim();
    check(q, 'X-Psoxy-TargetQuery');
    if (q.startsWith('?')) q = q.slice(1);
    out.query = q === '' ? null : q;
  }
  return out;
}

/**
 * The origin a caller used (`https://abc.lambda-url.us-east-1.on.aws`), for the proxy's pagination
 * links: `host` when it is a plain host name (and port), else `fallback`. A Host header may be
 * anything a client sends; nothing else of it reaches a link.
 */
export function callerOrigin(scheme: 'http' | 'https', host: string | undefined | null, fallback: string): string {
  return `${scheme}://${host && /^[\w.:[\]-]+$/.test(host) ? host : fallback}`;
}
