import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterNode, type ClusterTopology } from '../../src/core/cluster/topology';
import { isBadInputError } from '../../src/core/errors';
import { specForNewNode, type ServiceSpec } from '../../src/core/ops/addNode';
import { findClusterNode } from '../../src/core/cluster/nodeNames';
import { pickMasterForReplica } from '../../src/core/cluster/replicaPlacement';
import { masterCandidates, nextNodeIndex, planReplicaMoves } from '../../src/core/ops/planScale';
import { replicaPlacementWarning } from '../../src/core/ops/addNode';

const id = (c: string): string => c.repeat(40);
/** A CLUSTER NODES line: `name` is the announced hostname; `of` the master's letter for a replica. */
const line = (c: string, name: string, self: boolean, of?: string, slots = ''): string =>
  `${id(c)} 10.0.1.${c.charCodeAt(0) % 200}:6379@16379,${name} ${self ? 'myself,' : ''}${of ? 'slave' : 'master'} ${of ? id(of) : '-'} 0 0 1 connected ${slots}`.trim();

function topology(lines: string[], machines: Record<string, string> = {}): ClusterTopology {
  const view = parseClusterNodes(lines.join('\n') + '\n');
  const nodes: ClusterNode[] = view.nodes.map((n) => {
    const name = n.hostname ?? '';
    return { ...n, swarm: { service: name, ...(machines[name] ? { swarmNode: machines[name] } : {}) } };
  });
  return { views: [{ endpoint: nodes[0]?.endpoint ?? { host: '', port: 0 }, view, clusterState: 'ok', keys: 0 }], nodes, unreachable: [] };
}

/** Three masters a, b, c; a has two replicas, b one, c none. */
const uneven = (machines: Record<string, string> = {}): ClusterTopology =>
  topology(
    [
      line('a', 'r-1', true, undefined, '0-5460'),
      line('b', 'r-2', false, undefined, '5461-10922'),
      line('c', 'r-3', false, undefined, '10923-16383'),
      line('d', 'r-4', false, 'a'),
      line('e', 'r-5', false, 'a'),
      line('f', 'r-6', false, 'b'),
    ],
    machines,
  );

test('a new replica goes to the master with the fewest replicas', () => {
  assert.equal(pickMasterForReplica(masterCandidates(uneven()))?.id, id('c'));
});

test('among masters with as few replicas, the one on another machine than the new task wins (anti-affinity), then the most slots', () => {
  const t = topology(
    [line('a', 'r-1', true, undefined, '0-8000'), line('b', 'r-2', false, undefined, '8001-16383'), line('d', 'r-4', false, 'a'), line('e', 'r-5', false, 'b')],
    { 'r-1': 'm1', 'r-2': 'm2', 'r-4': 'm2', 'r-5': 'm1' },
  );
  const c = masterCandidates(t);
  // Equal replicas: without a machine, the most slots (b has 8383).
  assert.equal(pickMasterForReplica(c)?.id, id('b'));
  // A new task on m3 shares a machine with neither: the most slots decides.
  assert.equal(pickMasterForReplica(c, 'm3')?.id, id('b'));
  const t2 = topology([line('a', 'r-1', true, undefined, '0-8000'), line('b', 'r-2', false, undefined, '8001-16383')], { 'r-1': 'm1', 'r-2': 'm2' });
  assert.equal(pickMasterForReplica(masterCandidates(t2), 'm2')?.id, id('a'), 'b runs on m2, so a replica on m2 serves a');
  // A replica beside its master protects nothing against losing that machine: it goes to the
  // master with the fewest replicas among those it does protect (b, not a with two).
  assert.equal(pickMasterForReplica(masterCandidates(uneven({ 'r-3': 'm9' })), 'm9')?.id, id('b'));
});

test('masters without slots, failed masters and the excluded node are no candidates', () => {
  const t = topology([line('a', 'r-1', true, undefined, '0-16383'), line('b', 'r-2', false), `${id('c')} 192.0.2.19:6379@16379,r-3 master,fail - 0 0 1 disconnected`]);
  assert.deepEqual(masterCandidates(t).map((c) => c.id), [id('a')]);
  assert.deepEqual(masterCandidates(t, new Set([id('a')])), []);
});

test('the replicas of a master that leaves spread over the masters needing them most, counting those already given', () => {
  const t = uneven();
  const others = masterCandidates(t, new Set([id('a')]));
  const moves = planReplicaMoves(others, [
    { id: id('d'), label: 'r-4' },
    { id: id('e'), label: 'r-5' },
  ]);
  // c has none, b has one: d goes to c; then both have one, and b holds one slot more (5462 to 5461).
  assert.deepEqual(moves.map((m) => [m.replicaId[0], m.masterId[0]]), [['d', 'c'], ['e', 'b']]);
  assert.throws(() => planReplicaMoves([], [{ id: id('d'), label: 'r-4' }]), isBadInputError);
});

test('the next node index is one above the highest, skipping names whose service or kept volume exists', () => {
  assert.equal(nextNodeIndex('r', [1, 2, 3, 4, 5, 6], new Set()), 7);
  assert.equal(nextNodeIndex('r', [1, 2, 3, 5], new Set()), 6, 'gaps are not reused: a gap may be a removed node whose volume was kept');
  assert.equal(nextNodeIndex('r', [1, 2, 3], new Set(['r-4-data', 'r-5'])), 6);
  assert.equal(nextNodeIndex('r', [], new Set()), 1);
});

test('the new service spec is the template with its own name, hostname, index, volume and port', () => {
  const template: ServiceSpec = {
    Name: 'r-1',
    Labels: { 'org.redis-swarm.node-index': '1', 'org.redis-swarm.cluster': 'r' },
    TaskTemplate: {
      ContainerSpec: {
        Command: ['redis-server', '/usr/local/etc/redis/redis.conf', '--cluster-announce-hostname', 'r-1'],
        Hostname: 'r-1',
        Labels: { 'org.redis-swarm.node-index': '1' },
        Mounts: [{ Type: 'volume', Source: 'r-1-data', Target: '/data' }],
      },
      Networks: [{ Target: 'net-id', Aliases: ['r-1'] }],
    },
    EndpointSpec: { Ports: [{ TargetPort: 6379, PublishedPort: 7001 }] },
  };
  const s = specForNewNode(template, 'r', 7, 7001);
  assert.equal(s.Name, 'r-7');
  assert.deepEqual(s.TaskTemplate?.ContainerSpec?.Command, ['redis-server', '/usr/local/etc/redis/redis.conf', '--cluster-announce-hostname', 'r-7']);
  assert.equal(s.TaskTemplate?.ContainerSpec?.Hostname, 'r-7');
  assert.equal(s.Labels?.['org.redis-swarm.node-index'], '7');
  assert.equal(s.Labels?.['org.redis-swarm.cluster'], 'r');
  assert.equal(s.TaskTemplate?.ContainerSpec?.Labels?.['org.redis-swarm.node-index'], '7');
  assert.equal(s.TaskTemplate?.ContainerSpec?.Mounts?.[0]?.Source, 'r-7-data');
  assert.deepEqual(s.TaskTemplate?.Networks?.[0]?.Aliases, ['r-7']);
  assert.equal(s.EndpointSpec?.Ports?.[0]?.PublishedPort, 7007, 'base + i - 1, as deploy publishes');
  assert.equal(template.Name, 'r-1', 'the template is not changed');
});

test('a node is found by ID, unique prefix, service name or host:port; an ambiguous prefix is refused', () => {
  const t = uneven();
  assert.equal(findClusterNode(t, 'r-3').id, id('c'));
  assert.equal(findClusterNode(t, 'cccc').id, id('c'));
  assert.equal(findClusterNode(t, id('b')).id, id('b'));
  assert.throws(() => findClusterNode(t, 'nope'), isBadInputError);
});

test("add-node's warning when its replica shares a machine names the node by hostname and says what losing it does", () => {
  const beside = replicaPlacementWarning('r-7', 'r-1:6379 (aaaaaaaa)', 2, 'box-2', false);
  assert.equal(
    beside,
    'r-7 runs on the same swarm node (box-2) as its master r-1:6379 (aaaaaaaa), and no master can have a replica off that node: ' +
      'losing box-2 takes the master and this replica at once. Add swarm nodes, or keep the service off it (docker service update --constraint-add), then run heal.',
  );
  assert.match(replicaPlacementWarning('r-7', 'r-1:6379', 1, 'box-2', true), /as another replica of r-1:6379, as --replica-of asked: losing box-2 takes both replicas at once/);
});
