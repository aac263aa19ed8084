// The generic rule pieces of core, under the short names these rules use.
export {
  pseudonymizeAt as pseudonymize,
  redactAt as redact,
  keepOnlyZoomUrls,
  redactZoomPasswords,
  keepCalendarPhrases,
} from '@psoxy/core';
