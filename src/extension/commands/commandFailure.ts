/**
 * How the one command handler reports what a command threw. No `vscode` import, so the rule is
 * unit-tested: a user's Cancel is not a failure (logged at info, at most an information
 * message saying what was left done), everything else is an error with the log at hand.
 */
import { describeError, isCancelledError } from '../../core/errors';

export interface CommandFailure {
  readonly severity: 'info' | 'error';
  /** The one sentence to show and log. */
  readonly message: string;
}

export function commandFailure(err: unknown): CommandFailure {
  return { severity: isCancelledError(err) ? 'info' : 'error', message: describeError(err) };
}
