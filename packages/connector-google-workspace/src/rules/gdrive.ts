import { type RestRules, defineRestRules, rulesOnFirstUse } from '@psoxy/core';
import { pseudonymize, redact } from './shared.js';

const transforms = [
  pseudonymize(['$..emailAddress']),
  redact(['$..name', '$..photoLink', '$..title', '$..description', '$..originalFilename', '$..displayName', '$..picture', '$..lastModifyingUserName', '$..ownerNames']),
];

/** Google Drive (v2 and v3, metadata only): Psoxy's `gdrive` rules. */
export const gdriveRules: () => RestRules = rulesOnFirstUse(() =>
  defineRestRules({
    endpoints: [
      { pathRegex: '^/drive/v[2,3]/files[/]?[^/]*', transforms },
      { pathRegex: '^/drive/v[2,3]/files/[^/]*/revisions[/]?[^/]*', transforms },
      { pathRegex: '^/drive/v[2,3]/files/[^/]*/permissions.*', transforms },
    ],
  }),
);
