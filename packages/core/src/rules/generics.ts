import type { SchemaFilter, TransformInput } from './model.js';

/**
 * Building blocks of connector rules, as Psoxy's `rules/generics` and vendor transforms: written
 * once here so that every connector family uses the same lists.
 */

/** Psoxy's "conventional phrases" of calendar event titles (`generics/Calendar.java`): kept, the rest redacted. */
export const CALENDAR_CONVENTIONAL_PHRASES: readonly string[] = [
  'Focus Time', 'Focus', 'No Meetings', 'No Meeting', 'no mtg', 'Prep', 'OOO', 'Out of Office', 'Out of the Office',
  'call', 'brainstorm', 'brainstorming', 'brain storm', 'check in', 'check-in', 'checkin', 'coffee', 'food',
  'happy hour', 'lunch', 'office hours', 'onsite', 'on-site', 'social', 'stand up', 'stand-up', 'standup',
  'team building', 'teambuilding', 'daily', 'bi-weekly', 'biweekly', 'weekly', 'monthly', 'quarterly', '1:1',
  '1-on-1', 'one-on-one', 'all-hands', 'all hands', 'allhands', 'team meeting', 'decision making', 'decision',
  'hand off', 'hand-off', 'handoff', 'handover', 'information sharing', 'problem solving', 'retro', 'review', 'sprint',
];

/** `pseudonymize` as URL-safe tokens (the default encoding), with options. */
export function pseudonymizeAt(jsonPaths: string[], extra: Partial<Extract<TransformInput, { method: 'pseudonymize' }>> = {}): TransformInput {
  return { method: 'pseudonymize', jsonPaths, encoding: 'URL_SAFE_TOKEN', ...extra };
}

/** `redact` of the given paths. */
export function redactAt(jsonPaths: string[]): TransformInput {
  return { method: 'redact', jsonPaths };
}

/** Keep only the listed phrases of calendar titles (`redactExceptPhrases`). */
export function keepCalendarPhrases(jsonPaths: string[]): TransformInput {
  return { method: 'redactExceptPhrases', jsonPaths, allowedPhrases: [...CALENDAR_CONVENTIONAL_PHRASES] };
}

/** Psoxy's Zoom transforms (`zoom/ZoomTransforms.java`): keep only Zoom URLs in free text... */
export function keepOnlyZoomUrls(jsonPaths: string[]): TransformInput {
  return { method: 'filterTokenByRegex', jsonPaths, delimiter: '\\s+', filters: ['https://[^.]+\\.zoom\\.us/.*'] };
}

/** ... and strip meeting passwords from URLs. */
export function redactZoomPasswords(jsonPaths: string[]): TransformInput {
  return { method: 'redactRegexMatches', jsonPaths, redactions: ['(?i)pwd=[^&]*'] };
}

/**
 * Response schemas in a compact notation: `'id:i name:s created_at:dt tags:[s] settings:@Settings
 * rooms:[@Room]'`: `s` string, `i` integer, `n` number, `b` boolean, `dt` date-time string, `@Name` a
 * definition, `[...]` an array of it. Psoxy's rule files spell the same schemas out in YAML.
 */
export function schemaFields(spec: string): Record<string, SchemaFilter> {
  const out: Record<string, SchemaFilter> = {};
  for (const part of spec.trim().split(/\s+/)) {
    if (part === '') continue;
    const at = part.indexOf(':');
    if (at <= 0) throw new Error(`schema field '${part}' is not name:type`);
    out[part.slice(0, at)] = schemaType(part.slice(at + 1));
  }
  return out;
}

function schemaType(t: string): SchemaFilter {
  if (t.startsWith('[') && t.endsWith(']')) return { type: 'array', items: schemaType(t.slice(1, -1)) };
  if (t.startsWith('@')) return { $ref: `#/definitions/${t.slice(1)}` };
  switch (t) {
    case 's':
      return { type: 'string' };
    case 'i':
      return { type: 'integer' };
    case 'n':
      return { type: 'number' };
    case 'b':
      return { type: 'boolean' };
    case 'dt':
      return { type: 'string', format: 'date-time' };
  }
  throw new Error(`unknown schema type '${t}' (s, i, n, b, dt, @Definition, [type])`);
}

/** An object schema with these fields (see {@link schemaFields}); `''` for an object with none. */
export function schemaObject(spec: string): SchemaFilter {
  return { type: 'object', properties: schemaFields(spec) };
}
