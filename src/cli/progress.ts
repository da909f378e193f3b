import { ProgressReporter } from '../core/lifecycle';

/** Progress steps on stderr, so stdout stays clean for --json and pipes. */
export function stderrProgress(stderr: NodeJS.WritableStream): ProgressReporter {
  return {
    report(step) {
      if (step.message) stderr.write(`>>> ${step.message}\n`);
    },
  };
}
