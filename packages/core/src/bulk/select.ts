import { pathTemplateToRegex } from '../endpoint/path-template.js';
import { type JavaPattern, javaPattern } from '../regex/pattern.js';
import { BulkDataError, NoApplicableRulesError } from './errors.js';
import type { BulkRules } from './rules.js';

type LeafRules = Exclude<BulkRules, { kind: 'multi' }>;

const compiled = new WeakMap<object, JavaPattern>();

function templatePattern(entry: { template: string }): JavaPattern {
  let p = compiled.get(entry);
  if (!p) {
    p = javaPattern(pathTemplateToRegex(entry.template.replace(/^\/+/, '')));
    compiled.set(entry, p);
  }
  return p;
}

/**
 * Psoxy's `MultiTypeBulkDataRules`: the first template (in file order) that matches the whole
 * object key picks the rules; `*` is a literal asterisk and matching is case-sensitive. Nested
 * multi-type rules match the value of the outer template's last parameter (one level).
 */
export function selectBulkRules(rules: BulkRules, objectPath: string, depth = 0): LeafRules {
  if (rules.kind !== 'multi') return rules;
  const key = objectPath.replace(/^\/+/, '');
  for (const entry of rules.fileRules) {
    const m = templatePattern(entry).matches(key);
    if (!m) continue;
    if (entry.rules.kind !== 'multi') return entry.rules;
    if (depth > 0) break;
    const inner = m.groupCount > 0 ? m.group(m.groupCount) : undefined;
    if (inner === undefined) throw new BulkDataError(`rules for '${entry.template}' are multi-type, but the template captures no parameter to match them against`, objectPath);
    return selectBulkRules(entry.rules, inner, depth + 1);
  }
  const templates = rules.fileRules.map((e) => e.template).join(', ');
  throw new NoApplicableRulesError(`no applicable rules: the object path '${key}' matches none of the templates (${templates})`, objectPath);
}
