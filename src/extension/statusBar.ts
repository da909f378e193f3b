import * as vscode from 'vscode';
import { type ClusterHealth } from '../core/model/clusterModel';
import { summarizeClusters, type StatusSummary } from '../core/model/statusSummary';
import { type ModelStore } from './modelStore';

const ICONS: Record<ClusterHealth, string> = {
  ok: '$(pass)',
  degraded: '$(warning)',
  fail: '$(error)',
  unformed: '$(circle-large-outline)',
  unreachable: '$(warning)',
  starting: '$(loading~spin)',
};

/** Where the pinned cluster's name is kept (per workspace: each project watches its own). */
const PIN_KEY = 'redisSwarm.pinnedCluster';

/**
 * One status bar item for all clusters: the one in the worst state (a failing cluster is never
 * hidden behind the one being worked on) with a count of the others in trouble, or the cluster
 * the user pinned. Clicking it runs Check Cluster on the cluster it names (or asks which, when
 * it speaks of several). Hidden when there is no cluster.
 */
export class ClusterStatusBar implements vscode.Disposable {
  /** The item itself: the extension-host tests read what it shows. */
  readonly item = vscode.window.createStatusBarItem('redisSwarm.clusterState', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(
    private readonly store: ModelStore,
    private readonly state: vscode.Memento,
  ) {
    this.item.name = vscode.l10n.t('Redis Swarm cluster state');
    store.onDidChange(() => this.update(), undefined, this.disposables);
  }

  get pinned(): string | undefined {
    return this.state.get<string>(PIN_KEY);
  }

  /** Pins a cluster (undefined: follow the worst again). */
  async pin(cluster: string | undefined): Promise<void> {
    await this.state.update(PIN_KEY, cluster);
    this.update();
  }

  /** What the item shows now (for tests and the pin command's messages). */
  summary(): StatusSummary | undefined {
    if (this.store.error) return undefined;
    return summarizeClusters(this.store.current?.clusters ?? [], this.pinned);
  }

  private update(): void {
    const s = this.summary();
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = `${s.pinned ? '$(pinned) ' : ''}${ICONS[s.health]} ${s.text}`;
    this.item.tooltip = vscode.l10n.t('{0}\n\nPin a cluster here with "Redis Swarm: Pin Cluster to Status Bar".', s.tooltip);
    this.item.backgroundColor =
      s.health === 'fail' || s.health === 'unreachable'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : s.health === 'degraded'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command = { title: vscode.l10n.t('Check Cluster'), command: 'redisSwarm.checkCluster', arguments: s.cluster !== undefined ? [s.cluster] : [] };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
