import { type EndpointInput, type RestRules, type TransformInput, defineRestRules } from '@psoxy/core';
import { pseudonymize, redact } from './shared.js';

const USER_PSEUDONYMIZED = [
  'primaryEmail', 'emails[*].address', 'externalIds[*].value', 'aliases[*]', 'nonEditableAliases[*]', 'ims[*].im',
  'phones[*].value', 'posixAccounts[*].accountId', 'posixAccounts[*].uid', 'posixAccounts[*].username',
  'locations[*].deskCode', 'relations[*].value',
];
const USER_REDACTED = [
  'name', 'organizations[*].title', 'posixAccounts[*].homeDirectory', 'recoveryEmail', 'recoveryPhone',
  'sshPublicKeys[*]', 'thumbnailPhotoUrl', 'websites[*]',
];

const under = (prefix: string, paths: string[]) => paths.map((p) => `${prefix}.${p}`);
const groupTransforms: TransformInput[] = [
  // group addresses are not personal: the original is kept beside the hash, as Psoxy does
  pseudonymize(['$..email', '$..aliases[*]', '$..nonEditableAliases[*]'], { encoding: 'JSON', includeOriginal: true }),
  redact(['$..description']),
];

/** Google Directory: Psoxy's `gdirectory` rules, and the `_no-app-ids` variant that also pseudonymizes ids. */
export function gdirectoryRules(pseudonymizeAppIds: boolean): RestRules {
  const userIds = (prefix: string): TransformInput[] => (pseudonymizeAppIds ? [pseudonymize([`${prefix}.id`], { includeReversible: true })] : []);
  const endpoints: EndpointInput[] = [
    { pathTemplate: '/admin/directory/v1/customer/{customerId}/domains' },
    {
      pathTemplate: '/admin/directory/v1/users',
      transforms: [pseudonymize(under('$.users[*]', USER_PSEUDONYMIZED)), redact(under('$.users[*]', USER_REDACTED)), ...userIds('$.users[*]')],
    },
    {
      pathTemplate: '/admin/directory/v1/users/{accountId}',
      transforms: [pseudonymize(under('$', USER_PSEUDONYMIZED)), redact(under('$', USER_REDACTED)), ...userIds('$')],
    },
    { pathTemplate: '/admin/directory/v1/groups', transforms: groupTransforms },
    { pathTemplate: '/admin/directory/v1/groups/{groupId}', transforms: groupTransforms },
    {
      pathTemplate: '/admin/directory/v1/groups/{groupId}/members',
      transforms: [
        pseudonymize(['$..email', '$..aliases[*]', '$..nonEditableAliases[*]']),
        ...(pseudonymizeAppIds ? [pseudonymize(['$.members[*].id'])] : []),
      ],
    },
    { pathTemplate: '/admin/directory/v1/customer/{customerId}/orgunits', transforms: [redact(['$..description'])] },
    { pathTemplate: '/admin/directory/v1/customer/{customerId}/orgunits/{orgUnitPath}', transforms: [redact(['$..description'])] },
  ];
  return defineRestRules({ endpoints });
}
