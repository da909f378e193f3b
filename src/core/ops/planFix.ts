/**
 * fix's decisions, pure: the topology (every node's own CLUSTER NODES line) and the key counts
 * fix.ts read go in, the actions come out. Why each decision is safe is in fix.ts's header.
 */
import { type ClusterNode, type ClusterTopology, CLUSTER_SLOTS, formatRanges, slotsToRanges } from '../cluster/topology';
import { nodeLabel } from '../cluster/nodeNames';
import { type SlotMove } from './mover';

export type FixAction =
  | { readonly kind: 'finish-move'; readonly move: SlotMove; readonly reopen: boolean }
  | { readonly kind: 'stable'; readonly slot: number; readonly nodeId: string }
  /** An importer's invisible keys of a slot deleted, then the importer made STABLE. */
  | { readonly kind: 'drop-copies'; readonly slot: number; readonly nodeId: string; readonly ownerId: string; readonly keys: number }
  /** A source whose move's target already owns the slot: SETSLOT NODE <owner> there, as the interrupted close would have. */
  | { readonly kind: 'close-on-source'; readonly slot: number; readonly nodeId: string; readonly ownerId: string }
  | { readonly kind: 'return-keys'; readonly slot: number; readonly fromIds: readonly string[]; readonly ownerId: string }
  | { readonly kind: 'assign'; readonly slots: readonly number[]; readonly nodeId: string; readonly reason: string }
  | { readonly kind: 'refuse'; readonly slots: readonly number[]; readonly reason: string };

export interface FixPlan {
  readonly actions: readonly FixAction[];
}

/** What fix reads from the nodes besides their CLUSTER NODES lines. */
export interface FixFacts {
  /** Keys a node holds in an open slot (CLUSTER COUNTKEYSINSLOT), by `keyCountId`; absent when it could not be asked. */
  readonly keysInOpenSlots: ReadonlyMap<string, number>;
  /** For each uncovered slot holding keys somewhere: the masters holding them. */
  readonly holders: ReadonlyMap<number, readonly string[]>;
}

export const keyCountId = (nodeId: string, slot: number): string => `${nodeId} ${slot}`;

/** The masters fix can ask: those that answered CLUSTER NODES themselves. */
export function reachableMasters(topology: ClusterTopology): ClusterNode[] {
  const reachable = new Set(topology.views.map((v) => v.view.self.id));
  return topology.nodes.filter((n) => n.role === 'master' && reachable.has(n.id));
}

/**
 * Each covered slot's owner. Two masters may both claim a slot for a moment (a move's target
 * took it with SETSLOT NODE, the source has not heard yet): the claim with the higher config
 * epoch is the one the cluster converges to (clusterUpdateSlotsConfigWith), and on a tie the
 * node another claimant is migrating the slot to (the move's target).
 */
export function slotOwners(topology: ClusterTopology): Map<number, string> {
  const owner = new Map<number, ClusterNode>();
  const masters = topology.nodes.filter((n) => n.role === 'master');
  const movingTo = new Set<string>();
  for (const n of masters) for (const m of n.migrating) movingTo.add(`${m.slot} ${m.peerId}`);
  for (const n of masters) {
    for (const r of n.slots) {
      for (let s = r.start; s <= r.end; s++) {
        const o = owner.get(s);
        if (!o || n.configEpoch > o.configEpoch || (n.configEpoch === o.configEpoch && movingTo.has(`${s} ${n.id}`))) owner.set(s, n);
      }
    }
  }
  return new Map([...owner].map(([s, n]) => [s, n.id]));
}

export function uncoveredSlots(owners: ReadonlyMap<number, string>): number[] {
  const out: number[] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (!owners.has(s)) out.push(s);
  return out;
}

/** The open slots, from each node's own line: who migrates and who imports each. */
export function openSlots(topology: ClusterTopology): { migrating: Map<number, OpenSide[]>; importing: Map<number, OpenSide[]> } {
  const migrating = new Map<number, OpenSide[]>();
  const importing = new Map<number, OpenSide[]>();
  for (const v of topology.views) {
    for (const m of v.view.self.migrating) migrating.set(m.slot, [...(migrating.get(m.slot) ?? []), { nodeId: v.view.self.id, peerId: m.peerId }]);
    for (const m of v.view.self.importing) importing.set(m.slot, [...(importing.get(m.slot) ?? []), { nodeId: v.view.self.id, peerId: m.peerId }]);
  }
  return { migrating, importing };
}

export interface OpenSide {
  readonly nodeId: string;
  readonly peerId: string;
}

export function decideFix(topology: ClusterTopology, facts: FixFacts): FixPlan {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const d: Deciding = {
    topology,
    facts,
    byId,
    label: (id) => nodeLabel(byId, id),
    reachable: new Set(topology.views.map((v) => v.view.self.id)),
    owner: slotOwners(topology),
    keysOf: (id, slot) => facts.keysInOpenSlots.get(keyCountId(id, slot)),
  };
  const { migrating, importing } = openSlots(topology);
  const open = [...new Set([...migrating.keys(), ...importing.keys()])].sort((a, b) => a - b);
  const actions = open.flatMap((slot) => decideOpenSlot(d, slot, migrating.get(slot) ?? [], importing.get(slot) ?? []));
  return { actions: [...actions, ...decideUncovered(d)] };
}

/** What every decision reads. */
interface Deciding {
  readonly topology: ClusterTopology;
  readonly facts: FixFacts;
  readonly byId: ReadonlyMap<string, ClusterNode>;
  readonly label: (id: string) => string;
  /** The nodes that answered CLUSTER NODES themselves. */
  readonly reachable: ReadonlySet<string>;
  readonly owner: ReadonlyMap<number, string>;
  /** Keys a node holds in a slot; undefined when unknown (not asked, or the count failed). */
  readonly keysOf: (id: string, slot: number) => number | undefined;
}

/** One open slot, from who migrates and who imports it. */
function decideOpenSlot(d: Deciding, slot: number, mig: readonly OpenSide[], imp: readonly OpenSide[]): FixAction[] {
  const ownerId = d.owner.get(slot);
  if (ownerId === undefined) {
    return [{ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open but no master owns it; cover it first` }];
  }
  if (mig.length > 1 || (imp.length > 1 && mig.length > 0)) {
    return [{ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open on several nodes (${[...mig, ...imp].map((x) => d.label(x.nodeId)).join(', ')}); fix it by hand` }];
  }
  const m = mig[0];
  const i = imp[0];
  if (m && i && m.nodeId === ownerId && i.nodeId === m.peerId) {
    return [{ kind: 'finish-move', move: { slot, sourceId: ownerId, targetId: i.nodeId }, reopen: false }];
  } else if (m && !i) {
    return [migratingOnly(d, slot, m, ownerId)];
  } else if (!m && imp.length > 0) {
    return imp.map((x) => importingOnly(d, slot, x, ownerId));
  }
  return [{ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open in a way fix does not know (${[...mig, ...imp].map((x) => d.label(x.nodeId)).join(', ')}); fix it by hand` }];
}

/** Migrating on one node, importing nowhere. */
function migratingOnly(d: Deciding, slot: number, m: OpenSide, ownerId: string): FixAction {
  const { label, keysOf } = d;
  if (m.nodeId !== ownerId) {
    // The move's target owns the slot already: only the source's close is missing. Unless
    // the source still holds keys of the slot (a move closed too early, not one of ours).
    const left = keysOf(m.nodeId, slot);
    if (m.peerId !== ownerId) return { kind: 'stable', slot, nodeId: m.nodeId };
    if (left === undefined) return { kind: 'refuse', slots: [slot], reason: `slot ${slot}: could not count the keys ${label(m.nodeId)} holds of it; run fix again` };
    if (left > 0) {
      return { kind: 'refuse', slots: [slot], reason: `slot ${slot}: ${label(ownerId)} owns it but ${label(m.nodeId)}, migrating it there, still holds ${left} key(s) of it; move them by hand (MIGRATE), then run fix again` };
    }
    return { kind: 'close-on-source', slot, nodeId: m.nodeId, ownerId };
  }
  const peer = d.byId.get(m.peerId);
  if (!peer || !d.reachable.has(peer.id)) return { kind: 'stable', slot, nodeId: m.nodeId };
  const peerKeys = keysOf(peer.id, slot);
  if (peerKeys === undefined) return { kind: 'refuse', slots: [slot], reason: `slot ${slot}: could not count the keys ${label(peer.id)} holds of it; run fix again` };
  // Keys already on the target (it closed its side, or was made stable, before the source):
  // they are visible only through the source's ASK, so the move is finished, not undone.
  if (peerKeys > 0) return { kind: 'finish-move', move: { slot, sourceId: ownerId, targetId: peer.id }, reopen: true };
  return { kind: 'stable', slot, nodeId: m.nodeId };
}

/** Importing on a node, migrating nowhere. */
function importingOnly(d: Deciding, slot: number, x: OpenSide, ownerId: string): FixAction {
  if (x.nodeId === ownerId) return { kind: 'stable', slot, nodeId: x.nodeId };
  // Importing from the owner, which does not migrate it: the importer's keys were never
  // visible (fix.ts's invariant), so the owner's are the truth.
  if (x.peerId === ownerId) return { kind: 'drop-copies', slot, nodeId: x.nodeId, ownerId, keys: d.keysOf(x.nodeId, slot) ?? 0 };
  // Importing from a node that no longer owns the slot (its source failed over mid-move):
  // the keys may be real, so they go to the owner, never overwriting.
  return { kind: 'return-keys', slot, fromIds: [x.nodeId], ownerId };
}

/**
 * Slots no master owns: to the only master holding keys of them; refused when several hold
 * keys, or when a node that could not be asked may; else to the master with the fewest slots.
 */
function decideUncovered(d: Deciding): FixAction[] {
  const { topology, facts, reachable } = d;
  const uncovered = uncoveredSlots(d.owner);
  if (uncovered.length === 0) return [];
  const actions: FixAction[] = [];
  const masters = reachableMasters(topology);
  const unknown = topology.unreachable.length > 0 || topology.nodes.some((n) => !reachable.has(n.id) && !n.flags.noaddr);
  const empty = uncovered.filter((s) => !facts.holders.has(s));
  const byHolder = new Map<string, number[]>();
  const several: number[] = [];
  for (const [slot, ids] of facts.holders) {
    if (ids.length === 1) byHolder.set(ids[0] as string, [...(byHolder.get(ids[0] as string) ?? []), slot]);
    else several.push(slot);
  }
  for (const [id, slots] of byHolder) actions.push({ kind: 'assign', slots: slots.sort((a, b) => a - b), nodeId: id, reason: 'the only node holding keys of them' });
  if (several.length > 0) {
    several.sort((a, b) => a - b);
    actions.push({ kind: 'refuse', slots: several, reason: `keys of slot(s) ${formatRanges(slotsToRanges(several))} exist on more than one master; decide which copy wins, delete the others, then run fix again` });
  }
  if (empty.length > 0) {
    if (unknown) {
      actions.push({ kind: 'refuse', slots: empty, reason: `slot(s) ${formatRanges(slotsToRanges(empty))} have no owner and some nodes could not be asked (their data may be there); bring them back, or forget them, then run fix again` });
    } else {
      const size = (n: ClusterNode): number => n.slots.reduce((k, r) => k + r.end - r.start + 1, 0);
      const least = [...masters].sort((a, b) => size(a) - size(b))[0];
      if (least) actions.push({ kind: 'assign', slots: empty, nodeId: least.id, reason: 'no node holds keys of them' });
    }
  }
  return actions;
}
