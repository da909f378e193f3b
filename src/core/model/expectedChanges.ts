/**
 * Changes a person asked for are not news: while an operation runs on a cluster (and for a
 * moment after, until the views have read the result), the change notifier logs what changed
 * in that cluster instead of raising a warning about it. A failover the user started must not
 * come back as "Failover in Redis cluster …".
 */

/** After an operation ends, how long its cluster's changes still count as expected. */
export const EXPECTED_AFTER_MS = 15_000;

export class ExpectedChanges {
  private readonly running = new Map<string, number>();
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Marks `cluster` as changed on purpose until the returned function is called (and a while after). */
  begin(cluster: string): () => void {
    this.running.set(cluster, (this.running.get(cluster) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.running.get(cluster) ?? 1) - 1;
      if (left > 0) this.running.set(cluster, left);
      else this.running.delete(cluster);
      this.until.set(cluster, this.now() + EXPECTED_AFTER_MS);
    };
  }

  /** Whether a change seen now in `cluster` was asked for. */
  expected(cluster: string): boolean {
    if (this.running.has(cluster)) return true;
    const until = this.until.get(cluster);
    if (until === undefined) return false;
    if (this.now() <= until) return true;
    this.until.delete(cluster);
    return false;
  }
}
