/**
 * Progress that is also logged, without the heartbeats: a poll that reports "Waiting for the
 * cluster to join (4/6 nodes ready)" every few milliseconds logs it once at info, and again only
 * when the words change; the repeats go to trace. The notification still gets every report.
 */
import { type ProgressReporter } from './lifecycle';

export interface ProgressLogSink {
  info(message: string): void;
  trace(message: string): void;
}

export function loggedProgress(inner: ProgressReporter, log: ProgressLogSink): ProgressReporter {
  let last: string | undefined;
  return {
    report(step) {
      if (step.message !== undefined) {
        if (step.message === last) log.trace(step.message);
        else log.info(step.message);
        last = step.message;
      }
      inner.report(step);
    },
  };
}
