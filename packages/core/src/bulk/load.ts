import { RulesError } from '../rules/errors.js';
import { parseRulesText } from '../rules/load.js';
import { type BulkRules, toBulkRules } from './rules.js';

// Kept apart from rules.ts (schemas, toBulkRules), which connectors import to define their bulk
// rules in code: this reads rules from text, and with it comes the YAML parser, which a function
// then loads at start only if it has rules to read.

/** Loads bulk rules from YAML/JSON (Psoxy's files load as they are; base64/gzip accepted). */
export function loadBulkRules(text: string, opts: { source?: string } = {}): BulkRules {
  return toBulkRules(parseRulesText(text, opts), opts.source);
}

/** One entry of Psoxy's `ADDITIONAL_TRANSFORMS`: another output of the same input (lookup tables). */
export interface AdditionalTransform {
  destinationBucketName: string;
  pathWithinBucket?: string | undefined;
  rules: BulkRules;
  compressOutput?: boolean | undefined;
}

/** Parses `ADDITIONAL_TRANSFORMS`: a YAML (or JSON) list of `{destinationBucketName, pathWithinBucket?, rules, compressOutput?}`. */
export function parseAdditionalTransforms(text: string, opts: { source?: string } = {}): AdditionalTransform[] {
  const value = parseRulesText(text, opts);
  if (!Array.isArray(value)) throw new RulesError('ADDITIONAL_TRANSFORMS must be a list of {destinationBucketName, pathWithinBucket, rules, compressOutput}', undefined, opts.source);
  return value.map((entry, i) => {
    const where = `[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new RulesError('each transform must be a mapping', where, opts.source);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['destinationBucketName', 'pathWithinBucket', 'rules', 'compressOutput'].includes(k));
    if (unknown.length > 0) throw new RulesError(`unknown propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((k) => `'${k}'`).join(', ')}`, where, opts.source);
    if (typeof e.destinationBucketName !== 'string' || e.destinationBucketName.trim() === '') {
      throw new RulesError('destinationBucketName is required', where, opts.source);
    }
    if (e.pathWithinBucket !== undefined && e.pathWithinBucket !== null && typeof e.pathWithinBucket !== 'string') {
      throw new RulesError('pathWithinBucket must be a string', where, opts.source);
    }
    if (e.compressOutput !== undefined && e.compressOutput !== null && typeof e.compressOutput !== 'boolean') {
      throw new RulesError('compressOutput must be true or false', where, opts.source);
    }
    if (e.rules === undefined) throw new RulesError('rules are required', where, opts.source);
    return {
      destinationBucketName: e.destinationBucketName,
      pathWithinBucket: (e.pathWithinBucket as string | null | undefined) ?? undefined,
      rules: toBulkRules(e.rules, opts.source, [i, 'rules']),
      compressOutput: (e.compressOutput as boolean | null | undefined) ?? undefined,
    };
  });
}
