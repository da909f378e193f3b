import * as vscode from 'vscode';
import { type SlotRange } from '../../core/cluster/topology';
import { BadInputError, describeError } from '../../core/errors';
import { type ClusterModel } from '../../core/model/clusterModel';
import { readSlotKeyCounts } from '../../core/model/slotKeyCounts';
import { formatMoveReport, moveComplete } from '../../core/ops/formatOps';
import { describeMovePlan, moveOwners, type MovePlanText, parseSlotRangesInput } from '../../core/ops/movePlanText';
import { readSettledTopology } from '../../core/ops/opsTopology';
import { applyReshard, planReshardOn } from '../../core/ops/reshard';
import { seedEndpoints } from '../../core/swarm/discover';
import { type CommandContext, type CommandDef } from './commandContext';
import { clusterByName, connectionsOf, runClusterOperation } from './opsSupport';
import { moveContext } from './opsSettings';
import { confirmedByCaller, hasSlots, resolveCluster } from './pickCluster';

/** The plan with fresh key counts of the slots that move (a failure to count leaves keys out, never the plan). */
async function planWithKeys(ctx: CommandContext, cluster: ClusterModel, ranges: readonly SlotRange[], targetId: string): Promise<MovePlanText> {
  const owners = moveOwners(cluster);
  const bare = describeMovePlan(owners, ranges, targetId);
  try {
    const { pool } = await connectionsOf(ctx, cluster);
    // Only the slots that move, each counted by its owner: fresh, not the slot map's last count.
    const moving = bare.parts.flatMap((p) => {
      const shard = cluster.shards.find((s) => s.master.node.id === p.fromId);
      return shard ? [{ endpoint: shard.master.node.endpoint, ranges: p.ranges }] : [];
    });
    const counted = await readSlotKeyCounts(pool, moving);
    return counted.errors.length === 0 ? describeMovePlan(owners, ranges, targetId, counted.counts) : bare;
  } catch (err) {
    ctx.logger.debug(`move slots: keys not counted for the plan: ${describeError(err)}`);
    return bare;
  }
}

/** From the palette: the cluster, the slots, the target (never a master that owns them all already). */
async function askForMove(ctx: CommandContext): Promise<{ cluster: ClusterModel; ranges: SlotRange[]; targetId: string } | undefined> {
  const cluster = await resolveCluster(ctx, undefined, {
    title: vscode.l10n.t('Move slots of which cluster?'),
    filter: hasSlots,
    none: vscode.l10n.t('No Redis cluster with slots on the connected swarm.'),
  });
  if (!cluster) return undefined;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Move slots of {0}', cluster.name),
    prompt: vscode.l10n.t('Slots to move: N, N-M, or several separated by commas'),
    placeHolder: '0-99',
    validateInput: (v) => {
      try {
        parseSlotRangesInput(v);
        return undefined;
      } catch (err) {
        return describeError(err);
      }
    },
  });
  if (text === undefined) return undefined;
  const ranges = parseSlotRangesInput(text);
  const owners = moveOwners(cluster);
  const candidates = owners.filter((o) => describeMovePlan(owners, ranges, o.id).slots > 0);
  const pick = await vscode.window.showQuickPick(
    candidates.map((o) => ({ label: o.name, description: vscode.l10n.t('{0} slots now', o.ranges.reduce((n, r) => n + r.end - r.start + 1, 0)), id: o.id })),
    { title: vscode.l10n.t('Move {0} of {1} to which master?', text, cluster.name) },
  );
  return pick ? { cluster, ranges, targetId: pick.id } : undefined;
}

/**
 * `redisSwarm.moveSlots(clusterName, ranges, targetMasterId, { confirmed }?)`: the slot map calls
 * it after the user selects a range; from the palette it asks for the cluster, the slots and
 * the target. It shows the plan (slots and fresh key counts, from → to) and asks before moving,
 * unless the caller passes `{ confirmed: true }`. The notification shows slots, keys and keys/s,
 * and its Cancel finishes the slots in flight and stops. Resolves to the move's report
 * (undefined when nothing moved or the command failed), so callers such as the extension-host
 * tests can tell what happened.
 */
export const moveSlotsCommand: CommandDef = {
  id: 'redisSwarm.moveSlots',
  async run(ctx, ...args) {
    const [clusterName, ranges, targetId, options] = args as [unknown, unknown, unknown, unknown];
    let request: { cluster: ClusterModel; ranges: SlotRange[]; targetId: string } | undefined;
    if (clusterName === undefined) {
      request = await askForMove(ctx);
      if (!request) return undefined;
    } else {
      if (typeof clusterName !== 'string' || typeof targetId !== 'string' || !Array.isArray(ranges)) {
        throw new BadInputError(vscode.l10n.t('redisSwarm.moveSlots needs (clusterName, [{start, end}], targetMasterId).'));
      }
      const slotRanges: SlotRange[] = ranges.map((r: unknown) => {
        const { start, end } = (r ?? {}) as { start?: unknown; end?: unknown };
        if (typeof start !== 'number' || typeof end !== 'number') throw new BadInputError(vscode.l10n.t('Each slot range needs numeric start and end.'));
        return { start, end };
      });
      request = { cluster: await clusterByName(ctx, clusterName), ranges: slotRanges, targetId };
    }
    const { cluster, targetId: target } = request;
    if (!confirmedByCaller([options])) {
      const plan = await planWithKeys(ctx, cluster, request.ranges, target);
      if (plan.slots === 0) {
        void vscode.window.showInformationMessage(plan.headline);
        return undefined;
      }
      const moveButton = vscode.l10n.t('Move Slots');
      const choice = await vscode.window.showWarningMessage(
        plan.headline,
        { modal: true, detail: vscode.l10n.t('{0}\n\nKeys travel with their slots; clients are redirected as each slot moves.', plan.lines.join('\n')) },
        moveButton,
      );
      if (choice !== moveButton) return undefined;
    }
    const report = await runClusterOperation(ctx, cluster, vscode.l10n.t('Move slots'), async (c, progress, token) => {
      const seeds = seedEndpoints(cluster.swarm);
      const topology = await readSettledTopology(c.router, c.pool, seeds, { token });
      const plan = planReshardOn(topology, { to: target, ranges: request.ranges });
      const r = await applyReshard(moveContext(c.pool, progress, token, ctx.logger), topology, plan);
      ctx.logger.info(formatMoveReport(topology, r).trim());
      return r;
    });
    if (moveComplete(report)) void vscode.window.showInformationMessage(vscode.l10n.t('Moved {0} slot(s) and {1} key(s).', report.moved.length, report.keysMoved));
    else if (report.cancelled) void vscode.window.showWarningMessage(vscode.l10n.t('Cancelled after {0} slot(s); no slot was left open.', report.moved.length));
    else void vscode.window.showErrorMessage(vscode.l10n.t('Moved {0} slot(s); {1} could not be moved (see the log).', report.moved.length, report.conflicts.length + report.failed.length), vscode.l10n.t('Show Log')).then((c) => c && ctx.output.show(true));
    return report;
  },
};
