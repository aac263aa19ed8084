import { type LoopbackServer, isSigV4For, startLoopback } from './server.js';

export interface FakeSsm extends LoopbackServer {
  /** The parameters, by full name; tests may read and seed them. */
  params: Map<string, { value: string; type: string; version: number; modified: number }>;
  /** `Operation Name` of every call, in order. */
  calls: string[];
  /** Names the caller's role may not read: GetParameter(s) on them is refused with AccessDeniedException, as IAM does. */
  denied: Set<string>;
  /** Seeds SecureString parameters. */
  put(values: Record<string, string>): void;
}

/**
 * A parameter's name as SSM keeps it: a root-level name (`/PSOXY_SALT`, one `/` only, first) is the
 * same parameter as `PSOXY_SALT`, and SSM answers with the name without the slash.
 */
export function ssmParameterName(name: string): string {
  if (typeof name !== 'string') return name;
  return name.startsWith('/') && name.indexOf('/', 1) < 0 ? name.slice(1) : name;
}

/** A map keyed by SSM's names: `/X` and `X` are one key, as they are one parameter to SSM. */
class SsmNameMap<V> extends Map<string, V> {
  override get(name: string) {
    return super.get(ssmParameterName(name));
  }
  override set(name: string, value: V) {
    return super.set(ssmParameterName(name), value);
  }
  override has(name: string) {
    return super.has(ssmParameterName(name));
  }
  override delete(name: string) {
    return super.delete(ssmParameterName(name));
  }
}

/** A set of SSM names, as above. */
class SsmNameSet extends Set<string> {
  override add(name: string) {
    return super.add(ssmParameterName(name));
  }
  override has(name: string) {
    return super.has(ssmParameterName(name));
  }
  override delete(name: string) {
    return super.delete(ssmParameterName(name));
  }
}

/**
 * SSM Parameter Store on 127.0.0.1, speaking its JSON 1.1 wire protocol for the operations a
 * psoxy host uses (GetParameter, GetParameters, PutParameter with and without Overwrite, DeleteParameter), so
 * that tests drive the real AWS SDK client (`endpoint: fake.url`, or `AWS_ENDPOINT_URL_SSM` for a
 * bundled function in another process).
 */
export async function startFakeSsm(): Promise<FakeSsm> {
  const params: FakeSsm['params'] = new SsmNameMap();
  const calls: string[] = [];
  const denied: Set<string> = new SsmNameSet();
  const server = await startLoopback((req, res) => {
    const op = (req.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
    // as AWS does: a request without a SigV4 signature for this service is refused
    if (!isSigV4For(req.headers.authorization, 'ssm')) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'MissingAuthenticationTokenException', message: 'Missing or malformed SigV4 signature' }));
      return;
    }
    const body = JSON.parse(req.body || '{}') as { Name: string; Names?: string[]; Value?: string; Type?: string; Overwrite?: boolean };
    calls.push(`${op} ${body.Names ? body.Names.join(',') : body.Name}`);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    const p = params.get(body.Name);
    const refused = (body.Names ?? [body.Name]).find((n) => denied.has(n));
    if ((op === 'GetParameter' || op === 'GetParameters') && refused !== undefined) {
      return send(400, { __type: 'AccessDeniedException', message: `not authorized to perform ssm:${op} on resource parameter${refused}` });
    }
    if (op === 'GetParameters') {
      const names = body.Names ?? [];
      if (names.length === 0 || names.length > 10) return send(400, { __type: 'ValidationException', message: 'Names must hold 1 to 10 names' });
      const found = names.filter((n) => params.has(n));
      return send(200, {
        Parameters: found.map((n) => {
          const q = params.get(n) as { value: string; type: string; version: number; modified: number };
          // as SSM: a root-level parameter comes back under its name without the leading slash
          return { Name: ssmParameterName(n), Type: q.type, Value: q.value, Version: q.version, LastModifiedDate: q.modified / 1000, DataType: 'text' };
        }),
        InvalidParameters: names.filter((n) => !params.has(n)),
      });
    }
    if (op === 'GetParameter') {
      if (!p) return send(400, { __type: 'ParameterNotFound', message: `${body.Name} not found` });
      return send(200, { Parameter: { Name: ssmParameterName(body.Name), Type: p.type, Value: p.value, Version: p.version, LastModifiedDate: p.modified / 1000, DataType: 'text' } });
    }
    if (op === 'PutParameter') {
      if (p && !body.Overwrite) return send(400, { __type: 'ParameterAlreadyExists', message: 'exists' });
      params.set(body.Name, { value: body.Value ?? '', type: body.Type ?? 'String', version: (p?.version ?? 0) + 1, modified: Date.now() });
      return send(200, { Version: (p?.version ?? 0) + 1, Tier: 'Standard' });
    }
    if (op === 'DeleteParameter') {
      if (!p) return send(400, { __type: 'ParameterNotFound', message: 'not found' });
      params.delete(body.Name);
      return send(200, {});
    }
    send(400, { __type: 'InvalidAction', message: op });
  });
  return {
    ...server,
    params,
    calls,
    denied,
    put(values) {
      for (const [name, value] of Object.entries(values)) params.set(name, { value, type: 'SecureString', version: 1, modified: Date.now() });
    },
  };
}
