/** Rules that cannot be loaded or cannot be enforced faithfully. Always names where the problem is. */
export class RulesError extends Error {
  override readonly name = 'RulesError';
  constructor(
    readonly problem: string,
    /** Where in the rules, e.g. `endpoints[2] (/users/{id}) > transforms[1] (pseudonymize)`. */
    readonly location?: string,
    /** Source file (or other origin) of the rules, when known. */
    readonly source?: string,
    /** 1-based line and column in the source, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = [source && line ? `${source}:${line}:${column ?? 1}` : source, location].filter(Boolean).join(' ');
    super(where ? `${where}: ${problem}` : problem);
  }
}
