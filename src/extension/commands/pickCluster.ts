import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterModel } from '../../core/model/clusterModel';
import { type TreeNode, clusterOf } from '../tree/nodes';
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
  options: { title: string; filter?: (c: ClusterModel) => boolean },
): Promise<ClusterModel | undefined> {
  const name = typeof arg === 'string' ? arg : isTreeNode(arg) ? clusterOf(arg)?.name : undefined;
  if (!ctx.store.current) await ctx.store.refresh();
  if (name) {
    const found = ctx.store.cluster(name);
    if (!found) throw new BadInputError(vscode.l10n.t('No Redis cluster "{0}" on the connected swarm (any more).', name));
    return found;
  }
  const clusters = (ctx.store.current?.clusters ?? []).filter(options.filter ?? (() => true));
  if (clusters.length === 0) {
    throw new BadInputError(ctx.store.error ?? vscode.l10n.t('No matching Redis cluster on the connected swarm. Deploy one with "Redis Swarm: Deploy Cluster".'));
  }
  if (clusters.length === 1) return clusters[0];
  const pick = await vscode.window.showQuickPick(
    clusters.map((c) => ({ label: c.name, description: vscode.l10n.t('{0} · {1} node(s)', c.health, c.swarm.nodes.length), cluster: c })),
    // ignoreFocusOut: run from the walkthrough's button, the page takes the focus back and would close the pick at once.
    { title: options.title, placeHolder: vscode.l10n.t('Cluster'), ignoreFocusOut: true },
  );
  return pick?.cluster;
}
