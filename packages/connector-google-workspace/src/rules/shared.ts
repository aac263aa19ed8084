import type { TransformInput } from '@psoxy/core';

/** Psoxy's "conventional phrases" of calendar event titles (`rules/generics/Calendar.java`): kept, the rest redacted. */
export const CALENDAR_PHRASES = [
  'Focus Time', 'Focus', 'No Meetings', 'No Meeting', 'no mtg', 'Prep', 'OOO', 'Out of Office', 'Out of the Office',
  'call', 'brainstorm', 'brainstorming', 'brain storm', 'check in', 'check-in', 'checkin', 'coffee', 'food',
  'happy hour', 'lunch', 'office hours', 'onsite', 'on-site', 'social', 'stand up', 'stand-up', 'standup',
  'team building', 'teambuilding', 'daily', 'bi-weekly', 'biweekly', 'weekly', 'monthly', 'quarterly', '1:1',
  '1-on-1', 'one-on-one', 'all-hands', 'all hands', 'allhands', 'team meeting', 'decision making', 'decision',
  'hand off', 'hand-off', 'handoff', 'handover', 'information sharing', 'problem solving', 'retro', 'review', 'sprint',
];

/** Psoxy's Zoom transforms (`rules/zoom/ZoomTransforms.java`): keep only Zoom URLs in free text. */
export const keepOnlyZoomUrls = (jsonPaths: string[]): TransformInput => ({
  method: 'filterTokenByRegex',
  jsonPaths,
  delimiter: '\\s+',
  filters: ['https://[^.]+\\.zoom\\.us/.*'],
});

/** ... and strip their passwords. */
export const redactZoomPasswords = (jsonPaths: string[]): TransformInput => ({
  method: 'redactRegexMatches',
  jsonPaths,
  redactions: ['(?i)pwd=[^&]*'],
});

export const pseudonymize = (jsonPaths: string[], extra: Partial<Extract<TransformInput, { method: 'pseudonymize' }>> = {}): TransformInput => ({
  method: 'pseudonymize',
  jsonPaths,
  encoding: 'URL_SAFE_TOKEN',
  ...extra,
});

export const redact = (jsonPaths: string[]): TransformInput => ({ method: 'redact', jsonPaths });
