import * as vscode from 'vscode';
import { readTopology } from '../../core/cluster/readTopology';
import { type SlotRange } from '../../core/cluster/topology';
import { BadInputError } from '../../core/errors';
import { formatMoveReport, moveComplete } from '../../core/ops/formatOps';
import { applyReshard, planReshardOn } from '../../core/ops/reshard';
import { seedEndpoints } from '../../core/swarm/discover';
import { type CommandDef } from './commandContext';
import { clusterByName, runClusterOperation } from './opsSupport';
import { moveContext } from './opsSettings';

/**
 * `redisSwarm.moveSlots(clusterName, ranges, targetMasterId)`: the slot map calls it after the
 * user selects a range. The slots move with their keys; the notification shows slots, keys and
 * keys/s, and its Cancel finishes the slots in flight and stops. Resolves to the move's report
 * (undefined when the command failed: the error went to the user), so callers such as the
 * extension-host tests can tell what happened.
 */
export const moveSlotsCommand: CommandDef = {
  id: 'redisSwarm.moveSlots',
  async run(ctx, ...args) {
    const [clusterName, ranges, targetId] = args as [unknown, unknown, unknown];
    if (typeof clusterName !== 'string' || typeof targetId !== 'string' || !Array.isArray(ranges)) {
      throw new BadInputError(vscode.l10n.t('redisSwarm.moveSlots needs (clusterName, [{start, end}], targetMasterId).'));
    }
    const slotRanges: SlotRange[] = ranges.map((r: unknown) => {
      const { start, end } = (r ?? {}) as { start?: unknown; end?: unknown };
      if (typeof start !== 'number' || typeof end !== 'number') throw new BadInputError(vscode.l10n.t('Each slot range needs numeric start and end.'));
      return { start, end };
    });
    const cluster = await clusterByName(ctx, clusterName);
    const report = await runClusterOperation(ctx, cluster, vscode.l10n.t('Move slots'), async (c, progress, token) => {
      const seeds = seedEndpoints(cluster.swarm);
      const topology = await readTopology(c.router, seeds, { pool: c.pool });
      const plan = planReshardOn(topology, { to: targetId, ranges: slotRanges });
      const r = await applyReshard(
        moveContext(c.pool, progress, token, ctx.logger),
        topology,
        plan,
      );
      ctx.logger.info(formatMoveReport(topology, r).trim());
      return r;
    });
    if (moveComplete(report)) void vscode.window.showInformationMessage(vscode.l10n.t('Moved {0} slot(s) and {1} key(s).', report.moved.length, report.keysMoved));
    else if (report.cancelled) void vscode.window.showWarningMessage(vscode.l10n.t('Cancelled after {0} slot(s); no slot was left open.', report.moved.length));
    else void vscode.window.showErrorMessage(vscode.l10n.t('Moved {0} slot(s); {1} could not be moved (see the log).', report.moved.length, report.conflicts.length + report.failed.length), vscode.l10n.t('Show Log')).then((c) => c && ctx.output.show(true));
    return report;
  },
};
