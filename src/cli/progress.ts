import { type ProgressReporter } from '../core/lifecycle';
import { formatMoveProgress } from '../core/ops/formatOps';
import { type MoveProgress } from '../core/ops/mover';

/** Progress steps on stderr, so stdout stays clean for --json and pipes. */
export function stderrProgress(stderr: NodeJS.WritableStream): ProgressReporter {
  return {
    report(step) {
      if (step.message) stderr.write(`>>> ${step.message}\n`);
    },
  };
}

/** The operation verbs' progress: steps from `report`, the slot mover's counters from `moves`. */
export interface OpsProgress extends ProgressReporter {
  /** The mover's counters (MoveContext.onProgress). */
  readonly moves: (p: MoveProgress) => void;
  /** Ends a counter line left open on a terminal. */
  end(): void;
}

/** How often counters are printed when the output is not a terminal (ms). */
const LOG_COUNTER_INTERVAL_MS = 1000;

/** A new step as `>>> step`; the mover's counters overwrite one line on a TTY, and go to a log at most once a second. */
export function opsProgress(out: NodeJS.WritableStream & { isTTY?: boolean }): OpsProgress {
  let counting = false;
  let lastLine = 0;
  const endCounters = (): void => {
    if (counting) out.write('\n');
    counting = false;
  };
  return {
    report: ({ message }) => {
      if (!message) return;
      endCounters();
      out.write(`>>> ${message}\n`);
    },
    moves: (p) => {
      const line = formatMoveProgress(p);
      if (out.isTTY) {
        out.write(`\r${line}\x1b[K`);
        counting = true;
      } else if (Date.now() - lastLine >= LOG_COUNTER_INTERVAL_MS) {
        lastLine = Date.now();
        out.write(`${line}\n`);
      }
    },
    end: endCounters,
  };
}
