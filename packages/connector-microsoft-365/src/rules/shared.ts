import { type EndpointInput, type TransformInput, pseudonymizeAt as pseudonymize, redactAt as redact } from '@psoxy/core';

export { pseudonymize, redact };
const deep = (names: string[]) => names.map((n) => `$..${n}`);

/** Psoxy's Entra user transforms (`msft/PrebuiltSanitizerRules.java` ENTRA_ID_USERS). */
export const userTransforms: TransformInput[] = [
  { method: 'pseudonymizeRegexMatches', jsonPaths: ['$..proxyAddresses[*]'], regex: '(?i)^smtp:(.*)$' },
  redact(
    deep([
      'displayName', 'aboutMe', 'mySite', 'preferredName', 'givenName', 'surname', 'jobTitle', 'mailNickname', 'responsibilities',
      'skills', 'faxNumber', 'mobilePhone', 'businessPhones[*]', 'onPremisesExtensionAttributes', 'onPremisesSecurityIdentifier',
      'securityIdentifier',
    ]),
  ),
  pseudonymize(
    deep([
      'employeeId', 'userPrincipalName', 'imAddresses[*]', 'mail', 'otherMails[*]', 'onPremisesSamAccountName',
      'onPremisesUserPrincipalName', 'onPremisesDistinguishedName', 'onPremisesImmutableId', 'identities[*].issuerAssignedId',
    ]),
  ),
];

/** ... and group transforms: a group's address is kept beside its hash (groups are not people). */
export const groupTransforms: TransformInput[] = [
  { method: 'pseudonymizeRegexMatches', jsonPaths: ['$..proxyAddresses[*]'], regex: '(?i)^smtp:(.*)$' },
  redact(
    deep([
      'owners', 'rejectedSenders', 'acceptedSenders', 'members', 'membersWithLicenseErrors', 'mailNickname', 'description',
      'resourceBehaviorOptions', 'resourceProvisioningOptions', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
      'onPremisesProvisioningErrors', 'securityIdentifier',
    ]),
  ),
  pseudonymize(['$..mail'], { encoding: 'JSON', includeOriginal: true }),
];

/** A user-id path segment, or (PSEUDONYMIZE_APP_IDS) the reversible pseudonym that replaced it. */
export const USER_SEGMENT = (noAppIds: boolean) => (noAppIds ? '(p~[a-zA-Z0-9_-]+?|[^/]*)' : '[^/]*');

/**
 * With PSEUDONYMIZE_APP_IDS, paging links keep working: the user id in `@odata.nextLink` (and
 * friends) becomes a reversible token the proxy decrypts when the link comes back.
 */
export const tokenizeOdataLinks: TransformInput = {
  method: 'tokenize',
  jsonPaths: ["$['@odata.nextLink','@odata.prevLink','sessions@odata.nextLink']"],
  regex: '^https://graph.microsoft.com/v1.0/users/([a-zA-Z0-9_-]+)/.*$',
};

const USER_PARAMS = ['$top', '$select', '$skiptoken', '$orderBy', '$count', '$filter'];
const MEMBER_PARAMS = ['$top', '$select', '$skiptoken', '$orderBy', '$count'];

/** The Entra users, groups and group members endpoints (U, G, M) every Microsoft 365 connector has. */
export function entraEndpoints(noAppIds: boolean, which: { users?: boolean; groups?: boolean } = {}): EndpointInput[] {
  const users: EndpointInput = {
    pathRegex: noAppIds ? '^/v1.0/users(/p~[a-zA-Z0-9_-]+?)?[^/]*' : '^/v1.0/users/?[^/]*',
    allowedQueryParams: USER_PARAMS,
    allowedRequestHeaders: ['ConsistencyLevel'],
    transforms: [...userTransforms, ...(noAppIds ? [pseudonymize(['$..id'], { includeReversible: true })] : [])],
  };
  const groups: EndpointInput[] = [
    { pathRegex: '^/v1.0/groups/?[^/]*', allowedRequestHeaders: ['ConsistencyLevel'], transforms: groupTransforms },
    {
      pathRegex: '^/v1.0/groups/[^/]*/members.*',
      allowedQueryParams: MEMBER_PARAMS,
      allowedRequestHeaders: ['ConsistencyLevel'],
      transforms: [...userTransforms, ...(noAppIds ? [pseudonymize(['$..id'])] : [])],
    },
  ];
  return [...(which.users === false ? [] : [users]), ...(which.groups === false ? [] : groups)];
}
