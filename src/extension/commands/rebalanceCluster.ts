import * as vscode from 'vscode';
import { readTopology } from '../../core/cluster/readTopology';
import { BadInputError } from '../../core/errors';
import { formatMoveReport, moveComplete } from '../../core/ops/formatOps';
import { applyRebalance, planRebalanceOn } from '../../core/ops/rebalance';
import { seedEndpoints } from '../../core/swarm/discover';
import { type TreeNode, clusterOf } from '../tree/nodes';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';
import { moveContext } from './opsSettings';

/** `redisSwarm.rebalance` on a cluster: redis-cli's plan (empty masters included), confirmed, then moved. */
export const rebalanceCommand: CommandDef = {
  id: 'redisSwarm.rebalance',
  async run(ctx, ...args) {
    const cluster = clusterOf(args[0] as TreeNode | undefined);
    if (!cluster) throw new BadInputError('Run "Rebalance Slots" on a cluster in the Redis Swarm view.');
    const report = await runClusterOperation(ctx, cluster, 'Rebalance', async (c, progress, token) => {
      const seeds = seedEndpoints(cluster.swarm);
      const topology = await readTopology(c.router, seeds, { pool: c.pool });
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
