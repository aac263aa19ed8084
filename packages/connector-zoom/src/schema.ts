import type { SchemaFilter } from '@psoxy/core';

/**
 * A compact notation for response schemas: `'id:i name:s created_at:dt tags:[s] settings:@Settings
 * rooms:[@Room]'`: `s` string, `i` integer, `b` boolean, `dt` date-time string, `@Name` a
 * definition, `[...]` an array of it.
 */
export function fields(spec: string): Record<string, SchemaFilter> {
  const out: Record<string, SchemaFilter> = {};
  for (const part of spec.trim().split(/\s+/)) {
    const at = part.indexOf(':');
    out[part.slice(0, at)] = type(part.slice(at + 1));
  }
  return out;
}

function type(t: string): SchemaFilter {
  if (t.startsWith('[') && t.endsWith(']')) return { type: 'array', items: type(t.slice(1, -1)) };
  if (t.startsWith('@')) return { $ref: `#/definitions/${t.slice(1)}` };
  switch (t) {
    case 's':
      return { type: 'string' };
    case 'i':
      return { type: 'integer' };
    case 'b':
      return { type: 'boolean' };
    case 'dt':
      return { type: 'string', format: 'date-time' };
  }
  throw new Error(`unknown schema type '${t}'`);
}

/** An object schema with these fields. */
export const object = (spec: string): SchemaFilter => ({ type: 'object', properties: fields(spec) });
