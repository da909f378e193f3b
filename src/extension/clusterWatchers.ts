/**
 * The per-cluster heal watchers behind HealWatcher, kept free of `vscode` so its ordering can
 * be tested under plain Node. A sync lists the clusters, then starts a watcher for each new one
 * and stops those whose cluster went away. Syncs run one at a time (an older, slower list must
 * not land after a newer one), and a sync that was waiting when watching was turned off starts
 * nothing: `stopAll` makes every sync queued or in flight before it stale.
 */
import { describeError } from '../core/errors';
import { type CancellationToken, type Logger, tokenFromSignal } from '../core/lifecycle';

export interface ClusterWatchersDeps {
  /** The names of the clusters on the swarm now. */
  list(): Promise<string[]>;
  /** Whether watching is on; asked again after every wait, since the setting may change meanwhile. */
  enabled(): boolean;
  /** Watches one cluster until the token is cancelled. */
  watch(name: string, token: CancellationToken): Promise<void>;
  readonly logger: Logger;
}

export class ClusterWatchers {
  private readonly running = new Map<string, AbortController>();
  /** Bumped by stopAll: a sync started under an older generation does nothing more. */
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ClusterWatchersDeps) {}

  /** The clusters being watched. */
  get watching(): string[] {
    return [...this.running.keys()];
  }

  /** Queues a sync after the ones already queued; resolves when it has run. */
  sync(): Promise<void> {
    const generation = this.generation;
    this.queue = this.queue.then(() => this.syncNow(generation));
    return this.queue;
  }

  /** Stops every watcher, and makes the syncs queued or in flight start none. */
  stopAll(): void {
    this.generation++;
    for (const stop of this.running.values()) stop.abort();
    this.running.clear();
  }

  private current(generation: number): boolean {
    return generation === this.generation && this.deps.enabled();
  }

  private async syncNow(generation: number): Promise<void> {
    if (!this.current(generation)) return;
    let names: string[];
    try {
      names = await this.deps.list();
    } catch (err) {
      this.deps.logger.warn(`heal watcher: cannot list clusters: ${describeError(err)}`);
      return;
    }
    if (!this.current(generation)) return;
    for (const [name, stop] of this.running) {
      if (names.includes(name)) continue;
      stop.abort();
      this.running.delete(name);
    }
    for (const name of names) {
      if (this.running.has(name)) continue;
      const stop = new AbortController();
      this.running.set(name, stop);
      this.deps.watch(name, tokenFromSignal(stop.signal)).catch((err: unknown) => this.deps.logger.error(`heal watcher ${name}: ${describeError(err)}`));
    }
  }
}
