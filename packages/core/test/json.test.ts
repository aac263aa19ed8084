import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type JsonObject,
  type JsonValue,
  JsonDouble,
  deleteKey,
  hasKey,
  internKey,
  keysOf,
  setKey,
  JsonSyntaxError,
  decodeUtf8,
  javaDoubleToString,
  jsonEquals,
  parseJson,
  parseJsonDocuments,
  parseJsonDocumentsAuto,
  quoteJsonString,
  writeJson,
  writeJsonNative,
  writeJsonPretty,
} from '../src/json/index.js';

const roundTrip = (s: string) => writeJson(parseJson(s));

describe('internKey', () => {
  it('returns an equal string for any name, special ones included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '4294967294', '4294967295', '-1', 'constructor', '')), (name) => {
        expect(internKey(name)).toBe(name);
      }),
    );
  });
});

describe('JSON fidelity', () => {
  it('keeps integers beyond 2^53 exactly', () => {
    expect(roundTrip('{"id":9007199254740993,"n":-123456789012345678901234567890}')).toBe(
      '{"id":9007199254740993,"n":-123456789012345678901234567890}',
    );
  });

  it('keeps integers beyond a double\'s range exactly (JSON.parse makes them Infinity)', () => {
    const big = `1${'0'.repeat(400)}`;
    for (const text of [`{"a":${big}}`, `[-${big},1]`, big]) {
      const parsed = parseJsonDocumentsAuto(text);
      expect(writeJson(parsed.docs[0] as JsonValue)).toBe(text);
    }
  });

  it('keeps key order, including integer-like keys that JS objects would move first', () => {
    expect(roundTrip('{"b":1,"10":2,"a":3,"2":4,"__proto__":5}')).toBe('{"b":1,"10":2,"a":3,"2":4,"__proto__":5}');
  });

  it('keeps the first position and the last value of a duplicate key, as Jackson', () => {
    expect(roundTrip('{"a":1,"b":2,"a":3}')).toBe('{"a":3,"b":2}');
  });

  it('writes doubles as Java Double.toString', () => {
    expect(roundTrip('[1.0,100.0,1.5,0.001,1e7,1.692158096299021E9,1e-5,-0.0,-0,1E10,123456.789e3,0.00012]')).toBe(
      '[1.0,100.0,1.5,0.001,1.0E7,1.692158096299021E9,1.0E-5,-0.0,0,1.0E10,1.23456789E8,1.2E-4]',
    );
    expect(javaDoubleToString(Number.MIN_VALUE)).toBe('4.9E-324');
    expect(javaDoubleToString(9999999.999)).toBe('9999999.999');
    expect(javaDoubleToString(1e21)).toBe('1.0E21');
    expect(javaDoubleToString(0.1 + 0.2)).toBe('0.30000000000000004');
  });

  it('escapes as Jackson: upper-case \\u00XX for controls, raw non-ASCII, / and U+2028', () => {
    expect(roundTrip('"a\\u0001b\\u001fc\\/d\\u00e9\\u2028\\ud83d\\ude00"')).toBe('"a\\u0001b\\u001Fc/dé\u2028😀"');
    expect(quoteJsonString('tab\tnl\ncr\r"q"\\')).toBe('"tab\\tnl\\ncr\\r\\"q\\"\\\\"');
    // a lone surrogate cannot be UTF-8: it stays escaped (as JSON.stringify does) rather than replaced
    expect(roundTrip('"\\ud83d"')).toBe('"\\ud83d"');
  });

  it('reads every top-level value (NDJSON and concatenated values)', () => {
    expect(parseJsonDocuments('{"a":1}\n{"a":2}\n').map(writeJson)).toEqual(['{"a":1}', '{"a":2}']);
    expect(parseJsonDocuments('{}{}[]').length).toBe(3);
    expect(parseJsonDocuments(' \n ')).toEqual([]);
  });

  it('strips a UTF-8 BOM and rejects invalid UTF-8', () => {
    expect(roundTrip('\ufeff{"a":1}')).toBe('{"a":1}');
    expect(() => decodeUtf8(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/UTF-8/);
  });

  it.each([
    ['{', /end of input/],
    ['{"a"', /expected ':'/],
    ['{"a":1,}', /property name/],
    ['[1,]', /unexpected character/],
    ["{'a':1}", /property name/],
    ['01', /leading zeroes/],
    ['1.', /digit after the decimal point/],
    ['"a\nb"', /control character/],
    ['"\\x"', /invalid escape/],
    ['NaN', /unexpected/],
    ['{"a":1} x', /unexpected/],
    ['tru', /unexpected token/],
  ])('rejects %j with a located error', (text, why) => {
    expect(() => parseJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseJson(text)).toThrow(why);
  });

  it('reports line and column', () => {
    try {
      parseJson('{\n  "a": 1,\n  "b" 2\n}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).line).toBe(3);
      expect((e as JsonSyntaxError).column).toBe(7);
    }
  });

  it('refuses nesting deeper than Jackson does', () => {
    expect(() => parseJson('['.repeat(1001) + ']'.repeat(1001))).toThrow(/nesting deeper/);
    expect(() => parseJson('['.repeat(1000) + ']'.repeat(1000))).not.toThrow();
    // so deep that JSON.parse reads it but a recursive walk overflows the stack: the same located error
    expect(() => parseJsonDocumentsAuto('['.repeat(200_000) + ']'.repeat(200_000))).toThrow(/column 1001: nesting deeper than 1000/);
  });

  it('pretty-prints as Psoxy fixtures', () => {
    expect(writeJsonPretty(parseJson('{"a":[1,{"x":null}],"b":{},"c":[]}'))).toBe(
      '{\n  "a":[\n    1,\n    {\n      "x":null\n    }\n  ],\n  "b":{ },\n  "c":[ ]\n}',
    );
  });

  it('compares as JSON: numbers by value, keys in any order', () => {
    expect(jsonEquals(parseJson('{"a":1.6E9,"b":2}'), parseJson('{"b":2,"a":1600000000}'))).toBe(true);
    expect(jsonEquals(parseJson('{"a":1,"b":2}'), parseJson('{"b":2,"a":1}'), { keyOrder: true })).toBe(false);
    expect(jsonEquals(parseJson('[1]'), parseJson('[1,1]'))).toBe(false);
  });

  it('round-trips any JSON value written by JSON.stringify (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const parsed = parseJson(text);
        // same value as JSON.parse sees it
        expect(jsonEquals(parsed, parseJson(JSON.stringify(JSON.parse(writeJson(parsed)))))).toBe(true);
        // and writing is stable
        expect(writeJson(parseJson(writeJson(parsed)))).toBe(writeJson(parsed));
      }),
      { numRuns: 300 },
    );
  });

  it('uses JSON.parse only when it is faithful', () => {
    const native = (t: string) => {
      const r = parseJsonDocumentsAuto(t);
      return !r.exact && writeJsonNative(r.docs[0] as JsonValue, r.controlEscapes) === writeJson(parseJson(t));
    };
    expect(native('{"a":1,"t":"10:00:00.000Z","s":"v1.0beta 2e5x","b":123456789012345}')).toBe(true);
    expect(native('{"01":1,"4294967295":2,"_x":3}')).toBe(true);
    // no integral number parsed, so the text's exponent-looking string need not be looked at
    expect(native('{"note":"build 2e5, then 3E7]","ok":true}')).toBe(true);
    expect(parseJsonDocumentsAuto('{"note":"build 2e5, then 3E7]","ok":true}').exact).toBe(false);
    expect(parseJsonDocumentsAuto('{"note":"build 2e5, then 3E7]","n":1}').exact).toBe(true);
    for (const t of ['{"a":1.0}', '[1e5]', '1E5', '{"a":1.5E10}', '{"a":-0.0}', '{"id":12345678901234567}', '{"10":1}', '{"__proto__":1}', '{"a":1.5e-7}']) {
      expect(parseJsonDocumentsAuto(t).exact, t).toBe(true);
      const r = parseJsonDocumentsAuto(t);
      expect(r.docs.map(writeJson).join(''), t).toBe(writeJson(parseJson(t)));
    }
    expect(parseJsonDocumentsAuto('{"a":"\\u001f"}').controlEscapes).toBe(true);
  });

  it('the native path writes exactly what the exact path writes (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v);
        const auto = parseJsonDocumentsAuto(text);
        const exactOut = parseJsonDocuments(text).map(writeJson).join('\n');
        const autoOut = auto.docs.map((d) => (auto.exact ? writeJson(d) : writeJsonNative(d, auto.controlEscapes))).join('\n');
        expect(autoOut).toBe(exactOut);
      }),
      { numRuns: 500 },
    );
  });

  it('deletes with tombstones that no reader sees, and re-adds a key last', () => {
    const o = parseJson('{"a":1,"b":2,"c":3}') as JsonObject;
    expect(deleteKey(o, 'b')).toBe(true);
    expect(deleteKey(o, 'b')).toBe(false);
    expect(hasKey(o, 'b')).toBe(false);
    expect(keysOf(o)).toEqual(['a', 'c']);
    expect(writeJson(o)).toBe('{"a":1,"c":3}');
    expect(JSON.stringify(o)).toBe('{"a":1,"c":3}');
    setKey(o, 'b', 9);
    expect(writeJson(o)).toBe('{"a":1,"c":3,"b":9}');
    expect(hasKey(o, 'toString')).toBe(false);
    expect(hasKey(o, '__proto__')).toBe(false);
    const ordered = parseJson('{"z":1,"10":2}') as JsonObject;
    setKey(ordered, '5', 3);
    deleteKey(ordered, 'z');
    expect(writeJson(ordered)).toBe('{"10":2,"5":3}');
    expect(jsonEquals(ordered, parseJson('{"5":3,"10":2}'))).toBe(true);
  });

  it('the native path never loses a number lexeme Jackson would keep (property)', () => {
    const lexeme = fc.oneof(
      fc.constantFrom('1.0', '2.000', '-0.0', '1e5', '1E5', '1.5E10', '1e+16', '2.5e-3', '0.001', '1.5', '100', '-7'),
      fc.integer().map(String),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: -30, max: 30 }), fc.boolean()).map(
        ([a, b, e, upper]) => `${a}.${b}${upper ? 'E' : 'e'}${e}`,
      ),
    );
    const doc = fc.array(fc.tuple(fc.constantFrom('a', 'b', '1', '__proto__', 'x y'), lexeme, fc.constantFrom(' ', '', '\n  ')), { maxLength: 6 }).map(
      (entries) => `{${entries.map(([k, n, ws]) => `"${k}":${ws}${n}${ws}`).join(',')}}`,
    );
    fc.assert(
      fc.property(fc.oneof(doc, lexeme, doc.map((d) => `[${d},${d}]`)), (text) => {
        const auto = parseJsonDocumentsAuto(text);
        const exactOut = parseJsonDocuments(text).map(writeJson).join('\n');
        const autoOut = auto.docs.map((d) => (auto.exact ? writeJson(d) : writeJsonNative(d, auto.controlEscapes))).join('\n');
        expect(autoOut).toBe(exactOut);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps integral doubles as doubles', () => {
    const v = parseJson('1.0');
    expect(v).toBeInstanceOf(JsonDouble);
    expect(writeJson(v)).toBe('1.0');
  });
});
