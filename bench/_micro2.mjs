import { readFileSync } from 'node:fs';
import { InProcessLease, MemorySecretStore, Pseudonymizer, compileRestRules, createProxy, loadRestRules, silentLogger } from '@psoxy/core';
const page = JSON.parse(readFileSync('.data/calendar-events.json', 'utf8'));
const items = []; let size = 200;
for (const it of page.items) { const s = JSON.stringify(it).length; if (size + s > 10240) break; items.push(it); size += s; }
const body = JSON.stringify({ ...page, items });
const rules = compileRestRules(loadRestRules(readFileSync('rules/gcal.yaml', 'utf8')));
const fakeFetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const h = createProxy({ rules, pseudonymizer: new Pseudonymizer({ salt: 's', encryptionKey: 'k' }), target: 'http://127.0.0.1:1', allowInsecureTarget: true, secrets: new MemorySecretStore({}), lease: new InProcessLease(), fetch: fakeFetch, log: silentLogger });
const url = 'http://127.0.0.1:9/calendar/v3/calendars/10k/events';
for (let i = 0; i < 8000; i++) { const r = await h(new Request(url), { rawTarget: '/calendar/v3/calendars/10k/events' }); await r.arrayBuffer(); }
