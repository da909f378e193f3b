import * as vscode from 'vscode';
import { type CancellationToken, type Logger } from '../core/lifecycle';
import { listSwarmClusters } from '../core/swarm/discover';
import { DEFAULT_GRACE_SECONDS } from '../core/heal/planHeal';
import { watchCluster } from '../core/heal/watcher';
import { type EngineProvider } from './engineProvider';
import { type ClusterPasswords } from './passwords';
import { ClusterWatchers } from './clusterWatchers';

/** How often the watcher looks for clusters that appeared or went away (ms). */
const CLUSTER_LIST_INTERVAL_MS = 30_000;

/**
 * Runs the core heal watcher for every cluster on the swarm while `redisSwarm.heal.watch` is
 * true (default false). Logs to the output channel; a warning notification names slot ranges
 * given up in cache mode. Stops every watcher when the setting goes off, the engine changes, or
 * the extension is disposed.
 */
export class HealWatcher implements vscode.Disposable {
  private readonly watchers: ClusterWatchers;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engines: EngineProvider,
    private readonly passwords: ClusterPasswords,
    private readonly logger: Logger,
  ) {
    this.watchers = new ClusterWatchers({
      list: async () => (await listSwarmClusters(this.engines.get().docker)).map((c) => c.name),
      enabled: () => this.enabled,
      watch: (name, token) => this.watch(name, token),
      logger,
    });
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
    void this.watchers.sync();
    this.timer = setInterval(() => void this.watchers.sync(), CLUSTER_LIST_INTERVAL_MS);
  }

  private async watch(name: string, token: CancellationToken): Promise<void> {
    const graceMs = (vscode.workspace.getConfiguration('redisSwarm').get<number>('heal.graceSeconds') ?? DEFAULT_GRACE_SECONDS) * 1000;
    const login = await this.passwords.get(name);
    // Watching may have been turned off while the login was read.
    if (token.isCancellationRequested) return;
    await watchCluster(this.engines.get(), name, {
      graceMs,
      token,
      logger: this.logger,
      ...(login !== undefined ? { login } : {}),
      onLostSlots: (ranges) => {
        void vscode.window.showWarningMessage(vscode.l10n.t('Heal gave up slots {0} of {1} (cache mode): their data is gone; they are served again, empty.', ranges, name));
      },
    });
  }

  private stopAll(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watchers.stopAll();
  }

  dispose(): void {
    this.stopAll();
    for (const d of this.disposables) d.dispose();
  }
}
