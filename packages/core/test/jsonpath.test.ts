import { describe, expect, it } from 'vitest';
import { type JsonValue, isJsonObject, parseJson, writeJson } from '../src/json/index.js';
import { JsonPathSet } from '../src/jsonpath/compile.js';
import { InvalidPathError, JsonPathSyntaxError, compileJsonPath } from '../src/jsonpath/index.js';

const mark = (v: JsonValue): JsonValue => `X(${writeJson(v)})`;
function mapped(path: string, json: string): string {
  const doc = parseJson(json);
  compileJsonPath(path).map(doc, mark);
  return writeJson(doc);
}
function deleted(path: string, json: string): string {
  const doc = parseJson(json);
  compileJsonPath(path).delete(doc);
  return writeJson(doc);
}
const read = (path: string, json: string) => compileJsonPath(path).read(parseJson(json)).map((v) => writeJson(v));

/**
 * Seeded random JSON texts with the awkward cases for path evaluators: repeated and nested names,
 * integer-like keys (kept order), `__proto__`, names that arrays, JsonDouble or every object answer
 * to themselves (`length`, `value`, `toString`), integral doubles, nested arrays. `value(depth)` is
 * one value's text.
 */
function randomJson(seed: number, names: readonly string[]) {
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const value = (depth: number): string => {
    const r = rand(depth > 3 ? 3 : 6);
    // integral doubles too (`2.0`, a JsonDouble): an object whose own `value` a name must not find
    if (r === 0) return rand(4) === 0 ? `${rand(9)}.0` : String(rand(100));
    if (r === 1) return `"s${rand(9)}"`;
    if (r === 2) return 'null';
    if (r === 3) return `[${Array.from({ length: rand(4) }, () => value(depth + 1)).join(',')}]`;
    const keys = [...new Set(Array.from({ length: rand(5) }, () => names[rand(names.length)] as string))];
    return `{${keys.map((k) => `"${k}":${value(depth + 1)}`).join(',')}}`;
  };
  return { rand, value };
}

describe('JSONPath with Jayway semantics', () => {
  it('prepends $. to paths that do not start with $ or @', () => {
    expect(mapped('foo', '{"foo":1,"bar":2}')).toBe('{"foo":"X(1)","bar":2}');
  });

  it('deep scan visits parents before children, through arrays', () => {
    expect(read('$..id', '{"id":1,"a":{"id":2,"b":[{"id":3},{"x":4}]}}')).toEqual(['1', '2', '3']);
  });

  it('applies a filter on an object to the object itself', () => {
    expect(mapped('$[?(@.system!=true)].body', '{"system":false,"body":"b"}')).toBe('{"system":false,"body":"X(\\"b\\")"}');
    expect(mapped('$[?(@.system!=true)].body', '{"system":true,"body":"b"}')).toBe('{"system":true,"body":"b"}');
  });

  it('applies a filter on an array to each element, scalars included', () => {
    expect(mapped("$.members[?(@!='USLACKBOT')]", '{"members":["USLACKBOT","U1"]}')).toBe('{"members":["USLACKBOT","X(\\"U1\\")"]}');
  });

  it('treats a missing property as not equal (@.x != true holds when x is absent)', () => {
    expect(mapped('$.users[?(@.is_bot != true)].name', '{"users":[{"name":"a"},{"name":"b","is_bot":true}]}')).toBe(
      '{"users":[{"name":"X(\\"a\\")"},{"name":"b","is_bot":true}]}',
    );
  });

  it('compares numbers and strings as Jayway (1 == \'1\')', () => {
    expect(read("$.a[?(@.n == '1')].n", '{"a":[{"n":1},{"n":"1"},{"n":2}]}')).toEqual(['1', '"1"']);
    expect(read('$.a[?(@.n > 1)].n', '{"a":[{"n":1},{"n":2.5},{"n":"3"}]}')).toEqual(['2.5']);
  });

  it('makes =~ a full match, /i ASCII case-insensitive', () => {
    const doc = '{"h":[{"name":"From"},{"name":"X-From"},{"name":"to"}]}';
    expect(read('$.h[?(@.name =~ /^(From|To)$/i)].name', doc)).toEqual(['"From"', '"to"']);
    expect(read('$.h[?(@.name =~ /From/)].name', doc)).toEqual(['"From"']);
  });

  it("supports !(...), &&, ||, in, nin, size, empty and existence", () => {
    const doc = '{"a":[{"n":"x","t":[1,2]},{"n":"y","t":[]},{"n":"z"}]}';
    expect(read("$.a[?(!(@.n == 'x'))].n", doc)).toEqual(['"y"', '"z"']);
    expect(read("$.a[?(@.n == 'x' || @.n == 'z')].n", doc)).toEqual(['"x"', '"z"']);
    expect(read("$.a[?(@.n != 'x' && @.t)].n", doc)).toEqual(['"y"']);
    expect(read("$.a[?(@.n in ['x','z'])].n", doc)).toEqual(['"x"', '"z"']);
    expect(read("$.a[?(@.n nin ['x','z'])].n", doc)).toEqual(['"y"']);
    expect(read('$.a[?(@.t size 2)].n', doc)).toEqual(['"x"']);
    expect(read('$.a[?(@.t empty true)].n', doc)).toEqual(['"y"']);
    expect(read('$.a[?(!@.t)].n', doc)).toEqual(['"z"']);
  });

  it('nin against a right side that is no list, as Jayway: an object contains nothing; a string or a missing property fails the filter', () => {
    const doc = '{"items":[{"a":"x","b":"y","o":{"k":1},"s":"str"}]}';
    expect(read('$.items[?(@.a nin @.o)].a', doc)).toEqual(['"x"']);
    expect(read('$.items[?(@.a nin @.s)].a', doc)).toEqual([]);
    expect(read('$.items[?(@.a nin @.missing)].a', doc)).toEqual([]);
    expect(read('$.items[?(@.a in @.o)].a', doc)).toEqual([]);
  });

  it('size counts arrays and strings only, and anyof/subsetof/noneof need a list on the left, as Jayway', () => {
    const doc = '{"items":[{"a":"x","o":{"k":1},"l":[1]}]}';
    expect(read('$.items[?(@.o size 1)].a', doc)).toEqual([]);
    expect(read('$.items[?(@.l size 1)].a', doc)).toEqual(['"x"']);
    expect(read("$.items[?(@.a anyof ['x'])].a", doc)).toEqual([]);
    expect(read("$.items[?(@.a subsetof ['x'])].a", doc)).toEqual([]);
    expect(read("$.items[?(@.a noneof ['y'])].a", doc)).toEqual([]);
    expect(read('$.items[?(@.l anyof [1,2])].a', doc)).toEqual(['"x"']);
  });

  it('an exists check on a $ path looks at the current item, as Jayway does', () => {
    const doc = '{"flag":true,"items":[{"a":"x"},{"a":"y","flag":1}]}';
    expect(read('$.items[?($.flag)].a', doc)).toEqual(['"y"']);
    // a comparison on a $ path still reads the root
    expect(read('$.items[?($.flag == true)].a', doc)).toEqual(['"x"', '"y"']);
  });

  it('multi-property after .. as the last step matches only objects holding all the names', () => {
    expect(mapped("$..['id','email']", '{"id":1,"email":"e","a":{"id":2}}')).toBe('{"id":"X(1)","email":"X(\\"e\\")","a":{"id":2}}');
  });

  it('multi-property not last, or not after .., takes each name independently', () => {
    expect(mapped("$..['user','owner'].login", '{"user":{"login":"u"},"x":{"owner":{"login":"o"}}}')).toBe(
      '{"user":{"login":"X(\\"u\\")"},"x":{"owner":{"login":"X(\\"o\\")"}}}',
    );
    expect(mapped("$.o['a','b']", '{"o":{"a":1,"c":3}}')).toBe('{"o":{"a":"X(1)","c":3}}');
    expect(mapped("$..['user'].['id','email']", '{"user":{"id":1}}')).toBe('{"user":{"id":"X(1)"}}');
  });

  it("reads a quoted name with brackets as a literal key", () => {
    expect(mapped("$['requested_reviewers[*]']", '{"requested_reviewers[*]":1}')).toBe('{"requested_reviewers[*]":"X(1)"}');
  });

  it('deletes several array elements (high to low)', () => {
    expect(deleted('$.a[?(@ > 1)]', '{"a":[1,2,3,1,5]}')).toBe('{"a":[1,1]}');
    expect(deleted('$.a[1,0]', '{"a":[1,2,3]}')).toBe('{"a":[3]}');
  });

  it('deep-scan delete removes every occurrence', () => {
    expect(deleted('$..name', '{"name":1,"a":[{"name":2},{"b":{"name":3}}]}')).toBe('{"a":[{},{"b":{}}]}');
  });

  it('loses updates below a parent that map replaced (detached parent)', () => {
    const doc = parseJson('{"a":{"a":"x"}}');
    compileJsonPath('$..a').map(doc, (v) => (isJsonObject(v) ? parseJson('{"a":"replaced"}') : 'inner'));
    expect(writeJson(doc)).toBe('{"a":{"a":"replaced"}}');
  });

  it('passes nulls and whole containers to map', () => {
    const seen: string[] = [];
    compileJsonPath('$..members').map(parseJson('{"members":[1,2],"x":{"members":null}}'), (v) => {
      seen.push(writeJson(v));
      return v;
    });
    expect(seen).toEqual(['[1,2]', 'null']);
  });

  it('silently matches nothing for missing paths, definite or not', () => {
    expect(mapped('$.a.b.c', '{"a":{}}')).toBe('{"a":{}}');
    expect(mapped('$.a[*].b', '{"a":[{"c":1}]}')).toBe('{"a":[{"c":1}]}');
    expect(read('$.a.b', '{"a":1}')).toEqual([]);
  });

  it('supports indexes, slices and wildcards over objects', () => {
    expect(read('$.a[-1]', '{"a":[1,2,3]}')).toEqual(['3']);
    expect(read('$.a[1:]', '{"a":[1,2,3]}')).toEqual(['2', '3']);
    expect(read('$.a[:2]', '{"a":[1,2,3]}')).toEqual(['1', '2']);
    expect(read('$.o.*', '{"o":{"x":1,"y":2}}')).toEqual(['1', '2']);
    expect(read('$.o[*]', '{"o":{"x":1,"y":2}}')).toEqual(['1', '2']);
  });

  it("slices as Jayway's three slice operations do (PathCompilerTest, ArraySlicingTest)", () => {
    const five = '[0,1,2,3,4]';
    expect(read('$[-2:]', five)).toEqual(['3', '4']);
    expect(read('$[:-2]', five)).toEqual(['0', '1', '2']);
    // [from:to] takes `to` as it is, and reads a negative index from the end as it walks
    expect(read('$[1:-1]', five)).toEqual([]);
    expect(read('$[-2:3]', five)).toEqual(['3', '4', '0', '1', '2']);
    // a third part is ignored; spaces may surround the slice, not sit inside it
    expect(read('$[1:2:3]', five)).toEqual(['1']);
    expect(read('$[ 1:2 ]', five)).toEqual(['1']);
    expect(read('$[0, 1,2]', five)).toEqual(['0', '1', '2']);
  });

  it('accepts .[ and bracket keys containing @ and .', () => {
    expect(read("$.settings.['a.b','c@d']", '{"settings":{"a.b":1,"c@d":2}}')).toEqual(['{"a.b":1,"c@d":2}']);
  });

  it('refuses bad paths and unsupported functions at compile time', () => {
    expect(() => compileJsonPath('$.a.')).toThrow(JsonPathSyntaxError);
    expect(() => compileJsonPath('$..')).toThrow(JsonPathSyntaxError);
    expect(() => compileJsonPath('$.a.length()')).toThrow(/functions/);
    expect(() => compileJsonPath('$.a[?(@.x =~ /a/u)]')).toThrow(/flag/);
    expect(() => compileJsonPath("$.a[?(@.x == 'unterminated)]")).toThrow(JsonPathSyntaxError);
    expect(() => compileJsonPath('$.a b')).toThrow(/bracket notation/);
    // as Jayway's PathCompiler: the root is followed by '.' or '[', indexes are whole integers
    // separated by commas, and a slice has a bound
    for (const bad of ['$X', '@X', '$[0, 1, 2 4]', '$[1 2]', '$[1,]', '$[:]', '$[1 : 2]', '$[2147483648]']) {
      expect(() => compileJsonPath(bad), bad).toThrow(JsonPathSyntaxError);
    }
  });

  it('a filter on a primitive under a definite path is an error, as in Jayway', () => {
    expect(() => compileJsonPath('$.a[?(@.x)]').map(parseJson('{"a":"str"}'), mark)).toThrow(InvalidPathError);
  });

  it('compiles once and caches', () => {
    expect(compileJsonPath('$..email')).toBe(compileJsonPath('$..email'));
  });

  it('a scan from the root to a property (folded walk, or applied where found) matches the general walk exactly', () => {
    // `$[?(1 == 1)]..x` reaches the same scan through a filter on the root object, which takes the
    // general walk; `$..x` takes the folded one. Random documents with the awkward cases: repeated
    // and nested names, integer-like keys (kept order), `__proto__`, deleted keys, nested arrays.
    const { value } = randomJson(42, ['a', 'b', 'id', 'login', '1', '__proto__', 'length', 'value', 'toString']);
    const paths = ['a', 'id', '__proto__', "['a','id']", "['a','b'].id", "['login','1'].a", 'a[*]', 'a.id', 'b..id', '1', 'length', 'value', 'toString', 'constructor'];
    for (let n = 0; n < 300; n++) {
      const json = `{"a":${value(1)},"b":${value(1)},"c":${value(0)}}`;
      for (const p of paths) {
        const folded = compileJsonPath(`$..${p}`);
        const general = compileJsonPath(`$[?(1 == 1)]..${p}`);
        expect(folded.read(parseJson(json)).map((v) => writeJson(v)), `${p} in ${json}`).toEqual(general.read(parseJson(json)).map((v) => writeJson(v)));
        const [x, y] = [parseJson(json), parseJson(json)];
        compileJsonPath('$.c.a').delete(x);
        compileJsonPath('$.c.a').delete(y);
        // the same calls in the same order, not only the same result
        const calls: [string[], string[]] = [[], []];
        const recording = (i: 0 | 1) => (v: JsonValue) => {
          calls[i].push(writeJson(v));
          return mark(v);
        };
        folded.map(x, recording(0));
        general.map(y, recording(1));
        expect(writeJson(x), `${p} in ${json}`).toBe(writeJson(y));
        expect(calls[0], `${p} in ${json}`).toEqual(calls[1]);
        const [d1, d2] = [parseJson(json), parseJson(json)];
        folded.delete(d1);
        general.delete(d2);
        expect(writeJson(d1), `delete ${p} in ${json}`).toBe(writeJson(d2));
      }
    }
  });

  it('names-and-wildcards paths (one walk) and sets of them (walked together) do what the general evaluator does', () => {
    // `$[?(1 == 1)].x` takes the general evaluator through a filter on the root object; for map
    // and delete it matches what `$.x` does (a missing definite step matches nothing either way).
    const { rand, value } = randomJson(7, ['u', 'a', 'b', '1', '__proto__', 'length', 'value']);
    const pool = ['u[*].a', 'u[*].b', 'u[*].a.b', 'u[*].a[*]', 'u[*].*.a', 'u[*][*].b', 'u.a', 'u.a[*].b', 'u[*].__proto__', 'u[*].1', 'a', 'a[*].u', 'u[*].a'];
    pool.push('u[*].length', 'u[*].value', 'u.length', 'a.value', 'u[*].toString', 'u[*].a.value', 'u[*][*].length');
    for (let n = 0; n < 400; n++) {
      const json = `{"u":${value(1)},"a":${value(1)}}`;
      const picked = Array.from({ length: 1 + rand(5) }, () => pool[rand(pool.length)] as string);
      const set = new JsonPathSet(picked.map((p) => compileJsonPath(`$.${p}`)));
      const general = picked.map((p) => compileJsonPath(`$[?(1 == 1)].${p}`));
      const [x, y] = [parseJson(json), parseJson(json)];
      set.map(x, mark);
      for (const g of general) g.map(y, mark);
      expect(writeJson(x), `map ${picked.join(' ')} in ${json}`).toBe(writeJson(y));
      const [d1, d2] = [parseJson(json), parseJson(json)];
      set.delete(d1);
      for (const g of general) g.delete(d2);
      expect(writeJson(d1), `delete ${picked.join(' ')} in ${json}`).toBe(writeJson(d2));
      for (const p of picked) {
        const [s1, s2] = [parseJson(json), parseJson(json)];
        expect(compileJsonPath(`$.${p}`).map(s1, mark), p).toBe(compileJsonPath(`$[?(1 == 1)].${p}`).map(s2, mark));
        expect(writeJson(s1), `map ${p} in ${json}`).toBe(writeJson(s2));
      }
    }
  });

  it('deep scans sharing one walk (redact, pseudonymize) give what they give one after the other', () => {
    const { rand, value } = randomJson(11, ['a', 'b', 'c', '1', '__proto__', 'length', 'value']);
    const pool = ['$..a', '$..b', "$..['a','b']", "$..['a','c'].b", '$..a[*].b', '$..c.a', '$..b.*.c', '$..1', '$..__proto__', '$.a', "$..['b','c']"];
    pool.push('$..length', '$..value', '$..toString');
    // pseudonymization's contract for the calls: a container fails the whole transform
    const strict = (calls: string[]) => (v: JsonValue) => {
      calls.push(writeJson(v));
      if (typeof v === 'object' && v !== null) throw new Error('container');
      return mark(v);
    };
    const outcome = (f: () => void, doc: JsonValue) => {
      try {
        f();
        return writeJson(doc);
      } catch (e) {
        return `threw ${(e as Error).message}`;
      }
    };
    for (let n = 0; n < 600; n++) {
      const json = `{"a":${value(1)},"b":${value(1)},"c":${value(0)}}`;
      const picked = Array.from({ length: 2 + rand(4) }, () => pool[rand(pool.length)] as string);
      const set = new JsonPathSet(picked.map((p) => compileJsonPath(p)), { shareScans: true });
      const one = picked.map((p) => compileJsonPath(p.replace(/^\$/, '$[?(1 == 1)]')));
      const [d1, d2] = [parseJson(json), parseJson(json)];
      set.delete(d1);
      for (const p of one) p.delete(d2);
      expect(writeJson(d1), `delete ${picked.join(' ')} in ${json}`).toBe(writeJson(d2));
      const calls: [string[], string[]] = [[], []];
      const [m1, m2] = [parseJson(json), parseJson(json)];
      const f1 = strict(calls[0]);
      const f2 = strict(calls[1]);
      const r1 = outcome(() => set.map(m1, f1), m1);
      const r2 = outcome(() => {
        for (const p of one) p.map(m2, f2);
      }, m2);
      expect(r1, `map ${picked.join(' ')} in ${json}`).toBe(r2);
      expect(calls[0], `map ${picked.join(' ')} in ${json}`).toEqual(calls[1]);
    }
  });
});
