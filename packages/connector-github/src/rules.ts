import { type EndpointInput, type RestRules, type SchemaFilter, type TransformInput, defineRestRules, pseudonymizeAt, redactAt as redact, schemaObject as object } from '@psoxy/core';

const USER_REDACTED = [
  'avatar_url', 'gravatar_id', 'url', 'html_url', 'followers_url', 'following_url', 'gists_url', 'starred_url', 'subscriptions_url', 'organizations_url',
  'repos_url', 'events_url', 'received_events_url', 'name', 'company', 'location', 'bio', 'twitter_username',
];
const quoted = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(',');

/**
 * Psoxy's `generateUserTransformations`: for the user objects under the given keys (or every
 * object, at the root), redact profile fields, pseudonymize ids and emails, and pseudonymize the
 * login reversibly (callers look users up by it).
 */
function users(at: 'root' | { keys: string[] } | { array: string }): TransformInput[] {
  const base = at === 'root' ? '$..' : 'keys' in at ? `$..[${quoted(at.keys)}].` : `$..${at.array}[*].`;
  const one = (fields: readonly string[]) => (at === 'root' ? fields.map((f) => `${base}${f}`) : [`${base}[${quoted(fields)}]`]);
  return [
    redact(one(USER_REDACTED)),
    pseudonymizeAt(one(['id', 'node_id', 'email'])),
    pseudonymizeAt([at === 'root' ? '$..login' : `${base}login`], { includeReversible: true }),
  ];
}
const userKeys = (...keys: string[]) => users({ keys });
const userArray = (array: string) => users({ array });

const PAGE = ['per_page', 'page'];
const COMMIT_REDACTIONS = ['$..name', '$..message', '$..files', '$..signature', '$..payload'];
const AUDIT_LOG: Pick<EndpointInput, 'allowedQueryParams' | 'transforms'> = {
  allowedQueryParams: [...PAGE, 'phrase', 'include', 'after', 'before', 'order'],
  transforms: [
    redact(['$..hashed_token', '$..business', '$..business_id', '$..transport_protocol', '$..transport_protocol_name', '$..pull_request_title', '$..user_agent', '$..job', '$..active_job_id', '$..aqueduct_job_id', '$..catalog_service', '$..migration_id']),
    pseudonymizeAt(['$..actor', '$..actor_id', '$..user', '$..user_id', '$..started_by', '$..started_by_id']),
  ],
};
const TIMELINE_USERS = ['author', 'committer', 'review_requester', 'owner', 'user', 'requested_reviewer', 'closed_by', 'assigner', 'actor', 'assignee', 'creator'];
const TIMELINE_REDACTIONS = ['$..name', '$..url', '$..body', '$..rename', '$..name', '$..message', '$..files', '$..signature', '$..payload', '$..dismissalMessage'];
const PULL_USERS = ['owner', 'user', 'closed_by', 'enabled_by', 'actor', 'assignee', 'creator', 'merged_by'];

/** GraphQL response schema: members (with SAML identities on Enterprise), commits, rate limit, errors. */
function graphqlSchema(saml: boolean): { schema: SchemaFilter; definitions: Record<string, SchemaFilter> } {
  const definitions: Record<string, SchemaFilter> = {
    PageInfo: object('endCursor:s hasNextPage:b'),
    GitActor: object('date:s email:s user:@Login'),
    Login: object('login:s'),
    Number: object('number:i'),
    Oid: object('oid:s'),
    Commit: {
      type: 'object',
      properties: {
        ...object('additions:i associatedPullRequests:@PullRequestNumbers author:@GitActor authoredByCommitter:b authoredDate:s changedFilesIfAvailable:i committedDate:s committedViaWeb:b committer:@GitActor deletions:i id:s oid:s parents:@Oids tree:@Oid').properties,
        // as Psoxy's schema: a type name the filter does not know, kept as Psoxy keeps it
        user: { type: 'onBehalfOf', properties: object('email:s id:s login:s').properties },
      },
    },
    PullRequestNumbers: object('nodes:[@Number]'),
    Oids: object('nodes:[@Oid]'),
    Member: object('email:s id:s isSiteAdmin:b login:s organizationVerifiedDomainEmails:[s]'),
    MemberEdge: object('node:@Member'),
    Members: object('edges:[@MemberEdge] pageInfo:@PageInfo'),
    CommitNode: object('commit:@Commit'),
    CommitNodeEdge: object('node:@CommitNode'),
    PullRequestCommits: object('edges:[@CommitNodeEdge] pageInfo:@PageInfo'),
    PullRequest: object('commits:@PullRequestCommits'),
    CommitEdge: object('node:@Commit'),
    History: object('edges:[@CommitEdge] pageInfo:@PageInfo'),
    Target: object('history:@History'),
    Ref: object('target:@Target'),
    Repository: object('pullRequest:@PullRequest ref:@Ref'),
    SamlIdentity: object('emails:[@EmailValue] nameId:s'),
    EmailValue: object('value:s'),
    ExternalIdentity: object('guid:s samlIdentity:@SamlIdentity user:@Login'),
    ExternalIdentityEdge: object('node:@ExternalIdentity'),
    ExternalIdentities: object('edges:[@ExternalIdentityEdge] pageInfo:@PageInfo'),
    SamlIdentityProvider: object('externalIdentities:@ExternalIdentities'),
    Organization: object(`membersWithRole:@Members repository:@Repository${saml ? ' samlIdentityProvider:@SamlIdentityProvider' : ''}`),
    RateLimit: object('cost:i limit:i nodeCount:i remaining:i resetAt:dt used:i'),
    Data: object('organization:@Organization rateLimit:@RateLimit'),
    Location: object('column:i line:i'),
    GraphQLError: object('locations:[@Location] message:s path:[s] type:s'),
  };
  return { schema: object('data:@Data errors:[@GraphQLError]'), definitions };
}

export interface GitHubRulesOptions {
  /** Enterprise Cloud and Server have the audit log and SAML identities; Free/Pro/Team do not. */
  enterprise: boolean;
  /** Enterprise Server: REST under `/api/{enterpriseServerVersion}`, GraphQL at `/api/graphql`. */
  server?: boolean;
}

/** GitHub: Psoxy's `github`, `github-non-enterprise` and `github-enterprise-server` rules. */
export function githubRules(o: GitHubRulesOptions): RestRules {
  const api = o.server ? '/api/{enterpriseServerVersion}' : '';
  const graphql = graphqlSchema(o.enterprise);
  const endpoints: (EndpointInput & { enterpriseOnly?: boolean })[] = [
    { pathTemplate: '/orgs/{org}/members', allowedQueryParams: [...PAGE, 'filter', 'role'], transforms: users('root') },
    {
      pathTemplate: '/users/{username}',
      allowedQueryParams: ['since', 'per_page'],
      // users are looked up by the reversible pseudonym of their login only
      pathParameterSchemas: { username: { type: 'string', format: 'reversible-pseudonym' } },
      transforms: users('root'),
    },
    {
      pathTemplate: o.server ? '/api/graphql' : '/graphql',
      transforms: [
        redact(['$..ssoUrl']),
        pseudonymizeAt(['$..nameId', '$..email', '$..emails[*].value', '$..guid', '$..organizationVerifiedDomainEmails[*]']),
        pseudonymizeAt(['$..login'], { includeReversible: true }),
      ],
      responseSchema: graphql.schema,
    },
    { pathTemplate: '/orgs/{org}/teams', allowedQueryParams: PAGE, transforms: [redact(['$..name', '$..description', '$..url', '$..html_url', '$..members_url', '$..repositories_url']), { method: 'tokenize', jsonPaths: ['$..slug'] }] },
    { pathTemplate: '/orgs/{org}/teams/{teamSlug}/members', allowedQueryParams: PAGE, transforms: users('root') },
    { pathTemplate: '/orgs/{org}/audit-log', ...AUDIT_LOG, enterpriseOnly: true },
    { pathTemplate: '/organizations/{installationId}/audit-log', ...AUDIT_LOG, enterpriseOnly: true },
    { pathTemplate: '/orgs/{org}/repos', allowedQueryParams: [...PAGE, 'sort', 'direction', 'type'], transforms: [redact(['$..description', '$..homepage']), ...userKeys('owner')] },
    { pathTemplate: '/repos/{owner}/{repo}/branches', allowedQueryParams: [...PAGE, 'protected'] },
    { pathTemplate: '/repos/{owner}/{repo}/commits', allowedQueryParams: [...PAGE, 'sha', 'path', 'since', 'until'], transforms: [redact(COMMIT_REDACTIONS), ...userKeys('author', 'committer')] },
    { pathTemplate: '/repos/{owner}/{repo}/commits/{ref}', allowedQueryParams: PAGE, transforms: [redact(COMMIT_REDACTIONS), ...userKeys('author', 'committer')] },
    {
      pathTemplate: '/repos/{owner}/{repo}/events',
      allowedQueryParams: PAGE,
      transforms: [
        redact(['$..display_login', '$..avatar_url', '$..gravatar_id', '$..html_url', '$..name', '$..url', '$..message', '$..description', '$..body', '$..title']),
        pseudonymizeAt(['$..author.email']),
        ...userKeys('requested_reviewers[*]', 'owner', 'user', 'closed_by', 'actor', 'assignee', 'creator', 'merged_by'),
        ...userArray('assignees'),
      ],
    },
    {
      pathTemplate: '/repos/{owner}/{repo}/commits/{commitSha}/comments',
      allowedQueryParams: PAGE,
      transforms: [redact([...COMMIT_REDACTIONS, '$..path', '$..body', '$..position', '$..line']), ...userKeys('user')],
    },
    { pathTemplate: '/repos/{owner}/{repo}/comments/{commentId}/reactions', allowedQueryParams: PAGE, transforms: userKeys('user') },
    {
      pathTemplate: '/repos/{owner}/{repo}/issues/{issueNumber}',
      transforms: [redact(['$..title', '$..body', '$..description', '$..name', '$..pem']), ...userKeys('user', 'closed_by', 'assignee', 'creator'), ...userArray('assignees')],
    },
    {
      pathTemplate: '/repos/{owner}/{repo}/issues',
      allowedQueryParams: [...PAGE, 'sort', 'direction', 'milestone', 'state', 'labels', 'after', 'before', 'since'],
      transforms: [redact(['$..title', '$..body', '$..description', '$..name']), ...userKeys('owner', 'user', 'closed_by', 'assignee', 'creator'), ...userArray('assignees')],
    },
    { pathTemplate: '/repos/{owner}/{repo}/issues/{issueNumber}/comments', allowedQueryParams: [...PAGE, 'since'], transforms: [redact(['$..url', '$..message', '$..body']), ...userKeys('user')] },
    { pathTemplate: '/repos/{owner}/{repo}/issues/{issueNumber}/events', allowedQueryParams: PAGE, transforms: [redact(TIMELINE_REDACTIONS), ...userKeys(...TIMELINE_USERS)] },
    { pathTemplate: '/repos/{owner}/{repo}/issues/{issueNumber}/timeline', allowedQueryParams: PAGE, transforms: [redact(TIMELINE_REDACTIONS), ...userKeys(...TIMELINE_USERS)] },
    { pathTemplate: '/repos/{owner}/{repo}/issues/{issueNumber}/reactions', allowedQueryParams: PAGE, transforms: userKeys('user') },
    { pathTemplate: '/repos/{owner}/{repo}/issues/comments/{commentId}/reactions', allowedQueryParams: PAGE, transforms: userKeys('user') },
    { pathTemplate: '/repos/{owner}/{repo}/pulls/{pullNumber}/reviews', allowedQueryParams: PAGE, transforms: [redact(['$..body', '$..html_url', '$..pull_request_url']), ...userKeys('user')] },
    {
      pathTemplate: '/repos/{owner}/{repo}/pulls',
      allowedQueryParams: [...PAGE, 'sort', 'direction', 'state', 'head', 'base'],
      transforms: [
        redact(['$..title', '$..body', '$..name', '$..description', '$..url', '$..homepage', '$..commit_title', '$..commit_message', '$..temp_clone_token']),
        ...userKeys(...PULL_USERS),
        ...userArray('requested_reviewers'),
        ...userArray('assignees'),
      ],
    },
    { pathTemplate: '/repos/{owner}/{repo}/pulls/{pullNumber}/comments', allowedQueryParams: [...PAGE, 'sort', 'direction', 'since'], transforms: [redact(['$..path', '$..diff_hunk', '$..body']), ...userKeys('user')] },
    { pathTemplate: '/repos/{owner}/{repo}/pulls/{pullNumber}/reviews/{reviewId}/comments', allowedQueryParams: PAGE, transforms: [redact(['$..path', '$..diff_hunk', '$..body']), ...userKeys('user')] },
    { pathTemplate: '/repos/{owner}/{repo}/pulls/{pullNumber}/commits', allowedQueryParams: PAGE, transforms: [redact(COMMIT_REDACTIONS), ...userKeys('author', 'committer')] },
    {
      pathTemplate: '/repos/{owner}/{repo}/pulls/{pullNumber}',
      transforms: [
        redact(['$..title', '$..body', '$..name', '$..description', '$..homepage', '$..commit_title', '$..commit_message', '$..temp_clone_token']),
        ...userKeys(...PULL_USERS),
        ...userArray('requested_reviewers'),
        ...userArray('assignees'),
      ],
    },
  ];
  return defineRestRules({
    endpoints: endpoints
      .filter((e) => o.enterprise || !e.enterpriseOnly)
      .map(({ enterpriseOnly: _, ...e }) => (o.server && e.pathTemplate && !e.pathTemplate.startsWith('/api/') ? { ...e, pathTemplate: `${api}${e.pathTemplate}` } : e)),
    definitions: graphql.definitions,
  });
}
