import { type LoopbackOptions, type RecordedRequest, startLoopback } from './server.js';

/** A recorded response the fake upstream plays back. */
export interface RecordedRoute {
  method?: string;
  /** Exact path (`/calendar/v3/calendars/primary/events`). */
  path: string;
  /** Query parameters the request must carry (others are allowed). */
  query?: Record<string, string>;
  status?: number;
  headers?: Record<string, string>;
  /** Body: a string as is, anything else as JSON. */
  body?: unknown;
  /** How many times it may be used (default: any number, at least once). */
  times?: number;
}

export interface FakeUpstream {
  url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests no route matched (answered 404). */
  readonly unexpected: RecordedRequest[];
  /** Throws if a request matched no route or a route was never used. */
  verify(): void;
  /** Stops the server, then verifies. */
  close(opts?: { verify?: boolean }): Promise<void>;
}

function matches(route: RecordedRoute, req: RecordedRequest): boolean {
  if ((route.method ?? 'GET').toUpperCase() !== req.method.toUpperCase()) return false;
  if (route.path !== req.path) return false;
  for (const [k, v] of Object.entries(route.query ?? {})) if (req.query.get(k) !== v) return false;
  return true;
}

/**
 * A source API on 127.0.0.1 playing back recorded responses. A request no route matches gets a
 * 404 and fails `verify()`; so does a route that was never used (a test that exercised less than
 * it meant to).
 */
export async function startFakeUpstream(routes: RecordedRoute[], opts: LoopbackOptions = {}): Promise<FakeUpstream> {
  const used = new Array<number>(routes.length).fill(0);
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const server = await startLoopback((req, res) => {
    requests.push(req);
    const i = routes.findIndex((r, k) => matches(r, req) && (r.times === undefined || (used[k] as number) < r.times));
    if (i < 0) {
      unexpected.push(req);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"the fake upstream has no recorded response for this request"}');
      return;
    }
    used[i] = (used[i] as number) + 1;
    const r = routes[i] as RecordedRoute;
    const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...r.headers });
    res.end(body);
  }, opts);
  const verify = () => {
    const problems: string[] = [];
    for (const u of unexpected) problems.push(`unexpected request ${u.method} ${u.target}`);
    routes.forEach((r, i) => {
      if (used[i] === 0) problems.push(`recorded response never used: ${r.method ?? 'GET'} ${r.path}${r.query ? ` ${JSON.stringify(r.query)}` : ''}`);
    });
    if (problems.length > 0) throw new Error(`fake upstream:\n  ${problems.join('\n  ')}`);
  };
  return {
    url: server.url,
    requests,
    unexpected,
    verify,
    async close(closeOpts = {}) {
      await server.close();
      if (closeOpts.verify !== false) verify();
    },
  };
}
