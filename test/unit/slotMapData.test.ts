import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  buildOwners, buildSlotMapView, formatSpans, heat, keysInRange, NO_OWNER, ownersInRange, rangesWhere, SLOT_COUNT,
  type SlotMapInput, type SlotMapNodeInput,
} from '../../src/core/model/slotMapData';
import { readSlotKeyCounts, type PipelinePool } from '../../src/core/model/slotKeyCounts';

function node(id: string, port: number, slots: [number, number][], extra: Partial<SlotMapNodeInput> = {}): SlotMapNodeInput {
  return {
    id,
    endpoint: { host: '192.0.2.1', port },
    role: 'master',
    slots: slots.map(([start, end]) => ({ start, end })),
    migrating: [],
    importing: [],
    ...extra,
  };
}

function cluster(masters: SlotMapNodeInput[], others: SlotMapNodeInput[] = []): SlotMapInput {
  return { name: 'c1', shards: masters.map((m) => ({ master: { node: m }, replicas: [{}] })), others: others.map((n) => ({ node: n })) };
}

const THREE = [
  node('a', 7001, [[0, 5460]], { hostname: 'redis-1' }),
  node('b', 7002, [[5461, 10922]], { hostname: 'redis-2' }),
  node('c', 7003, [[10923, 16383]]),
];

describe('slot map data', () => {
  it('gives every slot of a full 3-master cluster its owner index and names the masters', () => {
    const view = buildSlotMapView(cluster(THREE));
    assert.equal(view.legend.length, 3);
    assert.deepEqual(view.legend.map((m) => m.label), ['redis-1', 'redis-2', '192.0.2.1:7003'], 'a master is called by hostname, else endpoint');
    assert.deepEqual(view.legend.map((m) => m.slotCount), [5461, 5462, 5461]);
    assert.equal(view.uncoveredCount, 0);
    const owners = buildOwners(view.legend);
    assert.equal(owners.length, SLOT_COUNT);
    assert.equal(owners[0], 0);
    assert.equal(owners[5460], 0);
    assert.equal(owners[5461], 1);
    assert.equal(owners[16383], 2);
    assert.ok(!owners.includes(NO_OWNER), 'no slot is left unowned');
  });

  it('lists the uncovered slots as merged ranges and marks them NO_OWNER', () => {
    const view = buildSlotMapView(cluster([node('a', 7001, [[0, 99], [200, 16000]])]));
    assert.deepEqual(view.uncovered, [{ start: 100, end: 199 }, { start: 16001, end: 16383 }]);
    assert.equal(view.uncoveredCount, 100 + 383);
    const owners = buildOwners(view.legend);
    assert.equal(owners[150], NO_OWNER);
    assert.equal(owners[16383], NO_OWNER);
  });

  it('marks migrating and importing slots, sorted by slot, ignoring duplicates and out-of-range slots', () => {
    const a = node('a', 7001, [[0, 8191]], { migrating: [{ slot: 100, peerId: 'b' }, { slot: 100, peerId: 'b' }, { slot: 99999, peerId: 'b' }] });
    const b = node('b', 7002, [[8192, 16383]], { importing: [{ slot: 100, peerId: 'a' }] });
    const view = buildSlotMapView(cluster([a, b]));
    assert.deepEqual(view.open, [
      { slot: 100, kind: 'importing', nodeId: 'b', peerId: 'a' },
      { slot: 100, kind: 'migrating', nodeId: 'a', peerId: 'b' },
    ]);
  });

  it('adds masters without slots at the end of the legend (they can receive slots)', () => {
    const empty = node('d', 7004, []);
    const replica = node('r', 7005, [], { role: 'replica', masterId: 'a' });
    const view = buildSlotMapView(cluster(THREE, [empty, replica]));
    assert.deepEqual(view.legend.map((m) => m.id), ['a', 'b', 'c', 'd']);
    assert.equal(view.legend[3]?.slotCount, 0);
  });

  it('reports slots two masters claim and draws them for the first', () => {
    const view = buildSlotMapView(cluster([node('a', 7001, [[0, 10]]), node('b', 7002, [[5, 16383]])]));
    assert.deepEqual(view.conflicts, [5, 6, 7, 8, 9, 10]);
    const owners = buildOwners(view.legend);
    assert.equal(owners[5], 0);
    assert.equal(owners[11], 1);
  });

  it('counts the owners and keys of a selected range, in either drag direction', () => {
    const owners = buildOwners(buildSlotMapView(cluster(THREE)).legend);
    assert.deepEqual([...ownersInRange(owners, 5470, 5450)], [[0, 11], [1, 10]]);
    const counts = new Array<number>(SLOT_COUNT).fill(0);
    counts[5450] = 3;
    counts[5470] = 4;
    counts[5471] = 100;
    assert.equal(keysInRange(counts, 5470, 5450), 7);
    assert.equal(keysInRange(undefined, 0, 10), undefined);
  });

  it('formats ranges as redis-cli does and finds ranges by predicate', () => {
    assert.equal(formatSpans([{ start: 0, end: 5460 }, { start: 7000, end: 7000 }]), '0-5460, 7000');
    assert.deepEqual(rangesWhere((s) => s < 3 || s === 16383), [{ start: 0, end: 2 }, { start: 16383, end: 16383 }]);
  });

  it('scales heat logarithmically into [0, 1]', () => {
    assert.equal(heat(0, 100), 0);
    assert.equal(heat(100, 100), 1);
    assert.equal(heat(5, 0), 0);
    assert.ok(heat(10, 1000) > 0.3, 'a slot with 1% of the hottest slot still shows');
  });

  it('reads keys per slot with CLUSTER COUNTKEYSINSLOT pipelined to each owner, in batches', async () => {
    const calls: { port: number; n: number }[] = [];
    const pool: PipelinePool = {
      async pipeline(endpoint, commands) {
        calls.push({ port: endpoint.port, n: commands.length });
        if (endpoint.port === 7003) throw new Error('connection refused');
        return commands.map((c) => ({ ok: true as const, value: Number(c[2]) % 7 }));
      },
    };
    const view = buildSlotMapView(cluster(THREE));
    const result = await readSlotKeyCounts(pool, THREE.map((m, i) => ({ endpoint: m.endpoint, ranges: view.legend[i]?.ranges ?? [] })));
    assert.equal(result.counts[13], 13 % 7);
    assert.equal(result.counts[6000], 6000 % 7);
    assert.equal(result.counts[12000], 0, 'a master that failed counts as 0 keys');
    assert.deepEqual(result.errors, ['192.0.2.1:7003: connection refused']);
    assert.deepEqual(calls.filter((c) => c.port === 7001).map((c) => c.n), [2048, 2048, 1365], 'batches of COUNT_KEYS_BATCH');
  });
});
