/**
 * The two ways the extension keeps a flurry of refresh reasons from becoming a flurry of reads
 * (Docker events arrive in bursts; several commands and views ask at once). Plain Node, no
 * `vscode`: the extension's RefreshManager and ModelStore use them, the unit tests drive them.
 */

/**
 * Runs `work` so that calls never overlap and never pile up: a call while a run is in progress
 * makes exactly one more run after it, however many calls there were; every call's promise
 * resolves when a run that started after the call has finished.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}

/**
 * Collects reasons and hands them over together `windowMs` after the first one. The window is
 * not extended by later reasons, so a steady stream of them cannot starve the action.
 */
export class ReasonDebouncer {
  private timer: NodeJS.Timeout | undefined;
  private readonly reasons = new Set<string>();
  private disposed = false;

  constructor(
    private readonly windowMs: number,
    private readonly fire: (reasons: readonly string[]) => void,
  ) {}

  request(reason: string): void {
    if (this.disposed) return;
    this.reasons.add(reason);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const reasons = [...this.reasons];
      this.reasons.clear();
      this.fire(reasons);
    }, this.windowMs);
  }

  /** Drops a pending window: nothing fires after this. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
