/**
 * The data behind the slot map: which master owns each of the 16384 slots, a legend entry per
 * master, the slots nobody owns and the slots being moved. Pure and import-free on purpose: the
 * webview page (media/slotMap.ts, type-checked with the DOM lib and no Node types) imports the
 * same functions to expand the legend back into the per-slot owner array, so the host sends
 * ranges (small) instead of 16384 numbers.
 *
 * Inputs are structural, so a ClusterModel (src/core/model/clusterModel.ts) is accepted as is.
 */

/** Redis Cluster's slot count (cluster.h CLUSTER_SLOTS); repeated here to keep this file import-free. */
export const SLOT_COUNT = 16384;
/** The owner value of a slot no master claims. */
export const NO_OWNER = -1;

export interface SlotSpan {
  readonly start: number;
  readonly end: number;
}

interface OpenSlotLike {
  readonly slot: number;
  readonly peerId: string;
}

/** What the slot map needs of a cluster node (a ClusterNode fits). */
export interface SlotMapNodeInput {
  readonly id: string;
  readonly endpoint: { readonly host: string; readonly port: number };
  readonly hostname?: string;
  readonly role: 'master' | 'replica';
  readonly masterId?: string;
  readonly slots: readonly SlotSpan[];
  readonly migrating: readonly OpenSlotLike[];
  readonly importing: readonly OpenSlotLike[];
}

/** What the slot map needs of a cluster (a ClusterModel fits). */
export interface SlotMapInput {
  readonly name: string;
  readonly shards: readonly { readonly master: { readonly node: SlotMapNodeInput }; readonly replicas: readonly unknown[] }[];
  readonly others: readonly { readonly node: SlotMapNodeInput }[];
}

export interface SlotMapLegendEntry {
  /** Position in the legend; also the value in the owner array and the palette index. */
  readonly index: number;
  readonly id: string;
  /** `host:port` as the node announces it. */
  readonly endpoint: string;
  /** The announced hostname (a swarm service name such as `redis-3`), when set. */
  readonly hostname?: string;
  /** What to call the master in the UI: its hostname, else its endpoint. */
  readonly label: string;
  readonly ranges: readonly SlotSpan[];
  readonly slotCount: number;
  readonly replicas: number;
}

export interface SlotMapOpenSlot {
  readonly slot: number;
  /** `migrating` on the source master, `importing` on the target. */
  readonly kind: 'migrating' | 'importing';
  readonly nodeId: string;
  readonly peerId: string;
}

/** Everything the page draws, in a JSON-friendly shape (it is posted to the webview). */
export interface SlotMapView {
  readonly cluster: string;
  /** Masters with slots first (in slot order), then masters without slots (move targets). */
  readonly legend: readonly SlotMapLegendEntry[];
  readonly uncovered: readonly SlotSpan[];
  readonly uncoveredCount: number;
  readonly open: readonly SlotMapOpenSlot[];
  /** Slots claimed by more than one master (views disagree); drawn for the first claimant. */
  readonly conflicts: readonly number[];
}

/** The slot -> legend index array (NO_OWNER where uncovered) for a legend. */
export function buildOwners(legend: readonly Pick<SlotMapLegendEntry, 'index' | 'ranges'>[]): Int16Array {
  const owners = new Int16Array(SLOT_COUNT).fill(NO_OWNER);
  for (const entry of legend) {
    for (const r of entry.ranges) {
      const start = Math.max(0, r.start);
      const end = Math.min(SLOT_COUNT - 1, r.end);
      for (let s = start; s <= end; s++) if (owners[s] === NO_OWNER) owners[s] = entry.index;
    }
  }
  return owners;
}

/** Sorted, merged inclusive ranges of the slots for which `keep(slot)` holds. */
export function rangesWhere(keep: (slot: number) => boolean): SlotSpan[] {
  const out: SlotSpan[] = [];
  let start = -1;
  for (let s = 0; s <= SLOT_COUNT; s++) {
    const inside = s < SLOT_COUNT && keep(s);
    if (inside && start < 0) start = s;
    if (!inside && start >= 0) {
      out.push({ start, end: s - 1 });
      start = -1;
    }
  }
  return out;
}

export function countSpan(ranges: readonly SlotSpan[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1), 0);
}

/** `0-5460, 10923-16383`, the way redis-cli prints slot ranges. */
export function formatSpans(ranges: readonly SlotSpan[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(', ');
}

function formatNodeEndpoint(n: SlotMapNodeInput): string {
  return `${n.endpoint.host}:${n.endpoint.port}`;
}

export function buildSlotMapView(cluster: SlotMapInput): SlotMapView {
  const masters: { node: SlotMapNodeInput; replicas: number }[] = cluster.shards.map((s) => ({ node: s.master.node, replicas: s.replicas.length }));
  for (const o of cluster.others) {
    if (o.node.role === 'master' && !masters.some((m) => m.node.id === o.node.id)) masters.push({ node: o.node, replicas: 0 });
  }
  // Claims in legend order: a slot two masters claim goes to the first, and is reported.
  const claims = new Int16Array(SLOT_COUNT).fill(NO_OWNER);
  const conflicts = new Set<number>();
  const legend: SlotMapLegendEntry[] = masters.map((m, index) => {
    const ranges: SlotSpan[] = [];
    for (const r of m.node.slots) {
      const start = Math.max(0, r.start);
      const end = Math.min(SLOT_COUNT - 1, r.end);
      if (end < start) continue;
      for (let s = start; s <= end; s++) {
        if (claims[s] === NO_OWNER) claims[s] = index;
        else conflicts.add(s);
      }
      ranges.push({ start, end });
    }
    ranges.sort((a, b) => a.start - b.start);
    const endpoint = formatNodeEndpoint(m.node);
    return {
      index,
      id: m.node.id,
      endpoint,
      ...(m.node.hostname ? { hostname: m.node.hostname } : {}),
      label: m.node.hostname || endpoint,
      ranges,
      slotCount: countSpan(ranges),
      replicas: m.replicas,
    };
  });
  const uncovered = rangesWhere((s) => claims[s] === NO_OWNER);
  const open: SlotMapOpenSlot[] = [];
  const seen = new Set<string>();
  for (const m of masters) {
    for (const [kind, list] of [['migrating', m.node.migrating], ['importing', m.node.importing]] as const) {
      for (const o of list) {
        const key = `${kind}:${o.slot}:${m.node.id}`;
        if (seen.has(key) || o.slot < 0 || o.slot >= SLOT_COUNT) continue;
        seen.add(key);
        open.push({ slot: o.slot, kind, nodeId: m.node.id, peerId: o.peerId });
      }
    }
  }
  open.sort((a, b) => a.slot - b.slot || a.kind.localeCompare(b.kind));
  return {
    cluster: cluster.name,
    legend,
    uncovered,
    uncoveredCount: countSpan(uncovered),
    open,
    conflicts: [...conflicts].sort((a, b) => a - b),
  };
}

/** Per owner, how many slots of [start, end] it has (NO_OWNER counts the uncovered ones). */
export function ownersInRange(owners: Int16Array, start: number, end: number): Map<number, number> {
  const lo = Math.max(0, Math.min(start, end));
  const hi = Math.min(SLOT_COUNT - 1, Math.max(start, end));
  const counts = new Map<number, number>();
  for (let s = lo; s <= hi; s++) {
    const o = owners[s] ?? NO_OWNER;
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return counts;
}

/** Sum of key counts over [start, end]; undefined when the counts were not read. */
export function keysInRange(keyCounts: ArrayLike<number> | undefined, start: number, end: number): number | undefined {
  if (!keyCounts) return undefined;
  let total = 0;
  for (let s = Math.max(0, Math.min(start, end)); s <= Math.min(SLOT_COUNT - 1, Math.max(start, end)); s++) total += keyCounts[s] ?? 0;
  return total;
}

/**
 * The heat of a slot in [0, 1] from its key count: log-scaled, because a few hot slots would
 * otherwise flatten every other slot to the same color.
 */
export function heat(keys: number, maxKeys: number): number {
  if (maxKeys <= 0 || keys <= 0) return 0;
  return Math.log1p(keys) / Math.log1p(maxKeys);
}
