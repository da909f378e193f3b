import * as vscode from 'vscode';
import { hasSlots, resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';

/** `redisSwarm.openDashboard`: live load of a cluster's nodes, from the tree or the palette. */
export const openDashboardCommand: CommandDef = {
  id: 'redisSwarm.openDashboard',
  async run(ctx, ...args) {
    const cluster = await resolveCluster(ctx, args[0], {
      title: vscode.l10n.t('Open the dashboard of…'),
      filter: hasSlots,
      none: vscode.l10n.t('No Redis cluster with slots on the connected swarm: no load to show.'),
    });
    if (!cluster) return;
    ctx.dashboards.open(cluster.name);
  },
};
