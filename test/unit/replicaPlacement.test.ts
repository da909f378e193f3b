/** The one rule for which master gets a new replica (heal, add-node and del-node share it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareReplicaHosts, pickMasterForReplica, placeReplicas, type ReplicaHost } from '../../src/core/cluster/replicaPlacement';

const host = (id: string, replicas: number, slotCount: number, swarmNodes: string[] = []): ReplicaHost => ({ id: id.repeat(40), replicas, slotCount, swarmNodes });

test('1. the fewest replicas first, whatever the machines and slots say', () => {
  const a = host('a', 1, 16000, ['m2']);
  const b = host('b', 0, 10, ['m1']);
  assert.equal(pickMasterForReplica([a, b], 'm1'), b, 'a master without replica takes it even on the same machine');
});

test('2. among as few replicas: a master on another machine than the new replica (anti-affinity)', () => {
  const a = host('a', 0, 8000, ['m1']);
  const b = host('b', 0, 100, ['m2']);
  assert.equal(pickMasterForReplica([a, b], 'm1'), b, 'a runs on m1, so a replica on m1 serves b');
  const viaReplica = host('c', 0, 8000, ['m3', 'm1']);
  assert.equal(pickMasterForReplica([viaReplica, b], 'm1'), b, "a machine of the master's replicas counts too");
  assert.equal(pickMasterForReplica([a, b]), a, 'a replica on an unknown machine shares none');
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
      ['r2', 'b'], // a has one now
      ['r3', 'b'], // a tie on replicas; a runs on m1, and b's machines are m2, m3
    ],
  );
  assert.equal(a.replicas, 0, "the masters given are not changed");
});
