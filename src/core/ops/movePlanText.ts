/**
 * What a slot move will do, in the words of its confirmation: which slots leave which master
 * for which, with how many keys. Pure: the slot map, Move Slots from the palette and the tests
 * share it. Slots the target already owns are not moves, and are left out.
 */
import { formatRanges, type SlotRange, slotsToRanges } from '../cluster/topology';
import { SLOT_COUNT } from '../model/slotMapData';
import { BadInputError } from '../errors';
import { type ClusterModel } from '../model/clusterModel';
import { endpointOf } from '../model/describeNodes';

export interface MoveOwner {
  readonly id: string;
  /** The service name when there is one (`redis-2`), else the endpoint. */
  readonly name: string;
  readonly ranges: readonly SlotRange[];
}

export interface MovePlanPart {
  readonly fromId: string;
  readonly from: string;
  readonly ranges: readonly SlotRange[];
  readonly slots: number;
  /** Keys in those slots, when counted. */
  readonly keys?: number;
}

export interface MovePlanText {
  readonly to: string;
  readonly parts: readonly MovePlanPart[];
  readonly slots: number;
  readonly keys?: number;
  /** One line per source: `redis-1 → redis-2: slots 0-99 (100 slots, 20 keys)`. */
  readonly lines: readonly string[];
  /** The confirmation's question. */
  readonly headline: string;
}

/** The masters of a cluster as a move names them: service names, their slots (empty masters too). */
export function moveOwners(cluster: ClusterModel): MoveOwner[] {
  const masters = [
    ...cluster.shards.map((s) => ({ node: s.master, ranges: s.slots })),
    ...cluster.others.filter((o) => o.node.role === 'master').map((o) => ({ node: o, ranges: [] as SlotRange[] })),
  ];
  return masters.map((m) => ({ id: m.node.node.id, name: m.node.service?.service ?? endpointOf(m.node), ranges: m.ranges }));
}

/** `0-99, 200, 300-310` (commas or spaces) into ranges; refuses anything else in one sentence. */
export function parseSlotRangesInput(text: string): SlotRange[] {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new BadInputError('Name the slots to move, such as 0-99 or 100,200-300.');
  return parts.map((p) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    const start = m ? Number(m[1]) : NaN;
    const end = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || start > end || end >= SLOT_COUNT) throw new BadInputError(`"${p}" is not a slot range: use N or N-M with 0 <= N <= M <= ${SLOT_COUNT - 1}.`);
    return { start, end };
  });
}

export function describeMovePlan(owners: readonly MoveOwner[], ranges: readonly SlotRange[], targetId: string, keyCounts?: readonly number[]): MovePlanText {
  const target = owners.find((o) => o.id === targetId);
  const to = target?.name ?? targetId.slice(0, 8);
  const wanted = new Set<number>();
  for (const r of ranges) for (let s = Math.max(0, r.start); s <= Math.min(SLOT_COUNT - 1, r.end); s++) wanted.add(s);
  const parts: MovePlanPart[] = [];
  for (const o of owners) {
    if (o.id === targetId) continue;
    const slots: number[] = [];
    for (const r of o.ranges) for (let s = r.start; s <= r.end; s++) if (wanted.has(s)) slots.push(s);
    if (slots.length === 0) continue;
    const keys = keyCounts ? slots.reduce((sum, s) => sum + (keyCounts[s] ?? 0), 0) : undefined;
    parts.push({ fromId: o.id, from: o.name, ranges: slotsToRanges(slots), slots: slots.length, ...(keys !== undefined ? { keys } : {}) });
  }
  const slots = parts.reduce((sum, p) => sum + p.slots, 0);
  const keys = keyCounts ? parts.reduce((sum, p) => sum + (p.keys ?? 0), 0) : undefined;
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const lines = parts.map((p) => `${p.from} → ${to}: slots ${formatRanges(p.ranges)} (${count(p.slots, 'slot')}${p.keys !== undefined ? `, ${count(p.keys, 'key')}` : ''})`);
  const headline =
    slots === 0
      ? `${to} already owns every one of these slots: nothing to move.`
      : `Move ${count(slots, 'slot')}${keys !== undefined ? ` and ${count(keys, 'key')}` : ''} to ${to}?`;
  return { to, parts, slots, ...(keys !== undefined ? { keys } : {}), lines, headline };
}
