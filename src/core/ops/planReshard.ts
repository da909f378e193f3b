/**
 * Which slots a reshard moves, computed as redis-cli computes it, so the two tools agree on a
 * plan (pure; no I/O):
 * - sources `all`: every master but the target, in redis-cli's node order
 *   (clusterManagerCommandReshard);
 * - the table: sources sorted by slot count, descending; each gives
 *   numslots / total * its count slots (ceil for the first, floor for the others, in single
 *   precision float), lowest slots first (clusterManagerComputeReshardTable).
 * Or the user names slot ranges: each slot then moves from its current owner.
 */
import { BadInputError } from '../errors';
import { type ClusterNode, type ClusterTopology, CLUSTER_SLOTS, type SlotRange } from '../cluster/topology';
import { type SlotMove } from './mover';

/** A master as the planners see it: its ID, endpoint and slots, in redis-cli's node order. */
export interface PlanNode {
  readonly id: string;
  readonly label: string;
  readonly role: 'master' | 'replica';
  readonly slots: readonly number[];
  /** For a replica: its master. */
  readonly masterId?: string;
}

export interface ReshardPlan {
  readonly targetId: string;
  readonly sourceIds: readonly string[];
  readonly moves: readonly SlotMove[];
}

function expand(ranges: readonly SlotRange[]): number[] {
  const out: number[] = [];
  for (const r of ranges) for (let s = r.start; s <= r.end; s++) out.push(s);
  return out;
}

/**
 * The nodes in the order redis-cli keeps them (clusterManagerLoadInfoFromNode): the node it was
 * pointed at first, then the others in the order that node's CLUSTER NODES lists them. Slots
 * are each node's own claim (its `myself` line) where we have it.
 */
export function planNodesFrom(topology: ClusterTopology): PlanNode[] {
  const first = topology.views[0];
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const order: ClusterNode[] = [];
  if (first) {
    order.push(byId.get(first.view.self.id) ?? first.view.self);
    for (const n of first.view.nodes) if (!n.flags.myself) order.push(byId.get(n.id) ?? n);
  }
  for (const n of topology.nodes) if (!order.some((o) => o.id === n.id)) order.push(n);
  return order
    .filter((n) => !n.flags.fail && !n.flags.noaddr && !n.flags.handshake)
    .map((n) => ({
      id: n.id,
      label: `${n.endpoint.host}:${n.endpoint.port}`,
      role: n.role,
      slots: expand(n.slots),
      ...(n.masterId !== undefined ? { masterId: n.masterId } : {}),
    }));
}

/** clusterManagerComputeReshardTable: `numSlots` slots taken from `sources`. */
export function computeReshardTable(sources: readonly PlanNode[], numSlots: number): { slot: number; sourceId: string }[] {
  const total = sources.reduce((n, s) => n + s.slots.length, 0);
  // qsort with clusterManagerSlotCountCompareDesc; glibc's qsort is a stable merge sort here.
  const sorted = [...sources].sort((a, b) => b.slots.length - a.slots.length);
  const out: { slot: number; sourceId: string }[] = [];
  sorted.forEach((node, i) => {
    // C: float n = ((float) numslots / tot_slots * node->slots_count): single precision.
    const n = Math.fround(Math.fround(numSlots / total) * node.slots.length);
    const max = i === 0 ? Math.ceil(n) : Math.floor(n);
    const slots = [...node.slots].sort((a, b) => a - b);
    let count = 0;
    for (const slot of slots) {
      if (count >= max || out.length >= numSlots) break;
      out.push({ slot, sourceId: node.id });
      count++;
    }
  });
  return out;
}

/** A node by full ID or unique prefix (redis-cli's clusterManagerNodeByAbbreviatedName). */
export function findPlanNode(nodes: readonly PlanNode[], name: string): PlanNode {
  const exact = nodes.find((n) => n.id === name);
  if (exact) return exact;
  const matches = nodes.filter((n) => n.id.startsWith(name.toLowerCase()));
  if (matches.length === 1 && matches[0]) return matches[0];
  throw new BadInputError(matches.length > 1 ? `Node ID "${name}" is ambiguous; give more of it.` : `No node with ID "${name}" in the cluster.`);
}

export interface ReshardRequest {
  /** Source master IDs (or prefixes), or 'all'. Ignored when `ranges` is given. */
  readonly from?: readonly string[] | 'all';
  readonly to: string;
  /** How many slots to move (1..16384). */
  readonly slots?: number;
  /** Instead of a count: exactly these slots move to the target, from whoever owns them. */
  readonly ranges?: readonly SlotRange[];
}

export function planReshard(nodes: readonly PlanNode[], req: ReshardRequest): ReshardPlan {
  const target = findPlanNode(nodes, req.to);
  if (target.role !== 'master') throw new BadInputError(`The target node ${target.label} is a replica; slots can only move to a master.`);
  if (req.ranges !== undefined) {
    const owner = new Map<number, string>();
    for (const n of nodes) if (n.role === 'master') for (const s of n.slots) owner.set(s, n.id);
    const moves: SlotMove[] = [];
    const unowned: number[] = [];
    for (const r of req.ranges) {
      if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end >= CLUSTER_SLOTS || r.end < r.start) {
        throw new BadInputError(`Slot range ${r.start}-${r.end} is not within 0-${CLUSTER_SLOTS - 1}.`);
      }
      for (let s = r.start; s <= r.end; s++) {
        const o = owner.get(s);
        if (o === undefined) unowned.push(s);
        else if (o !== target.id && !moves.some((m) => m.slot === s)) moves.push({ slot: s, sourceId: o, targetId: target.id });
      }
    }
    if (unowned.length > 0) throw new BadInputError(`${unowned.length} slot(s) of the range have no owner (first: ${unowned[0]}); run "redis-swarm fix" first.`);
    return { targetId: target.id, sourceIds: [...new Set(moves.map((m) => m.sourceId))], moves };
  }
  const numSlots = req.slots ?? 0;
  if (!Number.isInteger(numSlots) || numSlots <= 0 || numSlots > CLUSTER_SLOTS) {
    throw new BadInputError(`The number of slots to move must be between 1 and ${CLUSTER_SLOTS}, not ${req.slots}.`);
  }
  let sources: PlanNode[];
  if (req.from === undefined || req.from === 'all') {
    sources = nodes.filter((n) => n.role === 'master' && n.id !== target.id);
  } else {
    sources = req.from.map((f) => findPlanNode(nodes, f));
    for (const s of sources) {
      if (s.role !== 'master') throw new BadInputError(`The source node ${s.label} is a replica.`);
      if (s.id === target.id) throw new BadInputError('The target node cannot also be a source node.');
    }
  }
  const table = computeReshardTable(sources, numSlots);
  return {
    targetId: target.id,
    sourceIds: sources.map((s) => s.id),
    moves: table.map((t) => ({ slot: t.slot, sourceId: t.sourceId, targetId: target.id })),
  };
}
