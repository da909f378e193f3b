import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { type Logger } from '../core/lifecycle';
import { type ClusterModel } from '../core/model/clusterModel';
import { LoadPoller } from '../core/model/loadPoller';
import { type NodeLoad } from '../core/model/nodeLoad';
import { type Endpoint } from '../core/routes/endpoint';
import { type ModelStore } from './modelStore';

/** The poll interval when the setting is missing, in seconds. */
export const DEFAULT_LOAD_INTERVAL_SECONDS = 2;

/**
 * Live load figures per node, polled only while something shows them: the tree view while it is
 * visible, and each dashboard while its tab is visible (`watch`). Each cluster has its own
 * poller over the cluster's pool (the model reader's: one connection per node); a round never
 * overlaps the previous one. Setting `redisSwarm.load.intervalSeconds` to 0 turns it off.
 */
export class LoadMonitor implements vscode.Disposable {
  private readonly pollers = new Map<string, LoadPoller>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private watchers = 0;
  private treeVisible: boolean;
  private ticking = false;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly store: ModelStore,
    view: vscode.TreeView<unknown>,
    private readonly logger: Logger,
  ) {
    this.treeVisible = view.visible;
    view.onDidChangeVisibility((e) => {
      this.treeVisible = e.visible;
      this.reschedule();
    }, undefined, this.disposables);
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('redisSwarm.load.intervalSeconds')) this.reschedule();
    }, undefined, this.disposables);
    this.reschedule();
  }

  /** A view that shows load while it is visible; dispose when it hides or closes. */
  watch(): vscode.Disposable {
    this.watchers++;
    this.reschedule();
    void this.tick();
    let done = false;
    return new vscode.Disposable(() => {
      if (done) return;
      done = true;
      this.watchers--;
      this.reschedule();
    });
  }

  latest(cluster: string, endpoint: Endpoint): NodeLoad | undefined {
    return this.pollers.get(cluster)?.latest(endpoint);
  }

  history(cluster: string, endpoint: Endpoint): readonly NodeLoad[] {
    return this.pollers.get(cluster)?.history(endpoint)?.all ?? [];
  }

  get polling(): boolean {
    return this.timer !== undefined;
  }

  private intervalMs(): number {
    const s = vscode.workspace.getConfiguration('redisSwarm').get<number>('load.intervalSeconds') ?? DEFAULT_LOAD_INTERVAL_SECONDS;
    return Math.max(0, s) * 1000;
  }

  private reschedule(): void {
    const want = (this.treeVisible || this.watchers > 0) && this.intervalMs() > 0;
    if (this.timer && !want) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.logger.debug('load: polling stopped (nothing shows it)');
    } else if (!this.timer && want) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs());
      this.logger.debug(`load: polling every ${this.intervalMs()} ms`);
    }
  }

  /** One round over every formed cluster's nodes. */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const clusters = (this.store.current?.clusters ?? []).filter((c) => c.shards.length > 0);
      for (const name of [...this.pollers.keys()]) if (!clusters.some((c) => c.name === name)) this.pollers.delete(name);
      await Promise.all(clusters.map((c) => this.pollCluster(c)));
      this.changed.fire();
    } finally {
      this.ticking = false;
    }
  }

  private async pollCluster(c: ClusterModel): Promise<void> {
    let poller = this.pollers.get(c.name);
    if (!poller) {
      poller = new LoadPoller();
      this.pollers.set(c.name, poller);
    }
    const endpoints = nodeEndpoints(c);
    poller.keepOnly(endpoints);
    try {
      const { pool } = await this.store.getReader().connectionsFor(c.swarm);
      await poller.poll(pool, endpoints);
    } catch (err) {
      this.logger.trace(`load: ${c.name}: ${describeError(err)}`);
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

/** Every node of a formed cluster, masters first, by the endpoint it announces. */
export function nodeEndpoints(c: ClusterModel): Endpoint[] {
  return c.shards.flatMap((s) => [s.master.node.endpoint, ...s.replicas.map((r) => r.node.endpoint)]);
}
