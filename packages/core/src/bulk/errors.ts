/**
 * A file that cannot be sanitized: what was wrong, in which file and on which line. Nothing is
 * written for it.
 */
export class BulkDataError extends Error {
  override readonly name: string = 'BulkDataError';
  constructor(
    readonly problem: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(`${file ?? 'input'}${line !== undefined ? `:${line}` : ''}: ${problem}`);
  }

  /** The same problem, placed in a file (for errors raised before the file name was known). */
  inFile(file: string): BulkDataError {
    return this.file === undefined ? new BulkDataError(this.problem, file, this.line) : this;
  }
}

/** No rules apply to the object: its key matches none of the multi-type rules' templates. */
export class NoApplicableRulesError extends BulkDataError {
  override readonly name = 'NoApplicableRulesError';
}
