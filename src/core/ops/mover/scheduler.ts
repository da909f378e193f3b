/**
 * How the mover schedules windows of slots, apart from what it does to them: a budget of slots
 * open at once (the slotsInFlight setting, a hard bound), and workers that pipeline their
 * windows. Each worker prepares its next window while the current one's keys move, and lets
 * the current one drain and close while the next one's keys move. Without that, both workers
 * reached their SETSLOT round trips at the same moments and the source and this process idled
 * there (measured: a fifth of each window's time).
 */

/**
 * Permits for slots open at once: a window takes one per slot before it opens any (its
 * IMPORTING), and gives each back once that slot is closed or given back. Waiters are served
 * first come, first served.
 */
export class SlotBudget {
  private free: number;
  private readonly waiting: { readonly n: number; readonly grant: (taken: boolean) => void }[] = [];
  private closed = false;

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Permits taken now. */
  get inUse(): number {
    return this.size - this.free;
  }

  /** Resolves true once `n` permits (at most `size`) are taken, or false if the budget was closed first. */
  take(n: number): Promise<boolean> {
    if (n > this.size) return Promise.reject(new RangeError(`${n} slots do not fit a budget of ${this.size}.`));
    if (this.closed) return Promise.resolve(false);
    if (this.waiting.length === 0 && this.free >= n) {
      this.free -= n;
      return Promise.resolve(true);
    }
    return new Promise((grant) => this.waiting.push({ n, grant }));
  }

  give(n: number): void {
    this.free += n;
    for (let w = this.waiting[0]; w && this.free >= w.n; w = this.waiting[0]) {
      this.waiting.shift();
      this.free -= w.n;
      w.grant(true);
    }
  }

  /** Wakes every waiter with false: nothing more will open. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.grant(false);
  }
}

/** What a worker does with its windows; the scheduler only orders these calls. */
export interface WindowSteps<W> {
  /** The next window with its permits taken, or undefined when none is left (or the run is cancelled). */
  next(): Promise<W | undefined>;
  /** Before the keys move (precheck, IMPORTING, …): runs while the worker's previous window copies. */
  prepare(window: W): Promise<void>;
  /** The keys' bulk move, on connections of `worker` alone; runs while its previous window finishes. */
  copy(window: W, worker: number): Promise<void>;
  /** Drain and close; gives each slot's permit back as it settles. */
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
    // Waiting for permits here never blocks this worker's own copy and finish below, which
    // give permits back: the budget cannot deadlock.
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
