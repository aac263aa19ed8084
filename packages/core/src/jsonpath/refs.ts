import { type JsonArray, type JsonObject, type JsonValue, deleteKey, hasKey, setKey } from '../json/value.js';

/** Where a matched value lives, so it can be replaced or deleted (Jayway's `PathRef`). */
export type PathRef =
  | { kind: 'root' }
  | { kind: 'property'; parent: JsonObject; key: string }
  | { kind: 'properties'; parent: JsonObject; keys: readonly string[] }
  | { kind: 'index'; parent: JsonArray; index: number };

type IndexRef = Extract<PathRef, { kind: 'index' }>;

export class JsonPathModificationError extends Error {
  override readonly name = 'JsonPathModificationError';
}

// A multi-name reference's accessor joins its names. Its list is the path token's own (never
// changed), so the join is made once per token, not once per reference (GitHub's redactions make
// thousands of references of 13-18 names per page).
const joinedKeys = new WeakMap<readonly string[], string>();

function accessor(r: PathRef): string {
  switch (r.kind) {
    case 'root':
      return '$';
    case 'property':
      return r.key;
    case 'properties': {
      let joined = joinedKeys.get(r.keys);
      if (joined === undefined) {
        joined = r.keys.join('&&');
        joinedKeys.set(r.keys, joined);
      }
      return joined;
    }
    case 'index':
      return String(r.index);
  }
}

/**
 * Jayway sorts the collected references before applying them: array indices high to low (so that
 * deleting several elements of one array works), everything else by accessor, descending.
 * `Array.prototype.sort` is stable, as Java's `Collections.sort`.
 */
export function sortRefs(refs: PathRef[]): PathRef[] {
  // Commonly every reference is to the same key (`$.users[*].email`): already in order.
  const first = refs[0];
  if (first?.kind === 'property' && refs.every((r) => r.kind === 'property' && r.key === first.key)) return refs;
  if (refs.every((r) => r.kind === 'index')) return refs.sort((a, b) => (b as IndexRef).index - (a as IndexRef).index);
  // each accessor made once, not once per comparison (a multi-name reference joins its names)
  const keyed = refs.map((ref) => ({ ref, accessor: accessor(ref) }));
  keyed.sort((x, y) => {
    const a = x.ref;
    const b = y.ref;
    if (a.kind === 'index' && b.kind === 'index') return b.index - a.index;
    return x.accessor < y.accessor ? 1 : x.accessor > y.accessor ? -1 : 0;
  });
  for (let i = 0; i < refs.length; i++) refs[i] = (keyed[i] as { ref: PathRef }).ref;
  return refs;
}

/** Replaces the referenced value(s) with `f(value)`. */
export function convertRef(r: PathRef, f: (v: JsonValue) => JsonValue): void {
  switch (r.kind) {
    case 'root':
      throw new JsonPathModificationError('a path that selects the document root cannot be transformed');
    case 'property': {
      const { parent, key } = r;
      if (!hasKey(parent, key)) return;
      const v = f(parent[key] as JsonValue);
      // an existing key keeps its place: plain assignment, except for `__proto__` (a setter)
      if (key === '__proto__') setKey(parent, key, v);
      else parent[key] = v;
      return;
    }
    case 'properties':
      for (const k of r.keys) if (hasKey(r.parent, k)) setKey(r.parent, k, f(r.parent[k] as JsonValue));
      return;
    case 'index':
      if (r.index < r.parent.length) r.parent[r.index] = f(r.parent[r.index] as JsonValue);
      return;
  }
}

/** Deletes the referenced value(s). */
export function deleteRef(r: PathRef): void {
  switch (r.kind) {
    case 'root':
      throw new JsonPathModificationError('a path that selects the document root cannot be redacted');
    case 'property':
      deleteKey(r.parent, r.key);
      return;
    case 'properties':
      for (const k of r.keys) deleteKey(r.parent, k);
      return;
    case 'index':
      if (r.index < r.parent.length) r.parent.splice(r.index, 1);
      return;
  }
}
