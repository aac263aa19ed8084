import { type RestRules, defineRestRules, rulesOnFirstUse } from '@psoxy/core';
import { pseudonymize, redact } from './shared.js';

const ADDRESS_HEADERS = "[?(@.name =~ /^(From|To|Cc|Bcc)$/i)].value";
const ID_HEADERS = "[?(@.name =~ /^(X-Original-Sender|Delivered-To|Sender)$/i)].value";
// as Psoxy's rule: every header but these is removed (note the alternation is not grouped, so the
// anchors bind to the first and last names only; kept as is for identical results)
const OTHER_HEADERS = '[?(!(@.name =~ /^From|To|Cc|Bcc|X-Original-Sender|Delivered-To|Sender|Message-ID|Date|In-Reply-To|Original-Message-ID|References$/i))]';

const headerTransforms = (headers: string) => [
  { method: 'pseudonymizeEmailHeader' as const, jsonPaths: [`${headers}${ADDRESS_HEADERS}`], encoding: 'URL_SAFE_TOKEN' as const },
  pseudonymize([`${headers}${ID_HEADERS}`]),
  redact([`${headers}${OTHER_HEADERS}`]),
];

/** Gmail (metadata scope): Psoxy's `gmail` rules. */
export const gmailRules: () => RestRules = rulesOnFirstUse(() =>
  defineRestRules({
    endpoints: [
      { pathTemplate: '/gmail/v1/users/{mailboxId}/messages', transforms: headerTransforms('$.messages.payload.headers') },
      { pathTemplate: '/gmail/v1/users/{mailboxId}/messages/{messageId}', transforms: headerTransforms('$.payload.headers') },
    ],
  }),
);
