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
    const cluster = await resolveCluster(ctx, args[0], {
      title: vscode.l10n.t('Rebalance which cluster?'),
      filter: hasSlots,
      none: vscode.l10n.t('No Redis cluster with slots to rebalance on the connected swarm.'),
    });
    if (!cluster) return;
    const report = await runClusterOperation(ctx, cluster, vscode.l10n.t('Rebalance'), async (c, progress, token) => {
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
    if (!report) void vscode.window.showInformationMessage(vscode.l10n.t('{0}: no rebalancing needed; every master is within 2% of its share.', cluster.name));
    else if (moveComplete(report)) void vscode.window.showInformationMessage(vscode.l10n.t('{0}: moved {1} slot(s) and {2} key(s).', cluster.name, report.moved.length, report.keysMoved));
    else void vscode.window.showWarningMessage(vscode.l10n.t('{0}: rebalance stopped after {1} slot(s) (see the log).', cluster.name, report.moved.length));
  },
};
