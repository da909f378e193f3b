import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { Logger } from '../core/lifecycle';
import { listSwarmClusters } from '../core/swarm/discover';
import { DEFAULT_GRACE_SECONDS } from '../core/heal/planHeal';
import { watchCluster } from '../core/heal/watcher';
import { EngineProvider } from './engineProvider';
import { ClusterPasswords } from './passwords';

/** How often the watcher looks for clusters that appeared or went away (ms). */
const CLUSTER_LIST_INTERVAL_MS = 30_000;

/**
 * Runs the core heal watcher for every cluster on the swarm while `redisSwarm.heal.watch` is
 * true (default false). Logs to the output channel; a warning notification names slot ranges
 * given up in cache mode. Stops every watcher when the setting goes off, the engine changes, or
 * the extension is disposed.
 */
export class HealWatcher implements vscode.Disposable {
  private readonly watchers = new Map<string, vscode.CancellationTokenSource>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engines: EngineProvider,
    private readonly passwords: ClusterPasswords,
    private readonly logger: Logger,
  ) {
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('redisSwarm.heal')) this.restart();
    }, undefined, this.disposables);
    engines.onDidChangeEngine(() => this.restart(), undefined, this.disposables);
    this.restart();
  }

  /** One line in extension.ts: `context.subscriptions.push(HealWatcher.start(engines, passwords, logger));` */
  static start(engines: EngineProvider, passwords: ClusterPasswords, logger: Logger): HealWatcher {
    return new HealWatcher(engines, passwords, logger);
  }

  private get enabled(): boolean {
    return vscode.workspace.getConfiguration('redisSwarm').get<boolean>('heal.watch') === true;
  }

  private restart(): void {
    this.stopAll();
    if (!this.enabled) return;
    this.logger.info('heal watcher: on (redisSwarm.heal.watch)');
    void this.sync();
    this.timer = setInterval(() => void this.sync(), CLUSTER_LIST_INTERVAL_MS);
  }

  /** Starts a watcher for each new cluster and stops the ones whose cluster went away. */
  private async sync(): Promise<void> {
    let names: string[];
    try {
      names = (await listSwarmClusters(this.engines.get().docker)).map((c) => c.name);
    } catch (err) {
      this.logger.warn(`heal watcher: cannot list clusters: ${describeError(err)}`);
      return;
    }
    if (!this.enabled) return;
    for (const [name, cts] of this.watchers) {
      if (names.includes(name)) continue;
      cts.cancel();
      cts.dispose();
      this.watchers.delete(name);
    }
    const graceMs = (vscode.workspace.getConfiguration('redisSwarm').get<number>('heal.graceSeconds') ?? DEFAULT_GRACE_SECONDS) * 1000;
    for (const name of names) {
      if (this.watchers.has(name)) continue;
      const cts = new vscode.CancellationTokenSource();
      this.watchers.set(name, cts);
      const password = await this.passwords.get(name);
      void watchCluster(this.engines.get(), name, {
        graceMs,
        token: cts.token,
        logger: this.logger,
        ...(password !== undefined ? { password } : {}),
        onLostSlots: (ranges) => {
          void vscode.window.showWarningMessage(`Heal gave up slots ${ranges} of ${name} (cache mode): their data is gone; they are served again, empty.`);
        },
      }).catch((err: unknown) => this.logger.error(`heal watcher ${name}: ${describeError(err)}`));
    }
  }

  private stopAll(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const cts of this.watchers.values()) {
      cts.cancel();
      cts.dispose();
    }
    this.watchers.clear();
  }

  dispose(): void {
    this.stopAll();
    for (const d of this.disposables) d.dispose();
  }
}
