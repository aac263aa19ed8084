import { Pseudonymizer, type PseudonymizerOptions } from './pseudonym/pseudonymizer.js';
import type { CompiledRestRules } from './sanitize/rest-rules.js';

export interface SanitizeResponseOptions {
  rules: CompiledRestRules;
  /** A pseudonymizer, or the options to make one. */
  pseudonymizer: Pseudonymizer | PseudonymizerOptions;
  method?: string;
  url: string;
  /** The upstream's 200 response body. */
  body: string;
  legacyPseudonyms?: boolean;
}

export type SanitizeOutcome =
  | { blocked: false; body: string; endpoint: string | null }
  | { blocked: true; reason: string; status: number };

/**
 * One-shot: check `method url` against the rules and sanitize the response body the upstream
 * returned for it. What the CLI's `sanitize` and the conformance tests use.
 */
export function sanitizeResponse(opts: SanitizeResponseOptions): SanitizeOutcome {
  const match = opts.rules.match({ method: opts.method ?? 'GET', url: opts.url });
  if (!match.allowed) return { blocked: true, reason: match.reason, status: match.status };
  if (match.endpoint === null) return { blocked: false, body: opts.body, endpoint: null };
  const pseudonymizer = opts.pseudonymizer instanceof Pseudonymizer ? opts.pseudonymizer : new Pseudonymizer(opts.pseudonymizer);
  const body = opts.rules.sanitize(match.endpoint, opts.body, { pseudonymizer, legacyPseudonyms: opts.legacyPseudonyms ?? false });
  return { blocked: false, body, endpoint: match.endpoint.label };
}
