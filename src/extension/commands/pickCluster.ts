import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterModel, HEALTH_WORDS } from '../../core/model/clusterModel';
import { endpointOf } from '../../core/model/describeNodes';
import { worstFirst } from '../../core/model/statusSummary';
import { type MasterTreeNode, type ReplicaTreeNode, type TreeNode, clusterOf } from '../tree/nodes';
import { type CommandContext } from './commandContext';

/** Whether a command argument is one of the tree's nodes. */
export function isTreeNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string';
}

/**
 * The cluster a command acts on, fresh from the store: from a tree node, a cluster name (the
 * status bar and notifications pass one), or a QuickPick when run from the palette.
 */
export async function resolveCluster(
  ctx: CommandContext,
  arg: unknown,
  options: { title: string; filter?: (c: ClusterModel) => boolean; none?: string },
): Promise<ClusterModel | undefined> {
  const name = typeof arg === 'string' ? arg : isTreeNode(arg) ? clusterOf(arg)?.name : undefined;
  if (!ctx.store.current) await ctx.store.refresh();
  if (name) {
    const found = ctx.store.cluster(name);
    if (!found) throw new BadInputError(vscode.l10n.t('No Redis cluster "{0}" on the connected swarm (any more).', name));
    return found;
  }
  const clusters = worstFirst((ctx.store.current?.clusters ?? []).filter(options.filter ?? (() => true)));
  if (clusters.length === 0) {
    throw new BadInputError(ctx.store.error ?? options.none ?? vscode.l10n.t('No matching Redis cluster on the connected swarm. Deploy one with "Redis Swarm: Deploy Cluster".'));
  }
  if (clusters.length === 1) return clusters[0];
  const pick = await vscode.window.showQuickPick(
    clusters.map((c) => ({ label: c.name, description: clusterPickDescription(c), cluster: c })),
    // ignoreFocusOut: run from the walkthrough's button, the page takes the focus back and would close the pick at once.
    { title: options.title, placeHolder: vscode.l10n.t('Cluster'), ignoreFocusOut: true },
  );
  return pick?.cluster;
}

/** What every cluster picker says next to a name: the state in the tree's words, nodes, slots. */
export function clusterPickDescription(c: ClusterModel): string {
  const nodes = c.swarm.nodes.length;
  const masters = c.shards.length;
  return [
    HEALTH_WORDS[c.health],
    nodes === 1 ? vscode.l10n.t('1 node') : vscode.l10n.t('{0} nodes', nodes),
    ...(masters > 0 ? [masters === 1 ? vscode.l10n.t('1 master') : vscode.l10n.t('{0} masters', masters)] : []),
  ].join(' · ');
}

/** Clusters that have slots: the slot map, moves, rebalance and failover work on these. */
export const hasSlots = (c: ClusterModel): boolean => c.shards.length > 0;

type NodeItem = MasterTreeNode | ReplicaTreeNode;

/**
 * The master or replica a command acts on: the tree node it was run on, or (from the palette) a
 * cluster then a node picked from QuickPicks that show each node's role, service and state.
 */
export async function resolveNode(
  ctx: CommandContext,
  arg: unknown,
  options: { title: string; kinds: readonly NodeItem['kind'][]; clusterFilter?: (c: ClusterModel) => boolean; none: string },
): Promise<NodeItem | undefined> {
  if (isTreeNode(arg)) {
    if ((arg.kind === 'master' || arg.kind === 'replica') && options.kinds.includes(arg.kind)) return arg;
    throw new BadInputError(options.none);
  }
  const cluster = await resolveCluster(ctx, undefined, { title: vscode.l10n.t('{0}: in which cluster?', options.title), filter: (c) => hasSlots(c) && (options.clusterFilter?.(c) ?? true), none: options.none });
  if (!cluster) return undefined;
  const items = cluster.shards.flatMap((shard) => [
    ...(options.kinds.includes('master') ? [{ kind: 'master' as const, cluster, shard, node: shard.master }] : []),
    ...(options.kinds.includes('replica') ? shard.replicas.map((r) => ({ kind: 'replica' as const, cluster, shard, node: r })) : []),
  ]);
  if (items.length === 0) throw new BadInputError(
      options.kinds.length === 1 && options.kinds[0] === 'replica'
        ? vscode.l10n.t('{0} has no replica: {1}', cluster.name, options.none)
        : vscode.l10n.t('{0} has no master or replica: {1}', cluster.name, options.none),
    );
  const pick = await vscode.window.showQuickPick(
    items.map((n) => ({
      label: n.node.service?.service ?? endpointOf(n.node),
      description:
        (n.kind === 'master'
          ? vscode.l10n.t('master · {0} slots', n.shard.slotCount)
          : vscode.l10n.t('replica of {0}', n.shard.master.service?.service ?? endpointOf(n.shard.master))) + (n.node.healthy ? '' : vscode.l10n.t(' · unhealthy')),
      detail: endpointOf(n.node),
      node: n,
    })),
    {
      title: vscode.l10n.t('{0} ({1})', options.title, cluster.name),
      placeHolder: options.kinds.length === 1 ? (options.kinds[0] === 'master' ? vscode.l10n.t('A master') : vscode.l10n.t('A replica')) : vscode.l10n.t('A node'),
    },
  );
  return pick?.node;
}

/**
 * Whether a caller already confirmed (`{ confirmed: true }` among the arguments: the
 * extension-host tests, or a caller that showed the plan itself). A tree menu passes the node
 * and the selected nodes, never such an object, so the user is always asked.
 */
export function confirmedByCaller(args: readonly unknown[]): boolean {
  return args.some((a) => typeof a === 'object' && a !== null && !Array.isArray(a) && (a as { confirmed?: unknown }).confirmed === true);
}
