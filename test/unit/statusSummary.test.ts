import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildClusterModel, type ClusterModel, STARTING_GRACE_MS } from '../../src/core/model/clusterModel';
import { describeCluster } from '../../src/core/model/describeNodes';
import { summarizeClusters, worstFirst } from '../../src/core/model/statusSummary';
import { type SwarmRedisNode } from '../../src/core/swarm/discover';
import { FORMED_22190 } from './clusterNodesSamples';
import { clusterFrom, SWARM } from './modelSamples';

const ok = (name: string): ClusterModel => clusterFrom(FORMED_22190, 'ok', name);
const failing = (name: string): ClusterModel => clusterFrom(FORMED_22190, 'fail', name);

test('status bar: the cluster in trouble is shown, not the first or the selected one', () => {
  const s = summarizeClusters([ok('alpha'), failing('adv2'), ok('zeta')]);
  assert.equal(s?.text, 'adv2: fail');
  assert.equal(s?.cluster, 'adv2', 'a click checks the failing cluster');
  assert.equal(s?.health, 'fail');
  assert.match(s?.tooltip ?? '', /^The cluster in the worst state of 3\./);
  assert.deepEqual(worstFirst([ok('b'), failing('c'), ok('a')]).map((c) => c.name), ['c', 'a', 'b']);
});

test('status bar: several clusters in trouble are counted', () => {
  const s = summarizeClusters([failing('b'), ok('a'), failing('c')]);
  assert.equal(s?.text, 'b: fail (+1 more in trouble)');
});

test('status bar: all ok says how many, and a click asks which to check', () => {
  const s = summarizeClusters([ok('a'), ok('b'), ok('c')]);
  assert.equal(s?.text, '3 clusters ok');
  assert.equal(s?.cluster, undefined);
  assert.equal(summarizeClusters([ok('a')])?.text, 'a: ok');
  assert.equal(summarizeClusters([]), undefined);
});

test('status bar: a pinned cluster stays shown, and the others in trouble are still counted', () => {
  const s = summarizeClusters([failing('adv2'), ok('mine')], 'mine');
  assert.equal(s?.text, 'mine: ok (+1 other in trouble)');
  assert.equal(s?.cluster, 'mine');
  assert.equal(s?.pinned, true);
  assert.equal(s?.health, 'fail', 'the background still warns about the other cluster');
  assert.equal(summarizeClusters([ok('mine')], 'gone')?.pinned, false, 'a pin on a cluster that is gone falls back to the worst');
});

const node = (state: string, since: string | undefined): SwarmRedisNode => ({
  service: 'redis-1',
  serviceId: 's1',
  index: 1,
  image: 'redis:7',
  port: 6379,
  task: { id: 't1', state, desiredState: 'running', swarmNode: 'n1', ...(since !== undefined ? { since } : {}) },
});

test('a cluster whose tasks are still starting is "starting", not "unreachable"', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const swarm = (n: SwarmRedisNode) => ({ ...SWARM, nodes: [n] });
  assert.equal(buildClusterModel(swarm(node('preparing', undefined)), undefined, 'no task runs', [], now).health, 'starting');
  assert.equal(buildClusterModel(swarm(node('running', '2026-01-01T00:00:50Z')), undefined, 'refused', [], now).health, 'starting', 'running for 10 s');
  const old = new Date(now - STARTING_GRACE_MS - 1000).toISOString();
  assert.equal(buildClusterModel(swarm(node('running', old)), undefined, 'refused', [], now).health, 'unreachable', 'running long enough to answer');
  assert.equal(buildClusterModel(swarm(node('failed', '2026-01-01T00:00:59Z')), undefined, 'failed', [], now).health, 'unreachable', 'a failed task is a fault');
  const text = describeCluster(buildClusterModel(swarm(node('starting', undefined)), undefined, undefined, [], now));
  assert.match(text.description, /^starting · /);
  assert.notEqual(text.icon.id, 'warning', 'no warning icon while tasks start');
});

test('every view says "not formed" for a cluster without slots', () => {
  const unformed = clusterFrom('e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61 127.0.0.1:22190@32190 myself,master - 0 0 0 connected\n', 'fail');
  assert.equal(unformed.health, 'unformed');
  assert.equal(summarizeClusters([unformed])?.text, 'redis: not formed');
  assert.match(describeCluster(unformed).description, /^not formed/);
});
