import { ConfigError } from '@psoxy/core';

/**
 * How this package calls Google's REST APIs: `fetch` with an OAuth access token. The official
 * clients (`@google-cloud/secret-manager`, `@google-cloud/storage`) bring gRPC, protobuf or
 * megabytes of generated code, which a function pays for on every cold start; we make a handful of
 * plain JSON calls.
 */
export interface GoogleApiAccess {
  /** An OAuth access token (scope cloud-platform), sent as `Authorization: Bearer`. */
  accessToken: () => Promise<string>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch | undefined;
}

/** A Google API answered with an error; `reason` is its canonical status (`NOT_FOUND`, `ABORTED`...). */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls a Google API with the access token; never follows a redirect (the token would go along). */
export async function googleFetch(access: GoogleApiAccess, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${await access.accessToken()}`);
  return (access.fetch ?? globalThis.fetch)(url, { ...init, headers, redirect: 'manual' });
}

/** The error of a failed call, from Google's JSON error body (`{error: {code, status, message}}`) when there is one. */
export async function googleError(res: Response, what: string): Promise<GoogleApiError> {
  let reason = '';
  let message = '';
  try {
    const body = (await res.json()) as { error?: { status?: unknown; message?: unknown } };
    if (typeof body.error?.status === 'string') reason = body.error.status;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: the status says enough
  }
  return new GoogleApiError(res.status, reason, `${what}: HTTP ${res.status}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`);
}

/** Calls a Google API and parses its JSON answer; a failure is a {@link GoogleApiError}. */
export async function googleJson<T>(access: GoogleApiAccess, url: string, init: RequestInit, what: string): Promise<T> {
  const res = await googleFetch(access, url, init);
  if (!res.ok) throw await googleError(res, what);
  return (await res.json()) as T;
}

/** The call lost a race on an etag (Secret Manager answers ABORTED; others FAILED_PRECONDITION or 412). */
export const isEtagConflict = (e: unknown): boolean =>
  e instanceof GoogleApiError && (e.status === 409 || e.status === 412 || e.reason === 'ABORTED' || e.reason === 'FAILED_PRECONDITION');

export const isNotFound = (e: unknown): boolean => e instanceof GoogleApiError && e.status === 404;

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * A Google API endpoint that replaces the real one, from the environment variable `name`: for
 * emulators and tests. A value without a scheme means https, as Google's Node clients read
 * `STORAGE_EMULATOR_HOST`. Plain http only to this machine (loopback): the calls carry the
 * function's access token, and secrets or data come back.
 */
export function endpointFromEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError([`${name} is not a URL`]);
  }
  const problem =
    url.protocol !== 'https:' && url.protocol !== 'http:'
      ? `${name} must be an https:// URL, not ${url.protocol}`
      : url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)
        ? `${name} may use plain http only to a loopback host (an emulator on this machine); use https:// for ${url.hostname}`
        : url.username || url.password || url.search || url.hash
          ? `${name} must be a base URL, without credentials, query or fragment`
          : undefined;
  if (problem) throw new ConfigError([problem]);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
