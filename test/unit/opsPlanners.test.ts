import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeReshardTable, type PlanNode, planReshard } from '../../src/core/ops/planReshard';
import { planRebalance } from '../../src/core/ops/planRebalance';
import { formatRanges, slotsToRanges } from '../../src/core/cluster/topology';
import { isBadInputError } from '../../src/core/errors';

const id = (c: string): string => c.repeat(40);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const master = (c: string, slots: number[]): PlanNode => ({ id: id(c), label: c, role: 'master', slots });
/** A fresh 3-master cluster as redis-cli --cluster create splits it. */
const three = (): PlanNode[] => [master('a', range(0, 5460)), master('b', range(5461, 10922)), master('c', range(10923, 16383))];
const moved = (moves: readonly { slot: number; sourceId: string }[], src: string): string =>
  formatRanges(slotsToRanges(moves.filter((m) => m.sourceId === id(src)).map((m) => m.slot)));

test('reshard from all: biggest source first gets the ceil, lowest slots first (clusterManagerComputeReshardTable)', () => {
  const plan = planReshard(three(), { to: id('c'), from: 'all', slots: 1000 });
  assert.equal(plan.moves.length, 1000);
  assert.deepEqual(plan.sourceIds, [id('a'), id('b')]);
  // b holds 5462 slots, a 5461: b gives ceil(1000/10923*5462) = 501, a floor(...) = 499.
  assert.equal(moved(plan.moves, 'b'), '5461-5961');
  assert.equal(moved(plan.moves, 'a'), '0-498');
  assert.ok(plan.moves.every((m) => m.targetId === id('c')));
});

test('reshard from named sources takes only from them; the target cannot be a source', () => {
  const plan = planReshard(three(), { to: 'ccc', from: ['aaaa'], slots: 10 });
  assert.equal(moved(plan.moves, 'a'), '0-9');
  assert.throws(() => planReshard(three(), { to: id('c'), from: [id('c')], slots: 10 }), isBadInputError);
  assert.throws(() => planReshard(three(), { to: id('c'), slots: 0 }), isBadInputError);
  assert.throws(() => planReshard(three(), { to: id('c'), slots: 16385 }), isBadInputError);
});

test('reshard of given ranges moves each slot from its owner and skips those the target owns', () => {
  const plan = planReshard(three(), { to: id('b'), ranges: [{ start: 5459, end: 5462 }] });
  assert.deepEqual(plan.moves.map((m) => [m.slot, m.sourceId[0]]), [[5459, 'a'], [5460, 'a']]);
});

test('computeReshardTable single precision: 3 equal sources of 100 give 34+33+33', () => {
  const t = computeReshardTable([master('a', range(0, 99)), master('b', range(100, 199)), master('c', range(200, 299))], 100);
  assert.deepEqual([moved(t, 'a'), moved(t, 'b'), moved(t, 'c')], ['0-33', '100-132', '200-232']);
});

test('rebalance undoes the reshard above exactly as redis-cli would: rounding leftover to the first receiver', () => {
  const after = planReshard(three(), { to: id('c'), slots: 1000 });
  const nodes: PlanNode[] = [
    master('a', range(499, 5460)),
    master('b', [...range(5962, 10922)]),
    master('c', [...range(0, 498), ...range(5461, 5961), ...range(10923, 16383)]),
  ];
  assert.equal(after.moves.length, 1000);
  const plan = planRebalance(nodes);
  assert.ok(plan.needed);
  // Balances a -499, b -500, c +1000; the leftover 1 makes a -500; a then b take 500 each from c.
  assert.deepEqual(plan.steps.map((s) => [s.sourceId[0], s.targetId[0], s.count]), [['c', 'a', 500], ['c', 'b', 500]]);
  assert.equal(formatRanges(slotsToRanges(plan.moves.filter((m) => m.targetId === id('a')).map((m) => m.slot))), '0-498,5461');
  assert.equal(formatRanges(slotsToRanges(plan.moves.filter((m) => m.targetId === id('b')).map((m) => m.slot))), '5462-5961');
});

test('rebalance within the threshold does nothing; threshold 0 moves even one slot', () => {
  assert.equal(planRebalance(three()).needed, false);
  const skew: PlanNode[] = [master('a', range(0, 5499)), master('b', range(5500, 10922)), master('c', range(10923, 16383))];
  assert.equal(planRebalance(skew).needed, false, '39 slots off is within 2%');
  assert.equal(planRebalance(skew, { threshold: 0.5 }).needed, true);
});

test('rebalance by weight: a master of weight 2 ends with half the slots', () => {
  const plan = planRebalance(three(), { weights: new Map([[id('a'), 2]]) });
  assert.ok(plan.needed);
  assert.equal(plan.balances.get(id('a')), 5461 - 8192);
  assert.equal(plan.balances.get(id('b')), 5462 - 4096);
  const gained = plan.moves.filter((m) => m.targetId === id('a')).length;
  assert.equal(5461 + gained, 8192);
});

test('rebalance gives slots to empty masters only when asked, and weight 0 drains a master', () => {
  const four = [...three(), master('d', [])];
  assert.equal(planRebalance(four).needed, false, 'an empty master is left alone by default');
  const plan = planRebalance(four, { useEmptyMasters: true });
  assert.equal(plan.nodesInvolved, 4);
  assert.equal(plan.moves.filter((m) => m.targetId === id('d')).length, 4096);
  const drain = planRebalance(three(), { weights: new Map([['aaaa', 0]]) });
  assert.equal(drain.moves.filter((m) => m.sourceId === id('a')).length, 5461, 'every slot leaves a master of weight 0');
  assert.ok(drain.moves.every((m) => m.targetId !== id('a')));
});
