import { type RestRules, type TransformInput, defineRestRules, keepCalendarPhrases, keepOnlyZoomUrls, redactZoomPasswords } from '@psoxy/core';
import { USER_SEGMENT, entraEndpoints, pseudonymize, redact, tokenizeOdataLinks } from './shared.js';


const noAppIdsExtras = (noAppIds: boolean): TransformInput[] =>
  noAppIds ? [tokenizeOdataLinks, redact(["$..['@odata.context']", "$..['calendar@odata.associationLink']", "$..['calendar@odata.navigationLink']"])] : [];

/** Outlook Calendar: Psoxy's `outlook-cal` rules (and `_no-app-ids`). */
export function outlookCalendarRules(noAppIds: boolean): RestRules {
  const user = USER_SEGMENT(noAppIds);
  const locations = ['location', 'locations[*]'].flatMap((l) => ['uniqueId', 'displayName', 'locationUri'].map((f) => `$..${l}.${f}`));
  return defineRestRules({
    endpoints: [
      ...entraEndpoints(noAppIds),
      {
        pathRegex: `^/v1.0/users/?${user}/mailboxSettings`,
        transforms: [redact(['$..internalReplyMessage', '$..externalReplyMessage', "$..['@odata.context']"])],
      },
      {
        // Psoxy's regex holds an empty inline-flag group `(?)` after calendarView: a no-op in Java, dropped here
        pathRegex: `^/v1.0/users/${user}/(((calendars/[^/]*/)?events.*)|(calendar/calendarView[^/]*))`,
        transforms: [
          keepCalendarPhrases(['$..subject']),
          redact([
            '$..reminderMinutesBeforeStart', '$..isReminderOn', '$..allowNewTimeProposals', '$..transactionId', '$..emailAddress.name',
            '$..extensions', '$..multiValueExtendedProperties', '$..singleValueExtendedProperties', '$..location.coordinates',
            '$..locations[*].coordinates', '$..location.address', '$..locations[*].address',
          ]),
          pseudonymize(['$..emailAddress.address']),
          redactZoomPasswords([...locations, '$..onlineMeeting.joinUrl', '$..onlineMeetingUrl', '$..body.content', '$..bodyPreview']),
          keepOnlyZoomUrls(['$..body.content', '$..bodyPreview']),
          ...noAppIdsExtras(noAppIds),
        ],
      },
    ],
  });
}

/** `_no-app-ids` (mail): OData links tokenized, and `@odata.context`, which names the user by id, redacted. */
const noAppIdsMailExtras = (noAppIds: boolean): TransformInput[] => (noAppIds ? [tokenizeOdataLinks, redact(["$..['@odata.context']"])] : []);

const messageTransforms = (noAppIds: boolean): TransformInput[] => [
  redact([
    '$..subject', '$..body', '$..bodyPreview', '$..emailAddress.name', '$..extensions', '$..multiValueExtendedProperties',
    '$..singleValueExtendedProperties', '$..internetMessageHeaders',
  ]),
  pseudonymize(['$..emailAddress.address']),
  ...noAppIdsMailExtras(noAppIds),
];

/** Outlook Mail (metadata: Mail.ReadBasic.All): Psoxy's `outlook-mail` rules (and `_no-app-ids`). */
export function outlookMailRules(noAppIds: boolean): RestRules {
  const user = USER_SEGMENT(noAppIds);
  return defineRestRules({
    endpoints: [
      ...entraEndpoints(noAppIds),
      {
        pathRegex: `^/v1.0/users/${user}/mailboxSettings`,
        // the variant that hides app ids must not leave the user's id in @odata.context
        transforms: [redact(['$..internalReplyMessage', '$..externalReplyMessage']), ...noAppIdsMailExtras(noAppIds)],
      },
      { pathRegex: `^/v1.0/users/${user}/messages/[^/]*`, transforms: messageTransforms(noAppIds) },
      {
        pathRegex: `^/v1.0/users/${user}/mailFolders(/SentItems|\\('SentItems'\\))/messages.*`,
        allowedRequestHeaders: ['ConsistencyLevel'],
        transforms: messageTransforms(noAppIds),
      },
    ],
  });
}
