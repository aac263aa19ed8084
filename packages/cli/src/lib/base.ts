import { Command, Errors } from '@oclif/core';
import { EXIT, describeError } from './errors.js';

/** Base for psoxy commands: user mistakes become one clear line on stderr and an exit code. */
export abstract class PsoxyCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits and parse errors (unknown flag, missing argument) keep their handling.
    if (err instanceof Errors.ExitError) throw err;
    if (err?.oclif?.exit !== undefined && !(err as { psoxy?: boolean }).psoxy) {
      const message = err.message
        .replace(/^The following error occurred:\s*/, '')
        .replace(/\s*See more help with --help\s*$/, '');
      process.stderr.write(`error: ${message}\n`);
      process.stderr.write(`See: psoxy ${this.id?.replace(/:/g, ' ') ?? ''} --help\n`);
      return this.exit(EXIT.INVALID);
    }
    const { message, exitCode } = describeError(err);
    process.stderr.write(`error: ${message}\n`);
    return this.exit(exitCode);
  }
}
