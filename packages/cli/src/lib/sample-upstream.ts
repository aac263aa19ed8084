import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const EXAMPLES = new URL('../../examples/', import.meta.url);

/**
 * A sample source for the demo: a small Google Calendar and Admin directory, answering on
 * 127.0.0.1 with data this project wrote. It stands in for the real APIs, which the demo never calls.
 */
export async function startSampleUpstream(): Promise<{ url: string; close(): Promise<void>; requests: string[] }> {
  const events = await readFile(new URL('calendar-events.json', EXAMPLES), 'utf8');
  const users = await readFile(new URL('directory-users.json', EXAMPLES), 'utf8');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sample');
    requests.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'x-ratelimit-remaining': '99' });
      res.end(body);
    };
    if (/^\/calendar\/v3\/calendars\/[^/]+\/events$/.test(url.pathname)) return json(200, events);
    if (url.pathname === '/admin/directory/v1/users') return json(200, users);
    const one = /^\/admin\/directory\/v1\/users\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const key = decodeURIComponent(one[1] as string);
      const user = (JSON.parse(users) as { users: { id: string; primaryEmail: string }[] }).users.find((u) => u.id === key || u.primaryEmail === key);
      return user ? json(200, JSON.stringify(user)) : json(404, JSON.stringify({ error: { code: 404, message: `Resource Not Found: ${key}` } }));
    }
    return json(404, JSON.stringify({ error: { code: 404, message: 'Not Found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
