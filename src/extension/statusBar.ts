import * as vscode from 'vscode';
import { type ClusterModel } from '../core/model/clusterModel';
import { type ModelStore } from './modelStore';
import { type TreeNode, clusterOf } from './tree/nodes';

const ICONS: Record<ClusterModel['health'], string> = {
  ok: '$(pass)',
  degraded: '$(warning)',
  fail: '$(error)',
  unformed: '$(circle-large-outline)',
  unreachable: '$(warning)',
};

/**
 * One status bar item with the state of the cluster selected in the tree (else the only, or the
 * first, cluster); clicking it runs Check Cluster on that cluster. Hidden when there is none.
 */
export class ClusterStatusBar implements vscode.Disposable {
  /** The item itself: the extension-host tests read what it shows. */
  readonly item = vscode.window.createStatusBarItem('redisSwarm.clusterState', vscode.StatusBarAlignment.Left, 50);
  private selected: string | undefined;
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(
    private readonly store: ModelStore,
    view: vscode.TreeView<TreeNode>,
  ) {
    this.item.name = vscode.l10n.t('Redis Swarm cluster state');
    store.onDidChange(() => this.update(), undefined, this.disposables);
    view.onDidChangeSelection(
      (e) => {
        const name = clusterOf(e.selection[0])?.name;
        if (name) {
          this.selected = name;
          this.update();
        }
      },
      undefined,
      this.disposables,
    );
  }

  /** The cluster the status bar shows, if any. */
  private get cluster(): ClusterModel | undefined {
    const clusters = this.store.current?.clusters ?? [];
    return clusters.find((c) => c.name === this.selected) ?? clusters[0];
  }

  private update(): void {
    const c = this.cluster;
    if (!c || this.store.error) {
      this.item.hide();
      return;
    }
    const words = c.health === 'unformed' ? vscode.l10n.t('not formed') : c.health;
    this.item.text = `${ICONS[c.health]} ${c.name}: ${words}`;
    const why = c.findings.length > 0 ? ` ${c.findings.map((f) => f.message).join('; ')}.` : '';
    this.item.tooltip = vscode.l10n.t('Redis cluster {0}: {1}, {2} node(s), {3} slots covered.{4} Click to check it.', c.name, words, c.swarm.nodes.length, c.slotsCovered, why);
    this.item.backgroundColor =
      c.health === 'fail'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : c.health === 'degraded'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command = { title: vscode.l10n.t('Check Cluster'), command: 'redisSwarm.checkCluster', arguments: [c.name] };
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
