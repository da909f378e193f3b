import { type FlagSpecs } from './args';

/** What a verb writes to; tests pass their own buffers. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT (Ctrl+C), SIGTERM or SIGHUP; the reason is the signal's name. */
  readonly signal: AbortSignal;
}

export interface Verb {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Declared flags; a verb that parses its own arguments (like `cli`) leaves this undefined. */
  readonly flags?: FlagSpecs;
  /** Returns the process exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
