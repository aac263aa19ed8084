import { Pseudonymizer } from '../pseudonym/pseudonymizer.js';
import { RulesError } from '../rules/errors.js';
import { checkColumnarRules } from './columnar.js';
import { compileRecordRules } from './record-transforms.js';
import type { BulkRules, ColumnarRules, RecordRules } from './rules.js';

// Nothing is hashed while checking: the pseudonymizer only lets the pipelines compile. Made on
// first use, so that importing the package does no work for it.
let checking: Pseudonymizer | undefined;

/**
 * Compiles bulk rules as sanitizing a file would (JSONPaths, regexes, format strings), and
 * describes them, one line per rule set; throws a {@link RulesError} naming the first problem.
 */
export function checkBulkRules(rules: BulkRules, source?: string, at: readonly string[] = []): string[] {
  if (rules.kind === 'multi') {
    return rules.fileRules.flatMap(({ template, rules: inner }) => checkBulkRules(inner, source, [...at, `fileRules > ${template}`]));
  }
  const prefix = at.length > 0 ? `${at.join(' > ')}: ` : '';
  try {
    return [prefix + (rules.kind === 'record' ? describeRecords(rules.rules) : describeColumns(rules.rules))];
  } catch (e) {
    if (!(e instanceof RulesError)) throw e;
    throw new RulesError(e.problem, [...at, e.location].filter(Boolean).join(' > ') || undefined, source ?? e.source);
  }
}

function describeRecords(rules: RecordRules): string {
  compileRecordRules(rules);
  const steps = rules.transforms.map((t) => Object.keys(t)[0]).join(', ') || 'no transforms';
  return `records (${rules.format}): ${steps}${rules.outputSchemaFilter ? ', then the output schema filter' : ''}`;
}

function describeColumns(rules: ColumnarRules): string {
  checking ??= new Pseudonymizer({ salt: 'rules-check' });
  checkColumnarRules(rules, checking);
  const parts: [string, readonly string[]][] = [
    ['pseudonymize', [...rules.columnsToPseudonymize, ...rules.columnsToPseudonymizeIfPresent.map((c) => `${c} (if present)`)]],
    ['redact', rules.columnsToRedact],
    ['include only', rules.columnsToInclude ?? []],
    ['rename', Object.keys(rules.columnsToRename)],
    ['duplicate', Object.keys(rules.columnsToDuplicate)],
    ['computed', Object.keys(rules.fieldsToTransform)],
  ];
  const described = parts.filter(([, cols]) => cols.length > 0).map(([what, cols]) => `${what} ${cols.join(', ')}`);
  return `CSV columns: ${described.join('; ') || 'all passed through'} (pseudonyms as ${rules.pseudonymFormat})`;
}
