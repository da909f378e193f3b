/**
 * How the mover schedules windows of slots, apart from what it does to them: workers that
 * pipeline their windows. Each worker prepares its next window while the current one's keys move, and lets
 * the current one drain and close while the next one's keys move. Without that, both workers
 * reached their SETSLOT round trips at the same moments and the source and this process idled
 * there (measured: a fifth of each window's time).
 */

/** What a worker does with its windows; the scheduler only orders these calls. */
export interface WindowSteps<W> {
  /** The next window, or undefined when none is left (or the run is cancelled). */
  next(): Promise<W | undefined>;
  /** Before the keys move (precheck, IMPORTING, …): runs while the worker's previous window copies. */
  prepare(window: W): Promise<void>;
  /** The keys' bulk move, on connections of `worker` alone; runs while its previous window finishes. */
  copy(window: W, worker: number): Promise<void>;
  /** Drain and close. */
  finish(window: W): Promise<void>;
}

/** Runs `workers` pipelined workers over the windows `steps.next` hands out, until none is left. */
export async function runWindows<W>(workers: number, steps: WindowSteps<W>): Promise<void> {
  await Promise.all(Array.from({ length: workers }, (_, w) => runWorker(w, steps)));
}

async function runWorker<W>(worker: number, steps: WindowSteps<W>): Promise<void> {
  const finishing: Promise<void>[] = [];
  const opened = async (): Promise<W | undefined> => {
    const window = await steps.next();
    if (window !== undefined) await steps.prepare(window);
    return window;
  };
  let current = await opened();
  while (current !== undefined) {
    const next = later(opened());
    await steps.copy(current, worker);
    finishing.push(later(steps.finish(current)));
    current = await next;
  }
  await Promise.all(finishing);
}

/**
 * A promise awaited later, after other awaits: its rejection meanwhile is not an unhandled one
 * (which ends the process), and still reaches the code that awaits it.
 */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
