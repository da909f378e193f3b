import * as vscode from 'vscode';
import { formatMoveReport, moveComplete } from '../../core/ops/formatOps';
import { applyRebalance, planRebalanceOn } from '../../core/ops/rebalance';
import { readSettledTopology } from '../../core/ops/opsTopology';
import { seedEndpoints } from '../../core/swarm/discover';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';
import { moveContext } from './opsSettings';
import { hasSlots, resolveCluster } from './pickCluster';

/** `redisSwarm.rebalance` on a cluster: redis-cli's plan (empty masters included), confirmed, then moved. */
export const rebalanceCommand: CommandDef = {
  id: 'redisSwarm.rebalance',
  async run(ctx, ...args) {
    const cluster = await resolveCluster(ctx, args[0], { title: 'Rebalance which cluster?', filter: hasSlots, none: 'No Redis cluster with slots to rebalance on the connected swarm.' });
    if (!cluster) return;
    const report = await runClusterOperation(ctx, cluster, 'Rebalance', async (c, progress, token) => {
      const seeds = seedEndpoints(cluster.swarm);
      // A cluster still converging (just deployed, just failed over) is waited for, not called broken.
      const topology = await readSettledTopology(c.router, c.pool, seeds, { token });
      const plan = planRebalanceOn(topology, { useEmptyMasters: true });
      if (!plan.needed) return undefined;
      const r = await applyRebalance(
        moveContext(c.pool, progress, token, ctx.logger),
        topology,
        plan,
      );
      ctx.logger.info(formatMoveReport(topology, r).trim());
      return r;
    });
    if (!report) void vscode.window.showInformationMessage(`${cluster.name}: no rebalancing needed; every master is within 2% of its share.`);
    else if (moveComplete(report)) void vscode.window.showInformationMessage(`${cluster.name}: moved ${report.moved.length} slot(s) and ${report.keysMoved} key(s).`);
    else void vscode.window.showWarningMessage(`${cluster.name}: rebalance stopped after ${report.moved.length} slot(s) (see the log).`);
  },
};
