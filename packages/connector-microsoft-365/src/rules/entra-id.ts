import { type RestRules, defineRestRules } from '@psoxy/core';
import { entraEndpoints } from './shared.js';

/** Microsoft Entra ID: Psoxy's `azure-ad` rules and the `_no-app-ids` variant. */
export function entraIdRules(noAppIds: boolean): RestRules {
  return defineRestRules({ endpoints: entraEndpoints(noAppIds) });
}
