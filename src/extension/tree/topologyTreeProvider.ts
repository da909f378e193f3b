import * as vscode from 'vscode';
import { describeTarget } from '../../core/docker/target';
import { type Logger } from '../../core/lifecycle';
import { type SwarmModel } from '../../core/model/clusterModel';
import { type ItemText, describeCluster, describeFinding, describeHost, describeMaster, describeReplica, describeService } from '../../core/model/describeNodes';
import { hostTrouble } from '../../core/swarm/swarmHosts';
import { clusterStartsExpanded, filterClusters, masterStartsExpanded } from '../../core/model/treeLayout';
import { type NodeLoad } from '../../core/model/nodeLoad';
import { type Endpoint } from '../../core/routes/endpoint';
import { type ModelStore } from '../modelStore';
import { firstRunState } from '../firstRun/firstRunState';
import { type ClusterTreeNode, type TreeNode } from './nodes';

/** The tree as built from one model: every node by its stable id, with its children and parent. */
interface Snapshot {
  readonly roots: readonly TreeNode[];
  readonly byId: ReadonlyMap<string, TreeNode>;
  readonly children: ReadonlyMap<string, readonly TreeNode[]>;
  readonly parent: ReadonlyMap<string, TreeNode>;
  /** What each item looks like, to fire change events only for items that changed. */
  readonly signature: ReadonlyMap<string, string>;
}

/** A stable id per item: VS Code keeps expansion and selection by id across refreshes. */
export function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'engine':
      return 'engine';
    case 'host':
      return `engine/h/${node.host.id}`;
    case 'cluster':
      return `c/${node.cluster.name}`;
    case 'master':
      return `c/${node.cluster.name}/m/${node.node.node.id}`;
    case 'replica':
      return `c/${node.cluster.name}/r/${node.node.node.id}`;
    case 'service':
      return `c/${node.cluster.name}/s/${node.service?.service ?? node.node?.node.id ?? '?'}`;
    case 'finding':
      return `c/${node.cluster.name}/f/${node.finding.code}/${node.finding.message}`;
    case 'message':
      return `${node.parent ? nodeId(node.parent) : ''}/msg/${node.text}`;
  }
}

/**
 * Draws the ModelStore's model. It never reads Docker or Redis and never waits for a read
 * (except the very first, when there is nothing to show): while the store reads, the tree
 * keeps showing the previous model. When the store changes it fires change events only for the
 * items that look different, the parent of children that came or went, or the root when the
 * list of clusters changed, so a refresh does not flicker.
 */
export class TopologyTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: Snapshot | undefined;
  private filter: string | undefined;
  /** The objects VS Code was given per id: change events must name those very objects. */
  private readonly issued = new Map<string, TreeNode>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly store: ModelStore,
    private readonly logger: Logger,
    private readonly load?: LoadSource,
  ) {
    store.onDidChange(() => this.update(), undefined, this.disposables);
    // Live load does not redraw rows: every row changing every 2 s is the noise issue 15 asks
    // to remove. The figures are in the tooltip, read fresh when it opens (resolveTreeItem),
    // and on the dashboard.
  }

  /** Shows only the clusters whose name or state matches (undefined or '': all). */
  setFilter(filter: string | undefined): void {
    this.filter = filter?.trim() || undefined;
    this.update();
    // The view's message follows the filter even when the same clusters stay listed.
    this.changed.fire(undefined);
  }

  get currentFilter(): string | undefined {
    return this.filter;
  }

  /** The view's message while a filter is on (undefined: none). */
  filterSummary(): string | undefined {
    if (!this.filter) return undefined;
    const all = this.store.current?.clusters ?? [];
    const shown = filterClusters(all, this.filter).length;
    return vscode.l10n.t('Clusters matching "{0}": {1} of {2}. Clear the filter to see all.', this.filter, shown, all.length);
  }

  private update(): void {
    const previous = this.snapshot;
    const next = buildSnapshot(this.store.current, this.store.error, this.filter);
    this.snapshot = next;
    if (!previous) {
      this.changed.fire(undefined);
      return;
    }
    const ids = (nodes: readonly TreeNode[] | undefined): string => (nodes ?? []).map(nodeId).join('\n');
    if (ids(previous.roots) !== ids(next.roots)) {
      this.changed.fire(undefined);
      return;
    }
    const changedIds: string[] = [];
    for (const [id] of next.byId) {
      const childrenChanged = ids(previous.children.get(id)) !== ids(next.children.get(id));
      if (childrenChanged || previous.signature.get(id) !== next.signature.get(id)) changedIds.push(id);
    }
    // A refreshed item redraws its subtree: skip items under one that is refreshed anyway.
    const set = new Set(changedIds);
    const covered = (id: string): boolean => {
      for (let p = next.parent.get(id); p; p = next.parent.get(nodeId(p))) if (set.has(nodeId(p))) return true;
      return false;
    };
    const elements = changedIds.filter((id) => !covered(id)).flatMap((id) => {
      const known = this.issued.get(id);
      return known ? [known] : [];
    });
    if (elements.length > 0) {
      this.logger.trace(`tree: ${elements.length} item(s) changed`);
      this.changed.fire(elements);
    }
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (!this.snapshot) {
      // The very first time only: there is nothing older to show.
      if (!this.store.current && !this.store.error) await this.store.refresh();
      this.snapshot = buildSnapshot(this.store.current, this.store.error, this.filter);
    }
    const list = element ? (this.snapshot.children.get(nodeId(element)) ?? []) : this.snapshot.roots;
    for (const n of list) this.issued.set(nodeId(n), n);
    return [...list];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    const parent = this.snapshot?.parent.get(nodeId(element));
    return parent ? (this.issued.get(nodeId(parent)) ?? parent) : undefined;
  }

  /** The freshest node with the same id (an item VS Code holds may be from an older model). */
  latest(element: TreeNode): TreeNode {
    return this.snapshot?.byId.get(nodeId(element)) ?? element;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    const node = this.latest(element);
    const hasChildren = (this.snapshot?.children.get(nodeId(node))?.length ?? 0) > 0;
    const text = itemText(node);
    const item = new vscode.TreeItem(
      text.label,
      !hasChildren
        ? vscode.TreeItemCollapsibleState.None
        : this.startsExpanded(node)
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = nodeId(node);
    item.description = text.description;
    item.tooltip = node.kind === 'message' ? text.tooltip : new vscode.MarkdownString(text.tooltip);
    item.iconPath = text.icon.color
      ? new vscode.ThemeIcon(text.icon.id, new vscode.ThemeColor(text.icon.color))
      : new vscode.ThemeIcon(text.icon.id);
    item.contextValue = contextValueOf(node);
    return item;
  }

  /** The tooltip with the newest live load, read when the user hovers (no redraw needed). */
  resolveTreeItem(item: vscode.TreeItem, element: TreeNode): vscode.TreeItem {
    const node = this.latest(element);
    if (this.load && (node.kind === 'master' || node.kind === 'replica')) item.tooltip = new vscode.MarkdownString(itemText(node, this.load).tooltip);
    return item;
  }

  /** VS Code remembers what the user opened or folded by id; this is only the first state. */
  private startsExpanded(node: TreeNode): boolean {
    const clusters = this.store.current?.clusters.length ?? 0;
    if (node.kind === 'cluster') return clusterStartsExpanded(clusters, node.cluster.swarm.nodes.length);
    if (node.kind === 'master') return masterStartsExpanded(node.cluster.swarm.nodes.length);
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function contextValueOf(node: TreeNode): string {
  if (node.kind === 'cluster') return node.cluster.shards.length > 0 ? 'cluster' : 'cluster.unformed';
  return node.kind;
}

/** Where the tree finds live load figures (the LoadMonitor), when they are polled. */
export interface LoadSource {
  latest(cluster: string, endpoint: Endpoint): NodeLoad | undefined;
}

function itemText(node: TreeNode, load?: LoadSource): ItemText {
  switch (node.kind) {
    case 'engine': {
      const s = node.status;
      const hosts = node.hosts ?? [];
      const troubled = hosts.filter((h) => hostTrouble(h) !== undefined);
      const hostWords = hosts.length > 1 || troubled.length > 0 ? ' · ' + (troubled.length > 0 ? vscode.l10n.t('{0} swarm nodes, {1} Down or drained', hosts.length, troubled.length) : vscode.l10n.t('{0} swarm nodes', hosts.length)) : '';
      return {
        label: vscode.l10n.t('Docker engine'),
        description:
          (s.swarm === 'active' && !s.isManager ? vscode.l10n.t('{0} · swarm {1} (worker)', s.version, s.swarm) : vscode.l10n.t('{0} · swarm {1}', s.version, s.swarm)) + hostWords,
        tooltip: [
          vscode.l10n.t('**Docker {0}** (API {1}, {2})', s.version, s.apiVersion, s.os),
          vscode.l10n.t('Reached: {0}', describeTarget(s.target)),
          vscode.l10n.t('Swarm: {0}', s.swarm) + (s.isManager ? vscode.l10n.t(', manager') : '') + (s.nodeAddr ? vscode.l10n.t(' at {0}', s.nodeAddr) : ''),
        ].join('\n\n'),
        icon: s.swarm === 'active' ? { id: 'vm-running', color: 'testing.iconPassed' } : { id: 'vm-outline', color: 'list.warningForeground' },
      };
    }
    case 'host':
      return describeHost(node.host, node.model);
    case 'cluster':
      return describeCluster(node.cluster);
    case 'master':
      return describeMaster(node.cluster, node.shard, load?.latest(node.cluster.name, node.node.node.endpoint));
    case 'replica':
      return describeReplica(node.cluster, node.shard, node.node, load?.latest(node.cluster.name, node.node.node.endpoint), load?.latest(node.cluster.name, node.shard.master.node.endpoint));
    case 'service':
      return describeService(node.cluster, node.service, node.node);
    case 'finding':
      return describeFinding(node.finding);
    case 'message':
      return { label: node.text, description: '', tooltip: node.text, icon: { id: 'info' } };
  }
}

function buildSnapshot(model: SwarmModel | undefined, error: string | undefined, filter?: string): Snapshot {
  const byId = new Map<string, TreeNode>();
  const children = new Map<string, TreeNode[]>();
  const parent = new Map<string, TreeNode>();
  const signature = new Map<string, string>();
  const add = (node: TreeNode, under: TreeNode | undefined): TreeNode => {
    const id = nodeId(node);
    byId.set(id, node);
    if (under) parent.set(id, under);
    return node;
  };
  const roots: TreeNode[] = [];
  // No engine, no swarm, no cluster: the tree stays empty so the view shows the welcome view
  // (package.json viewsWelcome) for that state, with the one action that gets past it.
  if (model && firstRunState(model, error) === 'clusters') {
    const engine = add({ kind: 'engine', status: model.engine, ...(model.hosts ? { hosts: model.hosts } : {}) }, undefined);
    roots.push(engine);
    // The machines, when there is more than one (or the one is in trouble): Down and drained ones show at a glance.
    const hosts = model.hosts ?? [];
    if (hosts.length > 1 || hosts.some((h) => hostTrouble(h) !== undefined)) {
      children.set(nodeId(engine), hosts.map((host) => add({ kind: 'host', host, model }, engine)));
    }
    for (const cluster of filterClusters(model.clusters, filter)) {
      const c: ClusterTreeNode = { kind: 'cluster', cluster };
      roots.push(add(c, undefined));
      const kids: TreeNode[] = [];
      if (cluster.shards.length > 0) {
        for (const shard of cluster.shards) {
          const m = add({ kind: 'master', cluster, shard, node: shard.master }, c);
          kids.push(m);
          children.set(
            nodeId(m),
            shard.replicas.map((r) => add({ kind: 'replica', cluster, shard, node: r }, m)),
          );
        }
        for (const other of cluster.others) kids.push(add({ kind: 'service', cluster, node: other, ...(other.service ? { service: other.service } : {}) }, c));
      } else {
        for (const service of cluster.swarm.nodes) kids.push(add({ kind: 'service', cluster, service }, c));
      }
      // What check (and heal) would name: a degraded or failing cluster says why, in the tree.
      for (const finding of cluster.findings) kids.push(add({ kind: 'finding', cluster, finding }, c));
      if (cluster.error) kids.push(add({ kind: 'message', text: cluster.error, parent: c }, c));
      children.set(nodeId(c), kids);
    }
  }
  for (const [id, node] of byId) {
    const t = itemText(node);
    signature.set(id, JSON.stringify([t.label, t.description, t.tooltip, t.icon, contextValueOf(node), (children.get(id)?.length ?? 0) > 0]));
  }
  return { roots, byId, children, parent, signature };
}
