import { type RestRules, type SchemaFilter, defineRestRules, pseudonymizeAt as pseudonymize, redactAt as redact, rulesOnFirstUse, schemaObject as object } from '@psoxy/core';

/** The issue schema's parts; Cloud names users by `accountId`, Server by `key`. */
function jiraDefinitions(userId: 'accountId' | 'key'): Record<string, SchemaFilter> {
  return {
    JiraUser: object(`${userId === 'accountId' ? 'accountId:s ' : ''}accountType:s active:b emailAddress:s${userId === 'key' ? ' key:s' : ''} timeZone:s`),
    Progress: object('progress:i total:i'),
    ChangelogItem: object('field:s fieldtype:s'),
    History: object('author:@JiraUser created:s id:s items:[@ChangelogItem]'),
    Changelog: object('histories:[@History]'),
    Attachment: object('author:@JiraUser created:s id:s size:i'),
    Visibility: object('identifier:s type:s value:s'),
    Comment: object('author:@JiraUser created:s id:s updateAuthor:@JiraUser updated:s visibility:@Visibility'),
    IssueRef: object('id:s'),
    LinkType: object('id:s inward:s outward:s'),
    IssueLink: object('id:s inwardIssue:@IssueRef outwardIssue:@IssueRef type:@LinkType'),
    IssueType: object('hierarchyLevel:i id:s subtask:b'),
    Priority: object('id:s name:s'),
    StatusCategory: object('colorName:s id:i key:s name:s'),
    Status: object('id:s name:s statusCategory:@StatusCategory'),
    ParentFields: object('issuetype:@IssueType priority:@Priority status:@Status'),
    Parent: object('fields:@ParentFields id:s'),
    Insight: object('lastIssueUpdateTime:s totalIssueCount:i'),
    ProjectCategory: object('id:s'),
    Project: object('id:s insight:@Insight projectCategory:@ProjectCategory projectTypeKey:s simplified:b style:s'),
    TimeTracking: object('originalEstimate:s originalEstimateSeconds:i remainingEstimate:s remainingEstimateSeconds:i timeSpent:s timeSpentSeconds:i'),
    Votes: object('hasVoted:b votes:i'),
    Watches: object('isWatching:b watchCount:i watchers:[@JiraUser]'),
    Worklog: object('author:@JiraUser created:s id:s issueId:s started:s timeSpent:s timeSpentSeconds:i updateAuthor:@JiraUser updated:s visibility:@Visibility'),
    Worklogs: object('worklogs:[@Worklog]'),
    IssueFields: object(
      'aggregateprogress:@Progress assignee:@JiraUser attachment:[@Attachment] comment:[@Comment] created:s creator:@JiraUser duedate:s issuelinks:[@IssueLink] issuetype:@IssueType lastViewed:s parent:@Parent progress:@Progress project:@Project reporter:@JiraUser resolutiondate:s status:@Status statuscategorychangedate:s sub-tasks:[@IssueLink] timeTracking:@TimeTracking timespent:i updated:i votes:@Votes watches:@Watches worklog:@Worklogs',
    ),
    Issue: object('changelog:@Changelog fields:@IssueFields id:s self:s'),
  };
}

const JIRA = '/ex/jira/{cloudId}/rest/api';
const PAGE = ['startAt', 'maxResults'];

/**
 * Jira Cloud: Psoxy's `jira-cloud` rules (`docs/sources/atlassian/jira/jira-cloud.yaml`). Psoxy
 * writes the issue schema inline; here its parts are named definitions, which filter the same.
 */
export const jiraCloudRules: () => RestRules = rulesOnFirstUse(() =>
  defineRestRules({
    endpoints: [
      { pathTemplate: `${JIRA}/{apiVersion}/group/bulk`, allowedQueryParams: PAGE, transforms: [redact(['$..name'])] },
      {
        pathTemplate: `${JIRA}/{apiVersion}/group/member`,
        allowedQueryParams: [...PAGE, 'groupId', 'groupName', 'includeInactiveUsers'],
        transforms: [redact(['$.values[*].self', '$.values[*].avatarUrls', '$.values[*].displayName', '$.values[*].name']), pseudonymize(['$.values[*].accountId', '$.values[*].emailAddress'])],
      },
      {
        pathTemplate: `${JIRA}/3/search/jql`,
        allowedQueryParams: ['jql', 'fields', 'nextPageToken', 'maxResults'],
        transforms: [
          redact([
            '$.issues[*]..description', '$.issues[*]..iconUrl', '$.issues[*]..name', '$.issues[*]..avatarUrls', '$.issues[*].fields..self',
            '$.issues[*]..displayName', '$.issues[*]..comment', '$..displayName',
          ]),
          pseudonymize(['$.issues[*]..accountId', '$.issues[*]..emailAddress', '$.issues[*]..body..id']),
        ],
        responseSchema: object('isLast:b issues:[@Issue] maxResults:i nextPageToken:s total:i'),
      },
      {
        pathTemplate: `${JIRA}/{apiVersion}/issue/{issueId}/changelog`,
        allowedQueryParams: PAGE,
        transforms: [
          redact([
            '$.values[*]..avatarUrls', '$.values[*]..self', '$.values[*]..displayName', '$.values[*].items[*].from', '$.values[*].items[*].to',
            '$.values[*].items[*].fromString', '$.values[*].items[*].toString',
          ]),
          pseudonymize(['$.values[*]..accountId', '$.values[*]..emailAddress', '$.values[*]..tmpFromAccountId', '$.values[*]..tmpToAccountId']),
        ],
      },
      {
        pathTemplate: `${JIRA}/3/issue/{issueId}/comment`,
        allowedQueryParams: PAGE,
        transforms: [
          redact(['$.comments[*]..avatarUrls', '$.comments[*].author..self', '$.comments[*].updateAuthor..self', '$.comments[*]..displayName', '$.comments[*]..text', '$.comments[*]..renderedBody']),
          pseudonymize(['$.comments[*]..accountId', '$.comments[*].body..id', '$.comments[*]..emailAddress']),
        ],
      },
      {
        pathTemplate: `${JIRA}/3/issue/{issueId}/worklog`,
        allowedQueryParams: PAGE,
        transforms: [
          redact(['$.worklogs[*]..avatarUrls', '$.worklogs[*].author..self', '$.worklogs[*].updateAuthor..self', '$.worklogs[*]..displayName', '$.worklogs[*]..text', '$.worklogs[*]..summary']),
          pseudonymize(['$.worklogs[*]..accountId', '$.worklogs[*]..emailAddress', '$.worklogs[*]..comment..id']),
        ],
      },
      {
        pathTemplate: `${JIRA}/3/issue/{issueId}`,
        allowedQueryParams: ['fields'],
        transforms: [
          redact(['$..description', '$..iconUrl', '$..name', '$..avatarUrls', '$.fields..self', '$..displayName', '$..comment', '$..attachment[*]..filename', '$..attachment[*]..content', '$..summary']),
          pseudonymize(['$..accountId', '$..emailAddress', '$..body..id']),
        ],
        responseSchema: object('changelog:@Changelog fields:@IssueFields id:s self:s'),
      },
      { pathTemplate: `${JIRA}/{apiVersion}/users`, allowedQueryParams: PAGE, transforms: [redact(['$..self', '$..avatarUrls', '$..displayName']), pseudonymize(['$..accountId', '$..emailAddress'])] },
      {
        pathTemplate: `${JIRA}/{apiVersion}/project/search`,
        allowedQueryParams: PAGE,
        transforms: [
          redact(['$.values[*]..avatarUrls', '$.values[*]..self', '$.values[*]..displayName', '$.values[*]..leadUserName', '$.values[*]..description']),
          pseudonymize(['$.values[*]..accountId', '$.values[*]..emailAddress', '$.values[*]..email', '$.values[*]..leadAccountId']),
        ],
      },
      { pathTemplate: '/oauth/token/accessible-resources', transforms: [redact(['$..name', '$..scopes', '$..avatarUrl'])] },
    ],
    definitions: jiraDefinitions('accountId'),
  }),
);

/** Jira Server / Data Center: Psoxy's `jira-server` rules (users named by `key`). */
export const jiraServerRules: () => RestRules = rulesOnFirstUse(() =>
  defineRestRules({
    endpoints: [
      {
        pathTemplate: '/rest/api/{apiVersion}/search',
        allowedQueryParams: [...PAGE, 'jql', 'fields'],
        transforms: [
          redact(['$.issues[*]..description', '$.issues[*]..iconUrl', '$.issues[*]..name', '$.issues[*]..avatarUrls', '$.issues[*]..displayName', '$.issues[*]..name', '$.issues[*]..body', '$.issues[*]..comment', '$..displayName']),
          pseudonymize(['$.issues[*]..key', '$.issues[*]..emailAddress']),
        ],
        responseSchema: object('issues:[@Issue] maxResults:i startAt:i total:i'),
      },
      {
        pathTemplate: '/rest/api/{apiVersion}/issue/{issueId}/comment',
        allowedQueryParams: PAGE,
        transforms: [
          redact(['$.comments[*]..avatarUrls', '$.comments[*].author..self', '$.comments[*].updateAuthor..self', '$.comments[*]..displayName', '$.comments[*]..name', '$.comments[*]..text', '$.comments[*]..body', '$.comments[*]..renderedBody']),
          pseudonymize(['$.comments[*]..key', '$.comments[*]..emailAddress']),
        ],
      },
      {
        pathTemplate: '/rest/api/{apiVersion}/issue/{issueId}/worklog',
        allowedQueryParams: PAGE,
        transforms: [
          redact(['$.worklogs[*]..avatarUrls', '$.worklogs[*].author..self', '$.worklogs[*].updateAuthor..self', '$.worklogs[*]..displayName', '$.worklogs[*]..name', '$.worklogs[*]..comment', '$.worklogs[*]..summary']),
          pseudonymize(['$.worklogs[*]..key', '$.worklogs[*]..emailAddress']),
        ],
      },
      {
        pathTemplate: '/rest/api/{apiVersion}/issue/{issueId}',
        allowedQueryParams: [...PAGE, 'expand', 'fields'],
        transforms: [
          redact([
            '$..self', '$..description', '$..iconUrl', '$..name', '$..avatarUrls', '$..displayName', '$..name', '$..body', '$..comment', '$..displayName', '$..from',
            '$..to', '$..fromString', '$..toString', '$..attachment[*]..filename', '$..attachment[*]..content', '$..summary',
          ]),
          // Psoxy's list lacks assignee and watchers, whose keys and emails its schema keeps: added here
          pseudonymize(['author', 'creator', 'reporter', 'updateAuthor', 'assignee', 'watchers'].flatMap((u) => [`$..${u}..key`, `$..${u}..emailAddress`])),
        ],
        responseSchema: object('changelog:@Changelog fields:@IssueFields id:s self:s'),
      },
      {
        pathTemplate: '/rest/api/{apiVersion}/project',
        allowedQueryParams: [...PAGE, 'expand', 'includeArchived'],
        transforms: [
          // the people's `name` (their username) too, which Psoxy's rules leave
          redact(['$..avatarUrls', '$..self', '$..displayName', '$..leadUserName', '$..description', ...['lead', 'assignee', 'realAssignee', 'user'].map((u) => `$..${u}.name`)]),
          pseudonymize(['lead', 'assignee', 'realAssignee', 'user'].flatMap((u) => [`$..${u}..key`, `$..${u}..emailAddress`])),
        ],
      },
      {
        pathTemplate: '/rest/api/{apiVersion}/user/search',
        allowedQueryParams: [...PAGE, 'username', 'includeActive', 'includeInactive'],
        transforms: [redact(['$..self', '$..avatarUrls', '$..displayName', '$..name', '$..attachment[*]..filename', '$..attachment[*]..content']), pseudonymize(['$..key', '$..emailAddress'])],
      },
    ],
    definitions: jiraDefinitions('key'),
  }),
);
