import { type RestRulesInput, defineRestRules, loadRestRules } from '../src/rules/index.js';
import { compileRestRules } from '../src/sanitize/index.js';
import { Pseudonymizer } from '../src/pseudonym/index.js';
import { sanitizeResponse } from '../src/sanitize-response.js';
import type { TransformInput } from '../src/rules/model.js';

export const pseudonymizer = new Pseudonymizer({ salt: 'salt', encryptionKey: 'secret' });

/** Sanitizes `body` with one endpoint `/x` carrying the given transforms (and extra endpoint fields). */
export function sanitizeWith(transforms: TransformInput[], body: string, extra: Record<string, unknown> = {}): string {
  const rules = compileRestRules(defineRestRules({ endpoints: [{ pathTemplate: '/x', transforms, ...extra }] } as RestRulesInput));
  const out = sanitizeResponse({ rules, pseudonymizer, url: 'https://api.example.com/x', body });
  if (out.blocked) throw new Error(out.reason);
  return out.body;
}

export function sanitizeYaml(yaml: string, url: string, body: string, method = 'GET') {
  const rules = compileRestRules(loadRestRules(yaml, { source: 'test.yaml' }));
  return sanitizeResponse({ rules, pseudonymizer, url, body, method });
}
