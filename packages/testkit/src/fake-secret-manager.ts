import type { ServerResponse } from 'node:http';
import { type LoopbackServer, type RecordedRequest, startLoopback } from './server.js';

/** A version of a secret in the fake Secret Manager. */
export interface FakeVersion {
  n: number;
  /** base64, as the API carries it; empty once destroyed. */
  data: string;
  state: 'ENABLED' | 'DISABLED' | 'DESTROYED';
  createTime: string;
  etag: string;
}

/** A secret in the fake Secret Manager: its labels, etag and versions. */
export interface FakeSecret {
  labels: Record<string, string>;
  etag: string;
  versions: FakeVersion[];
  /** Answer 403 to GET secret (an accessor-only role). */
  denyMetadata?: boolean;
  /** Answer 403 to :addVersion (no write permission). */
  denyWrite?: boolean;
}

export interface FakeSecretManager {
  /** Base URL (`http://127.0.0.1:<port>`): a host's Secret Manager endpoint. */
  url: string;
  project: string;
  token: string;
  secrets: Map<string, FakeSecret>;
  /** `METHOD path` of every call, with the query. */
  calls: string[];
  /** Calls that came without the right Bearer token (answered 401). */
  unauthenticated: string[];
  put(id: string, values: (string | { value: string; state?: FakeVersion['state']; createTime?: string })[], labels?: Record<string, string>): FakeSecret;
  /** The value of a version (default: the one the `latest-version` label names, else the newest). */
  value(id: string, n?: number): string | undefined;
  close(): Promise<void>;
}

/**
 * Google Secret Manager's REST v1 API on 127.0.0.1, for the calls a psoxy GCP host makes (its
 * secret store and lease): secrets with labels and etags (a stale etag is refused with 409
 * ABORTED), versions ENABLED / DISABLED / DESTROYED, `:access` (`latest` = the newest version),
 * `:addVersion`, `:destroy`, list with a state filter and pageSize, creation with `?secretId=`.
 * Every call must carry `Authorization: Bearer <token>` (else 401, recorded in `unauthenticated`).
 * Point @psoxy/host-gcp at it with `secretManager: { endpoint: fake.url, project: fake.project }`,
 * or `SECRET_MANAGER_ENDPOINT` for a bundled function in another process.
 */
export async function startFakeSecretManager(project = 'test-project', token = 'test-token'): Promise<FakeSecretManager> {
  const secrets = new Map<string, FakeSecret>();
  const calls: string[] = [];
  const unauthenticated: string[] = [];
  let etags = 0;
  const etag = () => `"etag-${++etags}"`;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: number, status: string, message: string) => send(res, code, { error: { code, message, status } });
  const name = (id: string) => `projects/${project}/secrets/${id}`;
  const secretJson = (id: string, s: FakeSecret) => ({ name: name(id), replication: { automatic: {} }, createTime: '2026-01-01T00:00:00Z', labels: s.labels, etag: s.etag });
  const versionJson = (id: string, v: FakeVersion) => ({ name: `${name(id)}/versions/${v.n}`, createTime: v.createTime, state: v.state, etag: v.etag });
  const prefix = `/v1/projects/${project}/secrets`;

  const handle = (req: RecordedRequest, res: ServerResponse) => {
    calls.push(`${req.method} ${req.target}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      unauthenticated.push(`${req.method} ${req.target}`);
      return fail(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    if (!req.path.startsWith(prefix)) return fail(res, 403, 'PERMISSION_DENIED', `no access to ${req.path}`);
    const rest = req.path.slice(prefix.length);
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    if (rest === '' && req.method === 'POST') {
      const id = req.query.get('secretId') ?? '';
      if (secrets.has(id)) return fail(res, 409, 'ALREADY_EXISTS', `Secret [${name(id)}] already exists.`);
      if (!(body.replication as { automatic?: unknown } | undefined)?.automatic) return fail(res, 400, 'INVALID_ARGUMENT', 'replication is required');
      const s: FakeSecret = { labels: (body.labels as Record<string, string>) ?? {}, etag: etag(), versions: [] };
      secrets.set(id, s);
      return send(res, 200, secretJson(id, s));
    }
    const m = /^\/([\w-]+)(?::(addVersion)|\/versions(?:\/(\w+):(access|destroy))?)?$/.exec(rest);
    if (!m) return fail(res, 404, 'NOT_FOUND', `no route ${req.method} ${rest}`);
    const id = m[1] as string;
    const s = secrets.get(id);
    if (!s) return fail(res, 404, 'NOT_FOUND', `Secret [${name(id)}] not found or has no versions.`);

    if (m[2] === 'addVersion' && req.method === 'POST') {
      if (s.denyWrite) return fail(res, 403, 'PERMISSION_DENIED', `Permission 'secretmanager.versions.add' denied for resource '${name(id)}'`);
      const data = (body.payload as { data?: string } | undefined)?.data;
      if (typeof data !== 'string') return fail(res, 400, 'INVALID_ARGUMENT', 'payload.data is required');
      const v: FakeVersion = { n: s.versions.length + 1, data, state: 'ENABLED', createTime: new Date().toISOString(), etag: etag() };
      s.versions.push(v);
      return send(res, 200, versionJson(id, v));
    }
    if (m[4]) {
      const v = m[3] === 'latest' ? s.versions.at(-1) : s.versions.find((x) => String(x.n) === m[3]);
      if (!v) return fail(res, 404, 'NOT_FOUND', `Secret Version [${name(id)}/versions/${m[3]}] not found.`);
      if (m[4] === 'access' && req.method === 'GET') {
        if (v.state !== 'ENABLED') return fail(res, 400, 'FAILED_PRECONDITION', `Secret Version [${name(id)}/versions/${v.n}] is in ${v.state} state.`);
        return send(res, 200, { name: `${name(id)}/versions/${v.n}`, payload: { data: v.data, dataCrc32c: '0' } });
      }
      if (m[4] === 'destroy' && req.method === 'POST') {
        if (body.etag !== undefined && body.etag !== v.etag) return fail(res, 409, 'ABORTED', 'etag does not match');
        Object.assign(v, { state: 'DESTROYED', data: '', etag: etag() });
        return send(res, 200, versionJson(id, v));
      }
    }
    if (rest === `/${id}/versions` && req.method === 'GET') {
      const filter = /^state:(ENABLED|DISABLED|DESTROYED)$/.exec(req.query.get('filter') ?? '');
      const size = Number(req.query.get('pageSize') ?? 25000);
      if (req.query.has('filter') && !filter) return fail(res, 400, 'INVALID_ARGUMENT', 'bad filter');
      const all = [...s.versions].reverse().filter((v) => !filter || v.state === filter[1]);
      return send(res, 200, { versions: all.slice(0, size).map((v) => versionJson(id, v)), totalSize: all.length, ...(all.length > size ? { nextPageToken: 'more' } : {}) });
    }
    if (rest === `/${id}` && req.method === 'GET') {
      if (s.denyMetadata) return fail(res, 403, 'PERMISSION_DENIED', `Permission 'secretmanager.secrets.get' denied for resource '${name(id)}'`);
      return send(res, 200, secretJson(id, s));
    }
    if (rest === `/${id}` && req.method === 'PATCH') {
      if (req.query.get('updateMask') !== 'labels') return fail(res, 400, 'INVALID_ARGUMENT', 'updateMask must be labels');
      if (body.etag !== undefined && body.etag !== s.etag) return fail(res, 409, 'ABORTED', 'The etag provided does not match the current etag of the secret.');
      s.labels = (body.labels as Record<string, string>) ?? {};
      s.etag = etag();
      return send(res, 200, secretJson(id, s));
    }
    fail(res, 404, 'NOT_FOUND', `no route ${req.method} ${rest}`);
  };

  const server: LoopbackServer = await startLoopback(handle);
  return {
    url: server.url,
    project,
    token,
    secrets,
    calls,
    unauthenticated,
    put(id, values, labels = {}) {
      const s: FakeSecret = {
        labels,
        etag: etag(),
        versions: values.map((v, i) => {
          const o = typeof v === 'string' ? { value: v } : v;
          return { n: i + 1, data: Buffer.from(o.value).toString('base64'), state: o.state ?? 'ENABLED', createTime: o.createTime ?? new Date().toISOString(), etag: etag() };
        }),
      };
      secrets.set(id, s);
      return s;
    },
    value(id, n) {
      const s = secrets.get(id);
      const pinned = n ?? Number(s?.labels['latest-version'] ?? s?.versions.length);
      const v = s?.versions.find((x) => x.n === pinned);
      return v && v.state === 'ENABLED' ? Buffer.from(v.data, 'base64').toString('utf8') : undefined;
    },
    close: () => server.close(),
  };
}
