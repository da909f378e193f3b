import * as vscode from 'vscode';
import { isTreeNode, clusterPickDescription } from './pickCluster';
import { clusterOf } from '../tree/nodes';
import { worstFirst } from '../../core/model/statusSummary';
import { type CommandDef } from './commandContext';

/**
 * `redisSwarm.pinCluster` ("Pin Cluster to Status Bar"): the status bar follows that cluster
 * instead of the one in the worst state (still counting the others in trouble). On the pinned
 * cluster, or by picking "Follow the worst", it unpins.
 */
export const pinClusterCommand: CommandDef = {
  id: 'redisSwarm.pinCluster',
  async run(ctx, ...args) {
    const fromTree = isTreeNode(args[0]) ? clusterOf(args[0])?.name : typeof args[0] === 'string' ? args[0] : undefined;
    let name: string | undefined | null = fromTree;
    if (fromTree !== undefined && fromTree === ctx.statusBar.pinned) name = null;
    if (fromTree === undefined) {
      if (!ctx.store.current) await ctx.store.refresh();
      const clusters = worstFirst(ctx.store.current?.clusters ?? []);
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Follow the cluster in the worst state'), description: ctx.statusBar.pinned === undefined ? vscode.l10n.t('now') : '', name: null as string | null },
          ...clusters.map((c) => ({ label: c.name, description: clusterPickDescription(c) + (c.name === ctx.statusBar.pinned ? vscode.l10n.t(' · pinned') : ''), name: c.name as string | null })),
        ],
        { title: vscode.l10n.t('Pin Cluster to Status Bar') },
      );
      if (!pick) return undefined;
      name = pick.name;
    }
    await ctx.statusBar.pin(name ?? undefined);
    return ctx.statusBar.summary()?.text;
  },
};
