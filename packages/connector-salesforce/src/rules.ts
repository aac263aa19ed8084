import { type EndpointInput, type RestRules, defineRestRules, pseudonymizeAt as pseudonymize, redactAt as redact, schemaObject as object } from '@psoxy/core';

const V = 'v(\\d*.\\d{1})';
const SOQL_HEADERS = ['Sforce-Limit-Info', 'Sforce-Query-Options'];
const PEOPLE = ['CreatedById', 'ContactId', 'ManagerId', 'Email', 'LastModifiedById', 'OwnerId', 'WhoId', 'eventWhoIds', 'acceptedEventInviteeIds', 'declinedEventInviteeIds', 'taskWhoIds', 'undecidedEventInviteeIds'];
const TEXT = ['Description', 'Subject', 'CallResult'];
const at = (prefix: string, fields: string[]) => fields.map((f) => `${prefix}.${f}`);
const result = (record: string) => object(`done:b nextRecordsUrl:s records:[@${record}] totalSize:i`);

/**
 * Salesforce: Psoxy's `salesforce` rules (`docs/sources/salesforce/salesforce.yaml`): SOQL only
 * against Account and User (`query`) and Event and Task (`queryAll`), the URL's regex checking the
 * object; the columns a query may return are whatever the object's response schema keeps.
 */
export const salesforceRules: RestRules = defineRestRules({
  endpoints: [
    {
      // composite sub-requests are not validated; every answer is still filtered by the schema
      pathRegex: `^/services/data/${V}/composite$`,
      allowedMethods: ['POST'],
      allowedQueryParams: [],
      transforms: [pseudonymize(at('$..records[*]', PEOPLE)), redact(at('$..records[*]', TEXT))],
      responseSchema: object('compositeResponse:[@CompositeResponse]'),
    },
    {
      pathRegex: `^/services/data/${V}/composite/sobjects/Account[?][^/]*`,
      allowedQueryParams: ['ids', 'fields'],
      transforms: [pseudonymize(['$..CreatedById', '$..LastModifiedById', '$..OwnerId']), redact(['$..attributes'])],
      responseSchema: { type: 'array', items: { $ref: '#/definitions/Account' } },
    },
    {
      // the query locator of nextRecordsUrl: replayable as it comes
      pathRegex: `^/services/data/${V}/query/[^?]+$`,
      allowedQueryParams: [],
      allowedRequestHeaders: SOQL_HEADERS,
      transforms: [
        pseudonymize(at('$.records[*]', PEOPLE)),
        { method: 'pseudonymize', jsonPaths: ['$.records[*].Id'], applyOnlyWhen: '$.records[?(@.attributes.type == "User")]', includeReversible: true, encoding: 'URL_SAFE_TOKEN' },
        redact(['$..attributes']),
        redact(at('$.records[*]', TEXT)),
      ],
      responseSchema: result('Response'),
    },
    {
      pathRegex: `^/services/data/${V}/queryAll[?]q=SELECT.*FROM(%20|\\+)*Event(%20|\\+)*.*$`,
      allowedQueryParams: ['q'],
      allowedRequestHeaders: SOQL_HEADERS,
      transforms: [
        pseudonymize(at('$..records[*]', ['OwnerId', 'WhoId', 'CreatedById', 'LastModifiedById', 'eventWhoIds', 'acceptedEventInviteeIds', 'declinedEventInviteeIds', 'undecidedEventInviteeIds'])),
        redact(at('$..records[*]', TEXT)),
      ],
      responseSchema: result('Event'),
    },
    {
      pathRegex: `^/services/data/${V}/queryAll[?]q=SELECT.*FROM(%20|\\+)*Task(%20|\\+)*.*$`,
      allowedQueryParams: ['q'],
      allowedRequestHeaders: SOQL_HEADERS,
      transforms: [pseudonymize(at('$..records[*]', ['OwnerId', 'WhoId', 'CreatedById', 'LastModifiedById', 'taskWhoIds'])), redact(at('$..records[*]', TEXT))],
      responseSchema: result('Task'),
    },
    {
      pathRegex: `^/services/data/${V}/sobjects/(Account|User|Task|Event)/describe$`,
      allowedQueryParams: [],
      responseSchema: object('childRelationships:[@ChildRelationship] deprecatedAndHidden:b fields:[@Field] name:s queryable:b retrieveable:b searchable:b'),
    },
    {
      pathRegex: '^/services/data/v(\\d+\\.\\d+)/query[?]q=SELECT.*FROM(%20|\\+)*Account(%20|\\+|\\b).*',
      allowedQueryParams: ['q'],
      allowedRequestHeaders: SOQL_HEADERS,
      transforms: [pseudonymize(at('$.records[*]', ['CreatedById', 'LastModifiedById', 'OwnerId']))],
      responseSchema: result('Account'),
    },
    {
      pathRegex: '^/services/data/v(\\d+\\.\\d+)/query[?]q=SELECT.*FROM(%20|\\+)*User(%20|\\+|\\b).*',
      allowedQueryParams: ['q'],
      allowedRequestHeaders: SOQL_HEADERS,
      // user ids are reversible: later queries may filter on them (WHERE OwnerId = 'p~...')
      transforms: [pseudonymize(at('$.records[*]', ['ContactId', 'CreatedById', 'ManagerId', 'Email'])), pseudonymize(['$.records[*].Id'], { includeReversible: true })],
      responseSchema: result('User'),
    },
  ] satisfies EndpointInput[],
  definitions: {
    Account: object(
      'AccountSource:s AnnualRevenue:n CreatedById:s CreatedDate:dt Id:s IsDeleted:b LastActivityDate:dt LastModifiedById:s LastModifiedDate:dt NumberOfEmployees:i OwnerId:s Ownership:s ParentId:s Rating:s Sic:s Type:s',
    ),
    Attributes: object('type:s'),
    ChildRelationship: object('childSObject:s field:s relationshipName:s'),
    CompositeResponse: object('body:@QueryResult errorBody:[@Attributes] httpHeaders:@Attributes httpStatusCode:i referenceId:s'),
    QueryResult: result('Response'),
    Event: object(
      [
        'AcceptedEventInviteeIds:[s] AccountId:s ActivityDate:s ActivityDateTime:dt ClientGuid:s CreatedById:s CreatedDate:dt CurrencyIsoCode:s DeclinedEventInviteeIds:[s]',
        'Division:s DurationInMinutes:i EndDate:s EndDateTime:dt EventSubtype:s EventWhoIds:[s] GroupEventType:s Id:s IsAllDayEvent:b IsArchived:b IsChild:b',
        'IsClientManaged:b IsDeleted:b IsGroupEvent:b IsPrivate:b IsRecurrence:b IsRecurrence2:b IsRecurrence2Exception:b IsRecurrence2Exclusion:b IsReminderSet:b',
        'IsVisibleInSelfService:b LastModifiedById:s LastModifiedDate:dt Location:s OwnerId:s Recurrence2PatternStartDate:dt Recurrence2PatternText:s',
        'Recurrence2PatternTimeZone:s Recurrence2PatternVersion:s RecurrenceActivityDate:s RecurrenceActivityId:s RecurrenceDayOfMonth:i RecurrenceDayOfWeekMask:s',
        'RecurrenceEndDateOnly:s RecurrenceInstance:s RecurrenceInterval:i RecurrenceMonthOfYear:s RecurrenceStartDateOnly:s RecurrenceStartDateTime:dt',
        'RecurrenceTimeZoneSidKey:s RecurrenceType:s ReminderDateTime:dt ShowAs:s StartDateTime:dt Type:s UndecidedEventInviteeIds:[s] WhatCount:i WhatId:s WhoCount:i WhoId:s',
      ].join(' '),
    ),
    Field: object('custom:b dependentPicklist:b deprecatedAndHidden:b filterable:b name:s nameField:b sortable:b'),
    Response: object(
      [
        'AcceptedEventInviteeIds:[s] AccountId:s AccountSource:s ActivityDate:s ActivityDateTime:dt ActivitySubtype:s AnnualRevenue:n CallDisposition:s',
        'CallDurationInSeconds:i CallObject:s CallResult:s CallType:s ClientGuid:s CompletedDateTime:dt ContactId:s CreatedById:s CreatedDate:dt CurrencyIsoCode:s',
        'DeclinedEventInviteeIds:[s] Division:s DurationInMinutes:i Email:s EmailEncodingKey:s EndDate:s EndDateTime:dt EventSubtype:s EventWhoIds:[s] GroupEventType:s',
        'Id:s IsActive:b IsAllDayEvent:b IsArchived:b IsChild:b IsClientManaged:b IsClosed:b IsDeleted:b IsGroupEvent:b IsHighPriority:b IsPrivate:b IsRecurrence:b',
        'IsRecurrence2:b IsRecurrence2Exception:b IsRecurrence2Exclusion:b IsReminderSet:b IsVisibleInSelfService:b LastActivityDate:dt LastLoginDate:dt',
        'LastModifiedById:s LastModifiedDate:dt Location:s ManagerId:s NumberOfEmployees:i OwnerId:s Ownership:s ParentId:s Priority:s Rating:s',
        'Recurrence2PatternStartDate:dt Recurrence2PatternText:s Recurrence2PatternTimeZone:s Recurrence2PatternVersion:s RecurrenceActivityDate:s RecurrenceActivityId:s',
        'RecurrenceDayOfMonth:i RecurrenceDayOfWeekMask:s RecurrenceEndDateOnly:s RecurrenceInstance:s RecurrenceInterval:i RecurrenceMonthOfYear:s',
        'RecurrenceRegeneratedType:s RecurrenceStartDateOnly:s RecurrenceStartDateTime:dt RecurrenceTimeZoneSidKey:s RecurrenceType:s ReminderDateTime:dt ShowAs:s Sic:s',
        'StartDateTime:dt Status:s TaskSubtype:s TaskWhoIds:[s] TimeZoneSidKey:s Type:s UndecidedEventInviteeIds:[s] UserRoleId:s UserType:s WhatCount:i WhatId:s',
        'WhoCount:i WhoId:s attributes:@Attributes',
      ].join(' '),
    ),
    Task: object(
      [
        'AccountId:s ActivityDate:s ActivitySubtype:s CallDisposition:s CallDurationInSeconds:i CallObject:s CallResult:s CallType:s CompletedDateTime:dt',
        'CreatedById:s CreatedDate:dt Id:s IsArchived:b IsClosed:b IsDeleted:b IsHighPriority:b IsRecurrence:b IsReminderSet:b LastModifiedById:s LastModifiedDate:dt',
        'OwnerId:s Priority:s RecurrenceActivityDate:s RecurrenceActivityId:s RecurrenceDayOfMonth:i RecurrenceDayOfWeekMask:s RecurrenceEndDateOnly:s',
        'RecurrenceInstance:s RecurrenceInterval:i RecurrenceMonthOfYear:s RecurrenceRegeneratedType:s RecurrenceStartDateOnly:s RecurrenceTimeZoneSidKey:s',
        'RecurrenceType:s ReminderDateTime:dt Status:s TaskSubtype:s TaskWhoIds:[s] Type:s WhatId:s WhoId:s',
      ].join(' '),
    ),
    User: object(
      'AccountId:s ContactId:s CreatedById:s CreatedDate:dt Email:s EmailEncodingKey:s Id:s IsActive:b LastLoginDate:dt LastModifiedById:s LastModifiedDate:dt ManagerId:s TimeZoneSidKey:s UserRoleId:s UserType:s employee:b',
    ),
  },
});
