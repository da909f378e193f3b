/**
 * Small structural types the core uses where VS Code has its own (CancellationToken, Event,
 * Disposable, Progress). The extension passes the real objects in; the CLI passes these.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, TimeoutError } from './errors';

export interface Disposable {
  dispose(): void;
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): Disposable;
}

/** Progress of long work: a step message, optionally with an increment in percent. */
export interface ProgressReporter {
  report(step: { message?: string; increment?: number }): void;
}

export const silentProgress: ProgressReporter = { report: () => undefined };

export const neverCancelled: CancellationToken = {
  isCancellationRequested: false,
  onCancellationRequested: () => ({ dispose: () => undefined }),
};

/** A token cancelled by an AbortSignal (the CLI uses one wired to SIGINT). */
export function tokenFromSignal(signal: AbortSignal): CancellationToken {
  return {
    get isCancellationRequested() {
      return signal.aborted;
    },
    onCancellationRequested(listener) {
      if (signal.aborted) {
        queueMicrotask(listener);
        return { dispose: () => undefined };
      }
      signal.addEventListener('abort', listener, { once: true });
      return { dispose: () => signal.removeEventListener('abort', listener) };
    },
  };
}

/** Leveled log sink; the extension maps it to a LogOutputChannel, the CLI to stderr. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const nullLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Waits `ms`, or less when `token` is cancelled: a poll loop's pause that a Cancel ends at once
 * (the loop then sees the token and stops). Resolves either way, never rejects.
 */
export async function sleep(ms: number, token?: CancellationToken): Promise<void> {
  if (token?.isCancellationRequested) return;
  const stop = new AbortController();
  const sub = token?.onCancellationRequested(() => stop.abort());
  try {
    await delay(ms, undefined, { signal: stop.signal });
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    sub?.dispose();
  }
}

/**
 * Asks `check` every `intervalMs` until it answers undefined (done). An answer is what is still
 * missing: past `deadline` (epoch ms) the last one goes into the TimeoutError `timeout` makes;
 * a cancel throws CancelledError(`cancelled`).
 */
export async function pollUntil(
  check: () => Promise<string | undefined>,
  o: { readonly deadline: number; readonly intervalMs: number; readonly token?: CancellationToken; readonly timeout: (missing: string) => string; readonly cancelled: string },
): Promise<void> {
  for (;;) {
    if (o.token?.isCancellationRequested) throw new CancelledError(o.cancelled);
    const missing = await check();
    if (missing === undefined) return;
    if (Date.now() > o.deadline) throw new TimeoutError(o.timeout(missing));
    await sleep(o.intervalMs, o.token);
  }
}
