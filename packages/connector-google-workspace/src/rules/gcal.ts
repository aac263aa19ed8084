import { type RestRules, defineRestRules, rulesOnFirstUse } from '@psoxy/core';
import { keepCalendarPhrases, keepOnlyZoomUrls, pseudonymize, redact, redactZoomPasswords } from './shared.js';

/** Google Calendar: Psoxy's `gcal` rules (`google/PrebuiltSanitizerRules.java#GCAL`). */
export const gcalRules: () => RestRules = rulesOnFirstUse(() =>
  defineRestRules({
    endpoints: [
      {
        pathTemplate: '/calendar/v3/calendars/{accountId}',
        transforms: [redact(['$.summary']), pseudonymize(['$.id'])],
      },
      {
        pathTemplate: '/calendar/v3/calendars/{accountId}/events',
        transforms: [
          pseudonymize(['$..email']),
          redact([
            '$.summary',
            '$..displayName',
            '$.items[*].extendedProperties',
            '$.items[*].conferenceData.notes',
            "$.items[*].conferenceData.entryPoints[*]['accessCode','password','passcode','pin']",
            '$..meetingCreatedBy',
          ]),
          keepCalendarPhrases(['$.items[*].summary']),
          keepOnlyZoomUrls(['$.items[*].description']),
          redactZoomPasswords(['$.items[*].description', '$.items[*].location', '$.items[*].conferenceData.entryPoints[*].uri']),
        ],
      },
      {
        pathTemplate: '/calendar/v3/calendars/{accountId}/events/{eventId}',
        transforms: [
          redact([
            '$.summary',
            '$..displayName',
            '$.extendedProperties',
            "$.conferenceData.entryPoints[*]['accessCode','password','passcode','pin']",
            '$.conferenceData.notes',
            '$..meetingCreatedBy',
          ]),
          // as Psoxy: aimed at a list's items, so a no-op here ($.summary is redacted anyway)
          keepCalendarPhrases(['$.items[*].summary']),
          keepOnlyZoomUrls(['$.description']),
          redactZoomPasswords(['$.description', '$.conferenceData.entryPoints[*].uri', '$.location']),
          pseudonymize(['$..email']),
        ],
      },
      { pathTemplate: '/calendar/v3/users/{accountId}/settings' },
      {
        pathTemplate: '/calendar/v3/users/{accountId}/calendarList',
        transforms: [
          { method: 'filterTokenByRegex', jsonPaths: ['$.items[*].summaryOverride', '$.items[*].summary'], delimiter: '\\s+', filters: ['Transferred'] },
          // reversible, so that the caller can list each calendar's events by its pseudonymized id
          pseudonymize(['$.items[*].id'], { includeReversible: true }),
        ],
      },
    ],
  }),
);
