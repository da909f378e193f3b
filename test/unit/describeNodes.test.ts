import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterModel, buildClusterModel } from '../../src/core/model/clusterModel';
import { describeCluster, describeMaster, describeReplica, describeService, formatBytes } from '../../src/core/model/describeNodes';
import { type SwarmRedisNode } from '../../src/core/swarm/discover';
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
