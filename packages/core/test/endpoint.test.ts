import { describe, expect, it } from 'vitest';
import { parseQuery, pathTemplateToRegex, splitUrl } from '../src/endpoint/index.js';
import { loadRestRules } from '../src/rules/index.js';
import { compileRestRules } from '../src/sanitize/index.js';
import { pseudonymizer } from './helpers.js';

const rules = (yaml: string) => compileRestRules(loadRestRules(yaml));
const allowed = (r: ReturnType<typeof rules>, url: string, method = 'GET') => r.match({ method, url }).allowed;

describe('path templates (PathTemplateUtils)', () => {
  it.each([
    ['/', '^/$'],
    ['/api/v1/users/{id}', '^/api/v1/users/(?<id>[^/]+)$'],
    ['/enterprise-info', '^/enterprise\\-info$'],
    ['/a/{opt?}', '^/a/(?<opt>[^/]*)$'],
    ['/v1.0/x*', '^/v1\\.0/x\\*$'],
  ])('%s -> %s', (t, re) => {
    expect(pathTemplateToRegex(t)).toBe(re);
  });
});

describe('query parsing (URLEncodedUtils)', () => {
  it('splits on & and ;, decodes + and %XX, keeps names without =', () => {
    expect(parseQuery('a=1&b=x+y;c=%41%zz&d&=e&&')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y' },
      { name: 'c', value: 'A%zz' },
      { name: 'd', value: null },
    ]);
  });

  it('splits URLs without normalizing them', () => {
    expect(splitUrl('https://h.example/a%2Fb/../c?x=1#f')).toEqual({ path: '/a%2Fb/../c', query: 'x=1' });
    expect(splitUrl('/p')).toEqual({ path: '/p', query: null });
  });
});

describe("parameter schemas' alternatives", () => {
  // Psoxy's ParameterSchema names its alternatives `or` (google-meet.yaml); `anyOf` reads the same
  it.each(['or', 'anyOf'])('%s: a value valid under any alternative is valid', (key) => {
    const r = rules(`
endpoints:
  - pathTemplate: /admin/reports/v1/activity/users/{userKey}/applications/meet
    pathParameterSchemas:
      userKey:
        ${key}:
          - type: string
            enum: [all]
          - type: string
            format: reversible-pseudonym
`);
    const base = 'https://h/admin/reports/v1/activity/users';
    expect(allowed(r, `${base}/all/applications/meet`)).toBe(true);
    expect(allowed(r, `${base}/p~${'a'.repeat(43)}/applications/meet`)).toBe(true);
    expect(allowed(r, `${base}/alice@example.com/applications/meet`)).toBe(false);
  });

  it('checks the formats named under `or` when the rules are compiled', () => {
    const bad = 'endpoints:\n  - pathTemplate: /a/{id}\n    pathParameterSchemas:\n      id:\n        or:\n          - format: email\n';
    expect(() => rules(bad)).toThrow(/unknown parameter format 'email'/);
  });
});

describe('endpoint matching (spec 1.4)', () => {
  const r = rules(`
endpoints:
  - pathTemplate: /users/{userId}
    allowedQueryParams: [fields, Limit]
    allowedMethods: [get]
  - pathTemplate: /files/{fileId}
  - pathRegex: "^/v1.0/groups/[^/]*/members.*"
  - pathTemplate: /people/{personId}
    pathParameterSchemas:
      personId:
        format: reversible-pseudonym
  - pathTemplate: /n/{id}
    pathParameterSchemas:
      id:
        type: integer
    queryParamSchemas:
      page:
        type: integer
        required: true
`);

  it('matches templates case-insensitively on the raw path only', () => {
    expect(allowed(r, 'https://h/USERS/42')).toBe(true);
    expect(allowed(r, 'https://h/users/42/extra')).toBe(false);
    expect(allowed(r, 'https://h/files/a%2Fb')).toBe(true); // %2F stays encoded: one segment
  });

  it('matches pathRegex against path and query', () => {
    expect(allowed(r, 'https://graph/v1.0/groups/g1/members?$count=true')).toBe(true);
  });

  it('checks allowed query params case-insensitively and reports which is not allowed', () => {
    expect(allowed(r, 'https://h/users/1?LIMIT=2&fields=a')).toBe(true);
    const m = r.match({ method: 'GET', url: 'https://h/users/1?limit=2&sort=x' });
    expect(m.allowed).toBe(false);
    if (!m.allowed) expect(m.reason).toMatch(/query parameter 'sort' is not allowed/);
  });

  it('checks methods (405), case-insensitively', () => {
    const m = r.match({ method: 'POST', url: 'https://h/users/1' });
    expect(m.allowed).toBe(false);
    if (!m.allowed) expect(m.status).toBe(405);
    expect(allowed(r, 'https://h/users/1', 'get')).toBe(true);
  });

  it('validates path parameters: reversible pseudonyms and integers', () => {
    const token = pseudonymizer.pseudonymToken('bob', { includeReversible: true });
    expect(allowed(r, `https://h/people/${token}`)).toBe(true);
    expect(allowed(r, 'https://h/people/bob')).toBe(false);
    expect(allowed(r, 'https://h/n/12?page=1')).toBe(true);
    expect(allowed(r, 'https://h/n/x?page=1')).toBe(false);
  });

  it('enforces required and typed query parameters', () => {
    expect(allowed(r, 'https://h/n/12')).toBe(false);
    expect(allowed(r, 'https://h/n/12?page=two')).toBe(false);
  });

  it('blocks everything else, with a reason', () => {
    const m = r.match({ method: 'GET', url: 'https://h/admin' });
    expect(m).toMatchObject({ allowed: false, status: 403, reason: 'no endpoint rule allows GET /admin' });
  });

  it('uses the first matching endpoint in declaration order', () => {
    const two = rules(`
endpoints:
  - pathTemplate: /a/{x}
    transforms: [{method: redact, jsonPaths: [$.first]}]
  - pathRegex: ^/a/.*
    transforms: [{method: redact, jsonPaths: [$.second]}]
`);
    const m = two.match({ method: 'GET', url: '/a/1' });
    expect(m.allowed && m.endpoint?.index).toBe(0);
  });

  it('never matches an endpoint whose parameter schema names no template group', () => {
    const bad = rules('endpoints:\n  - pathTemplate: /a/{x}\n    pathParameterSchemas:\n      y:\n        type: integer\n');
    expect(allowed(bad, '/a/1')).toBe(false);
  });

  it('a pathRegex endpoint: schemas naming one of its groups are checked, others ignored (Psoxy ignores them all)', () => {
    const re = rules(
      'endpoints:\n  - pathRegex: ^/r/(?<id>[^/?]+)$\n    pathParameterSchemas:\n      id: { type: integer }\n  - pathRegex: ^/r2/[^/?]+$\n    pathParameterSchemas:\n      id: { type: integer }\n',
    );
    expect(allowed(re, '/r/12')).toBe(true);
    expect(allowed(re, '/r/abc')).toBe(false);
    // no group named id: the schema is ignored, as Psoxy ignores it, rather than blocking every call
    expect(allowed(re, '/r2/abc')).toBe(true);
  });

  it('allowAllEndpoints allows everything and warns', () => {
    const all = rules('allowAllEndpoints: true\nendpoints: []\n');
    expect(all.match({ method: 'DELETE', url: '/x' })).toMatchObject({ allowed: true, endpoint: null });
    expect(all.warnings[0]).toMatch(/NOT sanitized/);
  });
});

describe('request bodies (spec 1.6)', () => {
  const r = rules(`
endpoints:
  - pathTemplate: /search
    allowedMethods: [POST]
    requestBody:
      required: true
      content:
        application/json:
          type: object
          required: [query]
          additionalProperties: false
          properties:
            query: { type: string, pattern: "^[a-z ]+$" }
            limit: { type: integer }
`);
  const m = (body: string | null, contentType = 'application/json; charset=utf-8') => r.match({ method: 'POST', url: '/search', body, contentType });

  it('allows a body that validates', () => {
    expect(m('{"query":"abc","limit":5}').allowed).toBe(true);
  });

  it.each([
    [null, /required/],
    ['{"limit":5}', /query is required/],
    ['{"query":"abc","other":1}', /other is not allowed/],
    ['{"query":"ABC"}', /does not match/],
    ['{"query":"a","limit":"5"}', /integer/],
    ['not json', /not valid JSON/],
  ])('blocks %j', (body, why) => {
    const res = m(body);
    expect(res.allowed).toBe(false);
    if (!res.allowed) expect(res.reason).toMatch(why);
  });
});

describe('request bodies: format pseudonym (Psoxy rewrites it into its pseudonym pattern)', () => {
  const r = rules(`
endpoints:
  - pathTemplate: /lookup
    allowedMethods: [POST]
    requestBody:
      content:
        application/json:
          type: object
          properties:
            userId: { type: string, format: pseudonym, pattern: "^never$" }
        application/x-www-form-urlencoded:
          type: object
          additionalProperties: false
          properties:
            userId: { type: string, format: pseudonym }
            name: { type: string }
`);
  const token = `p~${'a'.repeat(43)}`;
  const m = (body: string, contentType = 'application/json') => r.match({ method: 'POST', url: '/lookup', body, contentType });

  it('allows a value holding a reversible pseudonym, in place of the own pattern', () => {
    expect(m(`{"userId":"${token}"}`).allowed).toBe(true);
    expect(m(`userId=${token}&name=John`, 'application/x-www-form-urlencoded').allowed).toBe(true);
  });

  it('blocks a plain identifier', () => {
    const json = m('{"userId":"alice@acme.com"}');
    expect(json.allowed ? '' : json.reason).toMatch(/\$\.userId must be a reversible pseudonym/);
    expect(m('userId=invalid-pseudonym&name=John', 'application/x-www-form-urlencoded').allowed).toBe(false);
  });
});

describe('request body schemas: Psoxy\'s enumValues, and own keys only', () => {
  const r = rules(`
endpoints:
  - pathTemplate: /report
    allowedMethods: [POST]
    requestBody:
      content:
        application/json:
          type: object
          properties:
            kind: { type: string, enumValues: [daily, weekly] }
`);
  const m = (body: string, contentType = 'application/json') => r.match({ method: 'POST', url: '/report', body, contentType });

  it('accepts Psoxy\'s enumValues keyword, and holds the body to it', () => {
    expect(m('{"kind":"daily"}').allowed).toBe(true);
    const res = m('{"kind":"all"}');
    expect(res.allowed ? '' : res.reason).toMatch(/\$\.kind is not one of the allowed values/);
  });

  it('a content type named like an Object.prototype member (constructor) names no schema', () => {
    expect(() => m('{"kind":"all"}', 'constructor')).not.toThrow();
    expect(m('{"kind":"all"}', 'constructor').allowed).toBe(true);
  });
});

describe('form-encoded bodies obey the query parameter allowlist', () => {
  const slack = rules('endpoints:\n  - pathTemplate: /api/discovery.users.list\n    allowedQueryParams: [limit, offset]\n');
  const form = 'application/x-www-form-urlencoded';
  it('allows listed parameters in a POST form body, refuses others', () => {
    expect(slack.match({ method: 'POST', url: '/api/discovery.users.list', contentType: form, body: 'limit=10&offset=abc' }).allowed).toBe(true);
    const r = slack.match({ method: 'POST', url: '/api/discovery.users.list', contentType: `${form}; charset=utf-8`, body: 'limit=10&include_deleted=true' });
    expect(r.allowed).toBe(false);
    expect(r.allowed ? '' : r.reason).toMatch(/'include_deleted' is not allowed .*\(in the form body\)/);
  });
});
