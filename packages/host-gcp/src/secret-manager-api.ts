import { type GoogleApiAccess, GoogleApiError, googleJson, isNotFound } from './google-api.js';

/** Where a project's secrets are, and how to call Secret Manager. */
export interface SecretManagerAccess extends GoogleApiAccess {
  /** Project id (or number) holding the secrets. */
  project: string;
  /** Defaults to `https://secretmanager.googleapis.com`; tests point it at a local server. */
  endpoint?: string | undefined;
}

export interface Secret {
  name: string;
  labels?: Record<string, string>;
  etag?: string;
}

export interface SecretVersion {
  /** `projects/{project}/secrets/{id}/versions/{n}` */
  name: string;
  state?: 'ENABLED' | 'DISABLED' | 'DESTROYED';
  createTime?: string;
  etag?: string;
}

/** The version number at the end of a version's resource name. */
export const versionNumber = (v: SecretVersion): number => Number(v.name.slice(v.name.lastIndexOf('/') + 1));

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * The Secret Manager REST v1 calls Psoxy's algorithms need, one method each
 * (https://cloud.google.com/secret-manager/docs/reference/rest). Failures are GoogleApiErrors.
 */
export class SecretManagerApi {
  private readonly base: string;
  constructor(private readonly conn: SecretManagerAccess) {
    this.base = `${(conn.endpoint ?? 'https://secretmanager.googleapis.com').replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(conn.project)}/secrets`;
  }

  private url(id: string, rest = ''): string {
    return `${this.base}/${encodeURIComponent(id)}${rest}`;
  }

  getSecret(id: string): Promise<Secret> {
    return googleJson(this.conn, this.url(id), {}, `get secret ${id}`);
  }

  /** Creates a secret with automatic replication (no version). */
  createSecret(id: string): Promise<Secret> {
    return googleJson(
      this.conn,
      `${this.base}?secretId=${encodeURIComponent(id)}`,
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ replication: { automatic: {} } }) },
      `create secret ${id}`,
    );
  }

  /** A version's value (`latest` or a number), decoded from base64. */
  async access(id: string, version: string): Promise<string> {
    const r = await googleJson<{ payload?: { data?: string } }>(this.conn, this.url(id, `/versions/${version}:access`), {}, `access secret ${id} version ${version}`);
    return Buffer.from(r.payload?.data ?? '', 'base64').toString('utf8');
  }

  addVersion(id: string, value: string): Promise<SecretVersion> {
    const body = JSON.stringify({ payload: { data: Buffer.from(value, 'utf8').toString('base64') } });
    return googleJson(this.conn, this.url(id, ':addVersion'), { method: 'POST', headers: JSON_HEADERS, body }, `add a version to secret ${id}`);
  }

  /** Replaces the secret's labels, only if its etag is still `etag`. */
  setLabels(id: string, labels: Record<string, string>, etag: string | undefined): Promise<Secret> {
    return googleJson(
      this.conn,
      this.url(id, '?updateMask=labels'),
      { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ labels, ...(etag ? { etag } : {}) }) },
      `update labels of secret ${id}`,
    );
  }

  /** One page (at most 20) of the versions in a state, newest first. */
  async listVersions(id: string, state: 'ENABLED' | 'DISABLED'): Promise<SecretVersion[]> {
    const r = await googleJson<{ versions?: SecretVersion[] }>(
      this.conn,
      this.url(id, `/versions?filter=${encodeURIComponent(`state:${state}`)}&pageSize=20`),
      {},
      `list versions of secret ${id}`,
    );
    return r.versions ?? [];
  }

  destroyVersion(id: string, v: SecretVersion): Promise<SecretVersion> {
    return googleJson(
      this.conn,
      this.url(id, `/versions/${versionNumber(v)}:destroy`),
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(v.etag ? { etag: v.etag } : {}) },
      `destroy version ${versionNumber(v)} of secret ${id}`,
    );
  }
}

/** The secret, created (automatic replication) if it does not exist yet; a concurrent creation is fine. */
export async function ensureSecret(api: SecretManagerApi, id: string): Promise<Secret> {
  try {
    return await api.getSecret(id);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    return await api.createSecret(id);
  } catch (e) {
    if (!(e instanceof GoogleApiError && e.status === 409)) throw e;
    return api.getSecret(id);
  }
}
