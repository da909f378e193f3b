import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterModel, buildClusterModel } from '../../src/core/model/clusterModel';
import { type ClusterTopology } from '../../src/core/cluster/topology';
import { describeCluster, describeHost, describeMaster, describeReplica, describeService, formatBytes } from '../../src/core/model/describeNodes';
import { type SwarmRedisNode } from '../../src/core/swarm/discover';
import { type SwarmHost } from '../../src/core/swarm/swarmHosts';
import { FORMED_22190 } from './clusterNodesSamples';
import { clusterFrom } from './modelSamples';

function service(name: string, ip: string, state = 'running'): SwarmRedisNode {
  return {
    service: name,
    serviceId: `id-${name}`,
    index: Number(name.split('-').pop()),
    image: 'redis:7.2',
    port: 6379,
    task: { id: `task-${name}`, state, desiredState: 'running', swarmNode: 'node-abc', containerId: 'c1', ip },
  };
}

const service_ = (name: string): SwarmRedisNode => service(name, '192.0.2.9');

test('a healthy cluster: name, ok, node count and slots covered; a green icon', () => {
  const c: ClusterModel = { ...clusterFrom(FORMED_22190), swarm: { name: 'redis', managed: true, mode: 'persistent', nodes: [service('redis-1', '192.0.2.2')] } };
  const t = describeCluster(c);
  assert.equal(t.label, 'redis');
  assert.equal(t.description, 'ok · 1 node · 16384/16384 slots');
  assert.deepEqual(t.icon, { id: 'server-environment', color: 'testing.iconPassed' });
  assert.match(t.tooltip, /Slots covered: 16384 of 16384/);
});

test('a failed cluster has a red icon', () => {
  assert.deepEqual(describeCluster(clusterFrom(FORMED_22190, 'fail')).icon, { id: 'server-environment', color: 'testing.iconFailed' });
});

test('a master shows its endpoint, slot ranges, slot count, keys and memory', () => {
  const c = clusterFrom(FORMED_22190);
  const shard = c.shards[0];
  assert.ok(shard);
  const withMemory = { ...shard, master: { ...shard.master, report: { ...shard.master.report!, keys: 12, usedMemoryBytes: 2_202_009 } } };
  const t = describeMaster(c, withMemory);
  assert.equal(t.label, 'redis-1.example:22190');
  assert.equal(t.description, '0-5460 · 5461 slots · 12 keys · 2.1 MiB');
  assert.deepEqual(t.icon, { id: 'database', color: 'testing.iconPassed' });
  assert.match(t.tooltip, /Node ID: `e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61`/);
});

test('every node tooltip names its swarm service, task state, swarm node and IP', () => {
  const swarm = { name: 'redis', managed: true, mode: 'persistent' as const, nodes: [service('redis-1', '192.0.2.7')] };
  const base = clusterFrom(FORMED_22190);
  const c = buildClusterModel(swarm, base.topology);
  const shard = c.shards[0];
  assert.ok(shard);
  // The sample announces hostnames "redis-1.example"; attach the service by hand.
  const t = describeMaster(c, { ...shard, master: { ...shard.master, service: service('redis-1', '192.0.2.7') } });
  for (const want of ['Swarm service: `redis-1`', 'Task state: running', 'Swarm node: `node-abc`', 'IP: 192.0.2.7']) {
    assert.ok(t.tooltip.includes(want), `tooltip lacks "${want}":\n${t.tooltip}`);
  }
});

test('a replica shows its link state and lag; a broken link is red with a disconnect icon', () => {
  const c = clusterFrom(FORMED_22190);
  const shard = c.shards[0];
  const r = shard?.replicas[0];
  assert.ok(shard && r);
  const t = describeReplica(c, shard, { ...r, lagBytes: 0 });
  assert.equal(t.description, 'link up · lag 0 B');
  assert.deepEqual(t.icon, { id: 'mirror', color: 'testing.iconPassed' });
  const down = describeReplica(c, shard, { ...r, healthy: false, report: { ...r.report!, masterLinkStatus: 'down' } });
  assert.match(down.description, /^link down/);
  assert.deepEqual(down.icon, { id: 'debug-disconnect', color: 'testing.iconFailed' });
});

test('a service of an unformed cluster shows its task state and IP; a failed task is red', () => {
  const swarm = { name: 'new', managed: true, mode: 'cache' as const, nodes: [service('new-1', '192.0.2.34')] };
  const c = buildClusterModel(swarm, undefined);
  const t = describeService(c, service('new-1', '192.0.2.34'), undefined);
  assert.equal(t.label, 'new-1');
  assert.equal(t.description, 'running · 192.0.2.34');
  const failed = describeService(c, service('new-2', '', 'failed'), undefined);
  assert.deepEqual(failed.icon, { id: 'error', color: 'testing.iconFailed' });
});

test('sizes in bytes read like humans write them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(50 * 1024 * 1024), '50 MiB');
});

test('a cluster with ACL users names them and where their passwords are, never a password', () => {
  const swarm = { name: 'cache', managed: true, mode: 'persistent' as const, authSecret: 'cache-auth', operatorUser: 'redis-swarm', appUsers: ['app'], nodes: [service('cache-1', '192.0.2.2')] };
  const t = describeCluster({ ...clusterFrom(FORMED_22190), name: 'cache', swarm });
  assert.match(t.tooltip, /ACL users: redis-swarm \(operator\), app; passwords in secrets `cache-auth` and `cache-user-\*`/);
});

test('while a roll is under way the cluster says so, and nodes on another image or redis.conf show theirs', () => {
  const c = clusterFrom(FORMED_22190);
  const shard = c.shards[0];
  assert.ok(shard);
  const on = (s: SwarmRedisNode, image: string, config: string): SwarmRedisNode => ({ ...s, image, config });
  const a = on(service('redis-1', '192.0.2.2'), 'redis:7.4', 'redis-conf-2');
  const b = on(service('redis-2', '192.0.2.3'), 'redis:7.2', 'redis-conf-1');
  const mixed: ClusterModel = { ...c, swarm: { name: 'redis', managed: true, mode: 'persistent', roll: { kind: 'upgrade', startedAt: '2026-01-01T00:00:00Z' }, nodes: [a, b] } };
  const master = { ...shard, master: { ...shard.master, service: a } };
  assert.match(describeMaster(mixed, master).description, / · redis:7\.4 · redis-conf-2$/);
  assert.match(describeMaster(mixed, master).tooltip, /Image: `redis:7\.4`[\s\S]*redis\.conf: Docker config `redis-conf-2`/);
  assert.match(describeCluster(mixed).description, /upgrade unfinished/);
  assert.match(describeCluster(mixed).tooltip, /--resume/);
  const settled: ClusterModel = { ...mixed, swarm: { ...mixed.swarm, roll: undefined, nodes: [a, on(b, 'redis:7.4', 'redis-conf-2')] } } as ClusterModel;
  assert.doesNotMatch(describeMaster(settled, master).description, /redis:7\.4/, 'a settled cluster keeps the description short');
});

/** FORMED_22190 spread over three machines; 22194 (replica of 22190) beside its master on host-a. */
function spreadCluster(hosts: readonly SwarmHost[]): ClusterModel {
  const topology = clusterFrom(FORMED_22190).topology as ClusterTopology;
  const place: Record<number, string> = { 22190: 'a', 22194: 'a', 22191: 'b', 22193: 'b', 22192: 'c', 22195: 'c' };
  const nodes = topology.nodes.map((n) => ({ ...n, swarm: { service: `redis-${n.endpoint.port}`, swarmNode: `id-${place[n.endpoint.port] ?? '?'}`, swarmHost: `host-${place[n.endpoint.port] ?? '?'}` } }));
  return buildClusterModel({ name: 'redis', managed: true, mode: 'persistent', nodes: [] }, { ...topology, nodes }, undefined, hosts);
}
const box = (k: string, over: Partial<SwarmHost> = {}): SwarmHost => ({ id: `id-${k}`, hostname: `host-${k}`, state: 'ready', availability: 'active', role: 'worker', ...over });

test('a master whose replica runs on its own swarm node: a yellow warning with the hostname and what losing it does', () => {
  const c = spreadCluster([box('a', { role: 'manager' }), box('b'), box('c')]);
  const shard = c.shards.find((s) => s.master.node.endpoint.port === 22190);
  assert.ok(shard?.sharedHost, 'the model carries check\'s warning on the shard');
  const t = describeMaster(c, shard);
  assert.match(t.description, /^replica on the same host · 0-5460 · 5461 slots · 0 keys · on host-a$/);
  assert.deepEqual(t.icon, { id: 'database', color: 'list.warningForeground' });
  assert.match(t.tooltip, /\[WARNING\] Replica .*22194.* is on the same swarm node \\\(host-a\\\): losing that node takes the master and this replica at once/);
  const replica = shard.replicas[0];
  assert.ok(replica);
  assert.match(describeReplica(c, shard, replica).description, /on its master's host · on host-a$/);
  const other = c.shards.find((s) => s.master.node.endpoint.port === 22191);
  assert.ok(other && !other.sharedHost);
  assert.deepEqual(describeMaster(c, other).icon, { id: 'database', color: 'testing.iconPassed' }, 'a master with its replica elsewhere stays green');
});

test('a node on a swarm node that is Down or drained says so, in its description and tooltip', () => {
  const c = spreadCluster([box('a'), box('b', { availability: 'drain' }), box('c', { state: 'down', message: 'heartbeat failure' })]);
  const shard = c.shards.find((s) => s.master.node.endpoint.port === 22192);
  assert.ok(shard);
  const t = describeMaster(c, shard);
  assert.match(t.description, /on host-c \(Down\)$/);
  assert.ok(t.tooltip.includes('Swarm node: **host-c** (`id-c`), Down: heartbeat failure'), t.tooltip);
  const drained = c.shards.find((s) => s.master.node.endpoint.port === 22191);
  assert.ok(drained);
  assert.match(describeMaster(c, drained).description, /on host-b \(drained\)$/);
});

test('a swarm node in the tree: role, state, its Redis nodes; Down is red, drained yellow, Ready green', () => {
  const running = (service: string, node: string): SwarmRedisNode => ({ ...service_(service), task: { id: 't', state: 'running', desiredState: 'running', swarmNode: node, containerId: 'c', ip: '192.0.2.9' } });
  const model = { clusters: [{ ...clusterFrom(FORMED_22190), swarm: { name: 'redis', managed: true, mode: 'persistent' as const, nodes: [running('redis-1', 'id-a'), running('redis-2', 'id-a')] } }] };
  const ready = describeHost(box('a', { role: 'manager' }), model);
  assert.equal(ready.label, 'host-a');
  assert.equal(ready.description, 'manager · Ready · 2 Redis nodes');
  assert.deepEqual(ready.icon, { id: 'vm', color: 'testing.iconPassed' });
  const down = describeHost(box('c', { state: 'down', message: 'heartbeat failure' }), model);
  assert.equal(down.description, 'worker · Down · 0 Redis nodes');
  assert.deepEqual(down.icon, { id: 'vm-outline', color: 'testing.iconFailed' });
  assert.match(down.tooltip, /rescheduled on other nodes/);
  assert.deepEqual(describeHost(box('b', { availability: 'drain' }), model).icon, { id: 'vm-outline', color: 'list.warningForeground' });
});
