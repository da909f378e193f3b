/** The one rule for which master gets a new replica (heal, add-node and del-node share it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareReplicaHosts, pickMasterForReplica, placeReplicas, type ReplicaHost } from '../../src/core/cluster/replicaPlacement';

const host = (id: string, replicas: number, slotCount: number, swarmNodes: string[] = []): ReplicaHost => ({ id: id.repeat(40), replicas, slotCount, swarmNodes });

test('1. a master the replica protects against losing a machine first, even one that has a replica already', () => {
  const a = host('a', 1, 16000, ['m2']);
  const b = host('b', 0, 10, ['m1']);
  assert.equal(pickMasterForReplica([a, b], 'm1'), a, 'a replica on m1 beside b dies with b: it serves a, on m2');
  const sibling = host('c', 0, 10, ['m3', 'm1']);
  assert.equal(pickMasterForReplica([a, sibling], 'm1'), a, "a machine of the master's replicas counts too: a second replica there adds nothing");
});

test('2. among the masters it protects (or when it protects none): the fewest replicas', () => {
  const a = host('a', 1, 8000, ['m1']);
  const b = host('b', 0, 100, ['m2']);
  assert.equal(pickMasterForReplica([a, b], 'm3'), b, 'both on other machines: b has none');
  assert.equal(pickMasterForReplica([a, b]), b, 'a replica on an unknown machine shares none');
  // A one-machine swarm: nothing protects against losing it; redis-cli's rule decides.
  assert.equal(pickMasterForReplica([host('a', 1, 8000, ['m1']), host('b', 0, 100, ['m1'])], 'm1')?.id, 'b'.repeat(40));
});

test('3. when it can protect none: beside a sibling replica rather than beside the master', () => {
  const a = host('a', 0, 8000, ['m1']);
  const b = host('b', 0, 100, ['m2', 'm1']);
  assert.equal(pickMasterForReplica([a, b], 'm1'), b, 'b survives m1; a would not, whatever its slots');
});

test('3. then the most slots', () => {
  assert.equal(pickMasterForReplica([host('a', 1, 5000, ['m1']), host('b', 1, 6000, ['m2'])], 'm3')?.id, 'b'.repeat(40));
});

test('4. a full tie goes to the lowest node ID, not to the first master listed', () => {
  const a = host('a', 1, 5461);
  const b = host('b', 1, 5461);
  assert.equal(pickMasterForReplica([b, a]), a);
  assert.equal(pickMasterForReplica([a, b]), a);
  assert.ok(compareReplicaHosts(a, b) < 0 && compareReplicaHosts(b, a) > 0 && compareReplicaHosts(a, a) === 0);
});

test('no master: no choice', () => {
  assert.equal(pickMasterForReplica([]), undefined);
  assert.deepEqual(placeReplicas([], [{ swarmNode: 'm1' }]), []);
});

test('replicas placed one at a time spread over the masters, each counted before the next', () => {
  const a = host('a', 0, 8192, ['m1']);
  const b = host('b', 0, 8192, ['m2']);
  const r1 = { name: 'r1', swarmNode: 'm2' };
  const r2 = { name: 'r2', swarmNode: 'm3' };
  const r3 = { name: 'r3', swarmNode: 'm1' };
  const placed = placeReplicas([a, b], [r1, r2, r3]);
  assert.deepEqual(
    placed.map((p) => [p.replica.name, p.master.id[0]]),
    [
      ['r1', 'a'], // off m2, where b runs
      ['r2', 'a'], // placed last: r3 (on m1) can serve only b, so it went before r2, which can serve either
      ['r3', 'b'], // off m1, where a runs
    ],
  );
  assert.equal(a.replicas, 0, "the masters given are not changed");
});

test('each step takes the best pair of any replica and any master: a replica listed first cannot take the only master a later one protects', () => {
  const a = host('a', 0, 9000, ['m1']);
  const b = host('b', 0, 7384, ['m2']);
  // r1 on m3 protects either and, alone, would take a (more slots); r2 on m2 protects only a.
  const placed = placeReplicas([a, b], [{ name: 'r1', swarmNode: 'm3' }, { name: 'r2', swarmNode: 'm2' }]);
  assert.deepEqual(
    placed.map((p) => [p.replica.name, p.master.id[0]]),
    [
      ['r1', 'b'],
      ['r2', 'a'],
    ],
    'in the order listed, r1 would take a and leave r2 beside b',
  );
});

test('host loss: the spares land beside masters; each master still gets a replica on another machine', () => {
  // Three machines, m3 lost: its tasks came back as spares on m1 and m2. Masters a (m1), b (m2)
  // lost their replicas on m3; c was promoted on m1. Old rule (fewest replicas first) put s2
  // (on m1) beside a or c once b had one.
  const a = host('a', 0, 5461, ['m1']);
  const b = host('b', 0, 5461, ['m2']);
  const c = host('c', 0, 5462, ['m1']);
  const placed = placeReplicas([a, b, c], [{ name: 's1', swarmNode: 'm2' }, { name: 's2', swarmNode: 'm1' }, { name: 's3', swarmNode: 'm2' }]);
  for (const p of placed) assert.notEqual(p.replica.swarmNode, p.master.swarmNodes[0], `${p.replica.name} is not beside its master ${p.master.id[0]}`);
  assert.deepEqual(new Set(placed.map((p) => p.master.id[0])).size, 3, 'every master got one');
});

test('replicas of a master with an unknown machine do not count as the master\'s own machine', () => {
  const a = host('a', 0, 8192, []);
  const b = host('b', 1, 8192, ['m2', 'm3']);
  const placed = placeReplicas([a, b], [{ name: 'r1', swarmNode: 'm1' }, { name: 'r2', swarmNode: 'm1' }]);
  assert.deepEqual(placed.map((p) => p.master.id[0]), ['a', 'b'], 'r2 beside a sibling of a would add nothing; b is elsewhere');
});
