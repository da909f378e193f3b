/**
 * Text for the CLI (and the extension's log) of plans and results, in redis-cli's words where
 * redis-cli prints the same thing (clusterManagerCommandReshard / Rebalance).
 */
import { type ClusterTopology, formatRanges, slotsToRanges } from '../cluster/topology';
import { formatEndpoint } from '../routes/endpoint';
import { type MoveProgress, type MoveReport, type SlotMove } from './mover';
import { type RebalancePlan } from './planRebalance';
import { type ReshardPlan } from './planReshard';

function labeler(topology: ClusterTopology): (id: string) => string {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  return (id) => {
    const n = byId.get(id);
    return n ? `${id} (${n.hostname ?? formatEndpoint(n.endpoint)})` : id;
  };
}

/** Per source: `Moving slots 0-99,200 from <id> to <id>` (redis-cli lists every slot; ranges read better). */
function movesBySource(moves: readonly SlotMove[], label: (id: string) => string): string[] {
  const groups = new Map<string, SlotMove[]>();
  for (const m of moves) groups.set(`${m.sourceId} ${m.targetId}`, [...(groups.get(`${m.sourceId} ${m.targetId}`) ?? []), m]);
  return [...groups.values()].map((g) => {
    const first = g[0] as SlotMove;
    return `    Moving ${g.length} slot(s) ${formatRanges(slotsToRanges(g.map((m) => m.slot)))} from ${label(first.sourceId)} to ${label(first.targetId)}`;
  });
}

export function formatReshardPlan(topology: ClusterTopology, plan: ReshardPlan): string {
  const label = labeler(topology);
  return [
    `Ready to move ${plan.moves.length} slots.`,
    '  Source nodes:',
    ...plan.sourceIds.map((id) => `    M: ${label(id)}`),
    '  Destination node:',
    `    M: ${label(plan.targetId)}`,
    '  Resharding plan:',
    ...movesBySource(plan.moves, label),
    '',
  ].join('\n');
}

export function formatRebalancePlan(topology: ClusterTopology, plan: RebalancePlan, threshold: number): string {
  const label = labeler(topology);
  if (!plan.needed) return `*** No rebalancing needed! All nodes are within the ${threshold.toFixed(2)}% threshold.\n`;
  return [
    `>>> Rebalancing across ${plan.nodesInvolved} nodes. Total weight = ${plan.totalWeight.toFixed(2)}`,
    ...plan.steps.map((s) => `Moving ${s.count} slots from ${label(s.sourceId)} to ${label(s.targetId)}`),
    '',
  ].join('\n');
}

export function formatMoveReport(topology: ClusterTopology, r: MoveReport): string {
  const label = labeler(topology);
  const rate = r.elapsedMs > 0 ? Math.round((r.keysMoved * 1000) / r.elapsedMs) : 0;
  const lines = [`${r.moved.length === 0 && r.conflicts.length + r.failed.length > 0 ? '[ERR]' : '[OK]'} Moved ${r.moved.length} slot(s) and ${r.keysMoved} key(s) in ${r.elapsedMs} ms (${rate} keys/s, ${r.engine} engine).`];
  if (r.cancelled) lines.push(`[WARNING] Cancelled: ${r.notStarted.length} slot(s) were not started; every slot that was open was finished.`);
  for (const w of r.warnings) lines.push(`[WARNING] ${w}`);
  for (const c of r.conflicts) lines.push(`[ERR] ${c.message}`);
  for (const f of r.failed) lines.push(`[ERR] slot ${f.move.slot} (${label(f.move.sourceId)} -> ${label(f.move.targetId)}): ${f.error}`);
  return lines.join('\n') + '\n';
}

/** True when every planned slot moved. */
export function moveComplete(r: MoveReport): boolean {
  return r.conflicts.length === 0 && r.failed.length === 0 && r.notStarted.length === 0;
}

/** The mover's counters as one line: `moved 12/2000 slots, 730 keys, 5400 keys/s`. */
export function formatMoveProgress(p: MoveProgress): string {
  return `moved ${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys, ${p.keysPerSecond} keys/s`;
}

/**
 * The one message after a failover the user asked for, in service names (what the tree shows),
 * never mixing in overlay addresses.
 */
export function failoverSummary(f: { newMaster: string; oldMaster: string; slots: string; oldMasterConfirmed: boolean }): string {
  return f.oldMasterConfirmed
    ? `${f.newMaster} is now the master of slots ${f.slots}; ${f.oldMaster} is its replica.`
    : `${f.newMaster} is now the master of slots ${f.slots}; ${f.oldMaster} did not answer and will rejoin as its replica when it is back.`;
}
