import { describe, expect, it } from 'vitest';
import { parseJson, writeJson } from '../src/json/index.js';
import type { SchemaFilter } from '../src/rules/model.js';
import { SchemaFilterEngine } from '../src/sanitize/schema-filter.js';
import { sanitizeWith } from './helpers.js';

const filter = (schema: SchemaFilter, json: string, defs: Record<string, SchemaFilter> = {}) =>
  writeJson(new SchemaFilterEngine(defs).filter(parseJson(json), schema));

describe('responseSchema filter (spec 2.3)', () => {
  it('keeps only named properties, in the input order', () => {
    const schema: SchemaFilter = { type: 'object', properties: { b: { type: 'string' }, a: { type: 'integer' } } };
    expect(filter(schema, '{"a":1,"x":2,"b":"s"}')).toBe('{"a":1,"b":"s"}');
  });

  it('turns type mismatches into null for properties and drops them from arrays', () => {
    const schema: SchemaFilter = {
      type: 'object',
      properties: { s: { type: 'string' }, l: { type: 'array', items: { type: 'string' } } },
    };
    expect(filter(schema, '{"s":5,"l":["a",1,null,"b"]}')).toBe('{"s":null,"l":["a","b"]}');
  });

  it('converts integers as Jackson (truncation, long range) and booleans (null -> false)', () => {
    const schema: SchemaFilter = {
      type: 'object',
      properties: { i: { type: 'integer' }, j: { type: 'integer' }, k: { type: 'integer' }, b: { type: 'boolean' }, n: { type: 'number' } },
    };
    expect(filter(schema, '{"i":1.9,"j":1e12,"k":"3","b":null,"n":1.5}')).toBe('{"i":1,"j":1000000000000,"k":null,"b":false,"n":1.5}');
  });

  it("matches `const`, or `constant` (Psoxy's own name for it), by the value's text", () => {
    for (const key of ['const', 'constant'] as const) {
      const schema: SchemaFilter = { type: 'object', properties: { t: { type: 'string', [key]: '#microsoft.graph.x' } } };
      expect(filter(schema, '{"t":"#microsoft.graph.x"}')).toBe('{"t":""}');
      // a value that differs does not match, and that aborts the whole object (here the document)
      expect(filter({ type: 'object', properties: { o: schema } }, '{"o":{"t":"other"}}')).toBe('null');
    }
  });

  it('drops containers under a typeless schema but keeps scalars', () => {
    const schema: SchemaFilter = { type: 'object', properties: { o: {}, s: {} } };
    expect(filter(schema, '{"o":{"x":1},"s":"kept"}')).toBe('{"o":null,"s":"kept"}');
  });

  it('resolves $ref to ruleset definitions, and anyOf', () => {
    const defs = { User: { type: 'object', properties: { id: { type: 'string' } } } };
    expect(filter({ type: 'array', items: { $ref: '#/definitions/User' } }, '[{"id":"1","name":"x"}]', defs)).toBe('[{"id":"1"}]');
    expect(filter({ anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }] }, '{"a":"x","b":1}')).toBe('{"a":"x"}');
    // Psoxy's deprecated oneOf is read the same way (first candidate that matches)
    expect(filter({ oneOf: [{ type: 'object', properties: { a: { type: 'string' } } }] }, '{"a":"x","b":1}')).toBe('{"a":"x"}');
    expect(() => filter({ $ref: '#/definitions/Nope' }, '{}')).toThrow(/does not name/);
    // a typeless property keeps a long, and fails (as Psoxy) on an integer beyond one
    expect(filter({ type: 'object', properties: { a: {} } }, '{"a":9223372036854775807}')).toBe('{"a":9223372036854775807}');
    expect(() => filter({ type: 'object', properties: { a: {} } }, '{"a":9223372036854775808}')).toThrow(/beyond the range of a long/);
    // own keys only: names of Object.prototype members are no definitions
    for (const name of ['toString', '__proto__', 'constructor']) expect(() => filter({ $ref: `#/definitions/${name}` }, '{}')).toThrow(/does not name/);
  });

  it('passes augment outputs (+keys) through', () => {
    expect(filter({ type: 'object', properties: {} }, '{"+body:textDigest":{"length":1},"body":"x"}')).toBe('{"+body:textDigest":{"length":1}}');
  });

  it('fails on an unknown type only when a document reaches it', () => {
    const schema: SchemaFilter = { type: 'object', properties: { u: { type: 'onBehalfOf' } } };
    expect(filter(schema, '{"x":1}')).toBe('{}');
    expect(() => filter(schema, '{"u":{}}')).toThrow(/unknown type 'onBehalfOf'/);
  });

  it('runs before transforms', () => {
    const out = sanitizeWith([{ method: 'pseudonymize', jsonPaths: ['$.email'] }], '{"email":"a@b.co","secret":"x"}', {
      responseSchema: { type: 'object', properties: { email: { type: 'string' } } },
    });
    expect(out).toMatch(/^\{"email":"t~[\w-]{43}@b\.co"\}$/);
  });
});

describe('textDigest augment (spec 2.7)', () => {
  it('adds +leaf:textDigest beside the string, and later transforms still see the original', () => {
    const out = sanitizeWith([{ method: 'redact', jsonPaths: ['$..content'] }], '{"body":{"content":"hello big world"}}', {
      augments: [{ method: 'textDigest', jsonPaths: ['$..content'] }],
    });
    expect(out).toBe('{"body":{"+content:textDigest":{"length":15,"word_count":3}}}');
  });

  it('adds nothing for a multi-property leaf: Jayway reports it as one path to a merged map', () => {
    const out = sanitizeWith([], '{"o":{"a":"x y","b":"z"}}', { augments: [{ method: 'textDigest', jsonPaths: ["$..['a','b']"] }] });
    expect(out).toBe('{"o":{"a":"x y","b":"z"}}');
  });

  it('swallows a path that cannot be evaluated, as Psoxy swallows augment failures', () => {
    const out = sanitizeWith([], '{"t":"text","u":"a b"}', { augments: [{ method: 'textDigest', jsonPaths: ['$.t[?(@.x)]', '$.u'] }] });
    expect(out).toBe('{"t":"text","u":"a b","+u:textDigest":{"length":3,"word_count":2}}');
  });

  it('is skipped entirely when the document already has a + key', () => {
    const out = sanitizeWith([], '{"+x":1,"content":"a"}', { augments: [{ method: 'textDigest', jsonPaths: ['$.content'] }] });
    expect(out).toBe('{"+x":1,"content":"a"}');
  });
});
