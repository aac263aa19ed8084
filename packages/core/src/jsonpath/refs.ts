import type { JsonArray, JsonObject, JsonValue } from '../json/value.js';

/** Where a matched value lives, so it can be replaced or deleted (Jayway's `PathRef`). */
export type PathRef =
  | { kind: 'root' }
  | { kind: 'property'; parent: JsonObject; key: string }
  | { kind: 'properties'; parent: JsonObject; keys: string[] }
  | { kind: 'index'; parent: JsonArray; index: number };

export class JsonPathModificationError extends Error {
  override readonly name = 'JsonPathModificationError';
}

function accessor(r: PathRef): string {
  switch (r.kind) {
    case 'root':
      return '$';
    case 'property':
      return r.key;
    case 'properties':
      return r.keys.join('&&');
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
  return refs.sort((a, b) => {
    if (a.kind === 'index' && b.kind === 'index') return b.index - a.index;
    const x = accessor(a);
    const y = accessor(b);
    return x < y ? 1 : x > y ? -1 : 0;
  });
}

/** Replaces the referenced value(s) with `f(value)`. */
export function convertRef(r: PathRef, f: (v: JsonValue) => JsonValue): void {
  switch (r.kind) {
    case 'root':
      throw new JsonPathModificationError('a path that selects the document root cannot be transformed');
    case 'property':
      if (r.parent.has(r.key)) r.parent.set(r.key, f(r.parent.get(r.key) as JsonValue));
      return;
    case 'properties':
      for (const k of r.keys) if (r.parent.has(k)) r.parent.set(k, f(r.parent.get(k) as JsonValue));
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
      r.parent.delete(r.key);
      return;
    case 'properties':
      for (const k of r.keys) r.parent.delete(k);
      return;
    case 'index':
      if (r.index < r.parent.length) r.parent.splice(r.index, 1);
      return;
  }
}
