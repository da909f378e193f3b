/**
 * redis-cli's rebalance, as data (clusterManagerCommandRebalance; pure, no I/O):
 * - masters with slots (and, with useEmptyMasters, those without) take part, with a weight
 *   each (default 1);
 * - each one's balance is its slot count minus (int)((16384f / total weight) * weight), float
 *   arithmetic as in C;
 * - nothing moves unless some node is off by more than `threshold` percent (default 2);
 * - rounding leftovers are given to receivers, then the nodes are sorted by balance and the
 *   biggest receiver is paired with the biggest giver, repeatedly; each pair moves
 *   min(|balances|) slots chosen by clusterManagerComputeReshardTable from the giver.
 * A master with slots and weight 0 is expected to hold 0 slots: it is drained (scale in uses it).
 */
import { BadInputError } from '../errors';
import { CLUSTER_SLOTS } from '../cluster/topology';
import { type SlotMove } from './mover';
import { computeReshardTable, findPlanNode, type PlanNode } from './planReshard';

/** redis-cli's CLUSTER_MANAGER_REBALANCE_THRESHOLD, in percent. */
export const DEFAULT_REBALANCE_THRESHOLD = 2;

export interface RebalanceRequest {
  /** Node ID (or unique prefix) to weight; others weigh 1. */
  readonly weights?: ReadonlyMap<string, number>;
  readonly threshold?: number;
  readonly useEmptyMasters?: boolean;
}

export interface RebalanceStep {
  readonly sourceId: string;
  readonly targetId: string;
  readonly count: number;
}

export interface RebalancePlan {
  /** False when every node is within the threshold ("No rebalancing needed!"). */
  readonly needed: boolean;
  readonly nodesInvolved: number;
  readonly totalWeight: number;
  /** Each involved node's balance before moving: positive gives slots, negative receives. */
  readonly balances: ReadonlyMap<string, number>;
  readonly steps: readonly RebalanceStep[];
  readonly moves: readonly SlotMove[];
}

export function planRebalance(nodes: readonly PlanNode[], req: RebalanceRequest = {}): RebalancePlan {
  const threshold = Math.fround(req.threshold ?? DEFAULT_REBALANCE_THRESHOLD);
  const weight = new Map<string, number>();
  for (const [name, w] of req.weights ?? []) {
    const n = findPlanNode(nodes, name);
    if (n.role !== 'master') throw new BadInputError(`No such master node ${name}: it is a replica.`);
    if (!Number.isFinite(w) || w < 0) throw new BadInputError(`Weight ${w} for ${name} is not a number of 0 or more.`);
    weight.set(n.id, Math.fround(w));
  }
  // Slots as they are now; updated as the plan moves them (redis-cli's CLUSTER_MANAGER_OPT_UPDATE).
  const slots = new Map(nodes.map((n) => [n.id, [...n.slots].sort((a, b) => a - b)]));
  const involved = nodes.filter((n) => n.role === 'master' && (req.useEmptyMasters === true || n.slots.length > 0));
  let totalWeight = 0;
  for (const n of involved) totalWeight = Math.fround(totalWeight + (weight.get(n.id) ?? 1));
  if (involved.length === 0 || totalWeight === 0) {
    return { needed: false, nodesInvolved: involved.length, totalWeight, balances: new Map(), steps: [], moves: [] };
  }

  const balance = new Map<string, number>();
  let totalBalance = 0;
  let thresholdReached = false;
  for (const n of involved) {
    const count = n.slots.length;
    const expected = Math.trunc(Math.fround(Math.fround(CLUSTER_SLOTS / totalWeight) * (weight.get(n.id) ?? 1)));
    const b = count - expected;
    balance.set(n.id, b);
    totalBalance += b;
    if (threshold > 0) {
      if (count > 0) {
        // float err_perc = fabs(100 - (100.0 * expected / slots_count)): double, then float.
        const errPerc = Math.fround(Math.abs(100 - (100.0 * expected) / count));
        if (errPerc > threshold) thresholdReached = true;
      } else if (expected > 1) thresholdReached = true;
    }
  }
  const balances = new Map(balance);
  if (!thresholdReached) return { needed: false, nodesInvolved: involved.length, totalWeight, balances, steps: [], moves: [] };

  // Rounding leaves the sum of balances above 0: receivers (balance <= 0) take one more each.
  while (totalBalance > 0) {
    for (const n of involved) {
      const b = balance.get(n.id) ?? 0;
      if (b <= 0 && totalBalance > 0) {
        balance.set(n.id, b - 1);
        totalBalance--;
      }
    }
  }
  // qsort by balance (clusterManagerCompareNodeBalance); stable, as glibc's merge sort.
  const sorted = [...involved].sort((a, b) => (balance.get(a.id) ?? 0) - (balance.get(b.id) ?? 0));
  const steps: RebalanceStep[] = [];
  const moves: SlotMove[] = [];
  let dstIdx = 0;
  let srcIdx = sorted.length - 1;
  while (dstIdx < srcIdx) {
    const dst = sorted[dstIdx] as PlanNode;
    const src = sorted[srcIdx] as PlanNode;
    const db = Math.abs(balance.get(dst.id) ?? 0);
    const sb = Math.abs(balance.get(src.id) ?? 0);
    const numSlots = Math.min(db, sb);
    if (numSlots > 0) {
      const table = computeReshardTable([{ ...src, slots: slots.get(src.id) ?? [] }], numSlots);
      if (table.length !== numSlots) throw new BadInputError(`Rebalance plan error: ${src.label} has fewer slots than it should give (${table.length} < ${numSlots}).`);
      steps.push({ sourceId: src.id, targetId: dst.id, count: numSlots });
      const movedSet = new Set(table.map((t) => t.slot));
      for (const t of table) moves.push({ slot: t.slot, sourceId: src.id, targetId: dst.id });
      slots.set(src.id, (slots.get(src.id) ?? []).filter((s) => !movedSet.has(s)));
      slots.set(dst.id, [...(slots.get(dst.id) ?? []), ...table.map((t) => t.slot)].sort((a, b) => a - b));
    }
    balance.set(dst.id, (balance.get(dst.id) ?? 0) + numSlots);
    balance.set(src.id, (balance.get(src.id) ?? 0) - numSlots);
    if (balance.get(dst.id) === 0) dstIdx++;
    if (balance.get(src.id) === 0) srcIdx--;
  }
  return { needed: true, nodesInvolved: involved.length, totalWeight, balances, steps, moves };
}
