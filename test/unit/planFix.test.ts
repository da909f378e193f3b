import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterNode, type ClusterTopology, type ReportedView } from '../../src/core/cluster/topology';
import { decideFix, type FixAction, type FixFacts, keyCountId } from '../../src/core/ops/planFix';

type Name = 'a' | 'b' | 'c';
const NAMES: readonly Name[] = ['a', 'b', 'c'];
const id = (n: Name): string => n.repeat(40);
const port = (n: Name): number => 7000 + NAMES.indexOf(n);

/** What one master says of itself: its slots, its config epoch, its open slots (`[100->-<id>]`). */
interface Own {
  readonly slots: string;
  readonly epoch: number;
  readonly open?: string;
}

const fresh = (): Record<Name, Own> => ({ a: { slots: '0-5460', epoch: 1 }, b: { slots: '5461-10922', epoch: 2 }, c: { slots: '10923-16383', epoch: 3 } });

/** Each master's own CLUSTER NODES reply: its own line as given, the others' as in `fresh` (gossip not caught up). */
function topology(own: Record<Name, Own>): ClusterTopology {
  const base = fresh();
  const line = (n: Name, self: boolean): string => {
    const o = self ? own[n] : base[n];
    const open = self && o.open ? ` ${o.open}` : '';
    return `${id(n)} 127.0.0.1:${port(n)}@${port(n) + 10000} ${self ? 'myself,' : ''}master - 0 0 ${o.epoch} connected ${o.slots}${open}`.trim();
  };
  const views: ReportedView[] = NAMES.map((self) => {
    const view = parseClusterNodes(NAMES.map((n) => line(n, n === self)).join('\n') + '\n');
    return { endpoint: view.self.endpoint, view, clusterState: 'ok', keys: 0 };
  });
  const byId = new Map<string, ClusterNode>();
  for (const v of views) byId.set(v.view.self.id, v.view.self);
  return { views, nodes: [...byId.values()], unreachable: [] };
}

function facts(counts: Partial<Record<Name, Record<number, number>>> = {}, holders: [number, Name[]][] = []): FixFacts {
  const keysInOpenSlots = new Map<string, number>();
  for (const n of NAMES) for (const [slot, k] of Object.entries(counts[n] ?? {})) keysInOpenSlots.set(keyCountId(id(n), Number(slot)), k);
  return { keysInOpenSlots, holders: new Map(holders.map(([s, ns]) => [s, ns.map(id)])) };
}

const kinds = (actions: readonly FixAction[]): string[] => actions.map((a) => a.kind);

test('a copy-engine move killed before its hand-over: the importer\'s invisible copies are deleted, the owner keeps the slot', () => {
  const own = fresh();
  own.b = { ...own.b, open: `[100-<-${id('a')}]` };
  const plan = decideFix(topology(own), facts({ a: { 100: 40 }, b: { 100: 12 } }));
  assert.deepEqual(plan.actions, [{ kind: 'drop-copies', slot: 100, nodeId: id('b'), ownerId: id('a'), keys: 12 }]);
});

test('importing from a node that no longer owns the slot (its source failed over): the keys go to the owner, not deleted', () => {
  const own = fresh();
  own.b = { ...own.b, open: `[100-<-${id('c')}]` };
  const plan = decideFix(topology(own), facts({ b: { 100: 5 } }));
  assert.deepEqual(plan.actions, [{ kind: 'return-keys', slot: 100, fromIds: [id('b')], ownerId: id('a') }]);
});

test('migrating on the owner and importing on its peer: the move is finished', () => {
  const own = fresh();
  own.a = { ...own.a, open: `[100->-${id('b')}]` };
  own.b = { ...own.b, open: `[100-<-${id('a')}]` };
  const plan = decideFix(topology(own), facts({ a: { 100: 3 }, b: { 100: 9 } }));
  assert.deepEqual(plan.actions, [{ kind: 'finish-move', move: { slot: 100, sourceId: id('a'), targetId: id('b') }, reopen: false }]);
});

test('migrating on the owner only: re-opened and finished when the peer holds keys, made stable when it holds none, refused when unknown', () => {
  const own = fresh();
  own.a = { ...own.a, open: `[100->-${id('b')}]` };
  assert.deepEqual(decideFix(topology(own), facts({ a: { 100: 1 }, b: { 100: 4 } })).actions, [
    { kind: 'finish-move', move: { slot: 100, sourceId: id('a'), targetId: id('b') }, reopen: true },
  ]);
  assert.deepEqual(decideFix(topology(own), facts({ a: { 100: 1 }, b: { 100: 0 } })).actions, [{ kind: 'stable', slot: 100, nodeId: id('a') }]);
  assert.deepEqual(kinds(decideFix(topology(own), facts({ a: { 100: 1 } })).actions), ['refuse']);
});

test('killed between the target\'s and the source\'s SETSLOT NODE: both claim the slot, the higher epoch wins and the source is closed', () => {
  const own = fresh();
  // b took slot 100 (its epoch bumped to 4); a still claims it, migrating it to b, with no key left.
  own.a = { ...own.a, open: `[100->-${id('b')}]` };
  own.b = { slots: '100 5461-10922', epoch: 4 };
  const plan = decideFix(topology(own), facts({ a: { 100: 0 }, b: { 100: 30 } }));
  assert.deepEqual(plan.actions, [{ kind: 'close-on-source', slot: 100, nodeId: id('a'), ownerId: id('b') }]);
  // The same after gossip took the slot from a (a keeps its MIGRATING flag).
  own.a = { slots: '0-99 101-5460', epoch: 1, open: `[100->-${id('b')}]` };
  assert.deepEqual(kinds(decideFix(topology(own), facts({ a: { 100: 0 }, b: { 100: 30 } })).actions), ['close-on-source']);
  // A source that still holds keys of a slot its target took is not one of our moves: refused.
  assert.deepEqual(kinds(decideFix(topology(own), facts({ a: { 100: 2 }, b: { 100: 30 } })).actions), ['refuse']);
});

test('two claims with the same epoch: the move\'s target is the owner', () => {
  const own = fresh();
  own.a = { ...own.a, epoch: 5, open: `[100->-${id('b')}]` };
  own.b = { slots: '100 5461-10922', epoch: 5 };
  assert.deepEqual(decideFix(topology(own), facts({ a: { 100: 0 } })).actions, [{ kind: 'close-on-source', slot: 100, nodeId: id('a'), ownerId: id('b') }]);
});

test('a migrating node whose peer is not the owner is only made stable', () => {
  const own = fresh();
  own.b = { ...own.b, open: `[100->-${id('c')}]` };
  assert.deepEqual(decideFix(topology(own), facts({ b: { 100: 0 }, c: { 100: 0 } })).actions, [{ kind: 'stable', slot: 100, nodeId: id('b') }]);
});

test('uncovered slots: to their only holder, to the smallest master when nobody holds keys, refused with several holders', () => {
  const own = fresh();
  own.a = { slots: '0-99 103-5460', epoch: 1 };
  const plan = decideFix(topology(own), facts({}, [[100, ['c']], [102, ['a', 'b']]]));
  assert.deepEqual(plan.actions, [
    { kind: 'assign', slots: [100], nodeId: id('c'), reason: 'the only node holding keys of them' },
    { kind: 'refuse', slots: [102], reason: 'keys of slot(s) 102 exist on more than one master; decide which copy wins, delete the others, then run fix again' },
    { kind: 'assign', slots: [101], nodeId: id('a'), reason: 'no node holds keys of them' },
  ]);
});

test('a clean cluster needs nothing', () => {
  assert.deepEqual(decideFix(topology(fresh()), facts()).actions, []);
});
