/**
 * Two of three masters die at once (a lost host holding most masters), against real
 * redis-server processes on loopback ports 27250-27255 (bus ports 27280-27285), node timeout
 * 2 s: Redis alone cannot elect their replicas (no majority of masters votes), heal promotes
 * them with CLUSTER FAILOVER TAKEOVER once the grace period has passed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { CLUSTER_SLOTS, type NodesView } from '../../src/core/cluster/topology';
import { healCluster } from '../../src/core/heal/healCluster';
import { type Logger } from '../../src/core/lifecycle';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { loopbackHealSession, loopbackSwarm } from '../support/loopbackHeal';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 27250;
const BUS = 27280;
const NODE_TIMEOUT_MS = 2000;
let servers: LoopbackNodes | undefined;

before(async () => {
  servers = await startOpsNodes(BASE, 6, BUS, ['--cluster-node-timeout', String(NODE_TIMEOUT_MS)]);
  createWithRedisCli(servers.endpoints, 1);
  await waitClusterOk(servers.ports);
  // Roles reach every node by gossip after cluster_state:ok: wait (bounded) until every node knows the 3 replicas.
  const deadline = Date.now() + 20_000;
  while (!servers.ports.every((p) => view(p).nodes.filter((n) => n.role === 'replica').length === 3)) {
    if (Date.now() > deadline) throw new Error('the nodes did not learn the 3 replicas within 20 s');
    await sleep(50);
  }
});
after(async () => {
  await servers?.stop();
});

const cli = (port: number, ...args: string[]): string => redisCli(['-p', String(port), ...args]).toString().trim();
const view = (port: number): NodesView => parseClusterNodes(cli(port, 'cluster', 'nodes'));
const clusterState = (port: number): string => /cluster_state:(\w+)/.exec(cli(port, 'cluster', 'info'))?.[1] ?? '?';

test('two of three masters shut down: Redis stays failed, heal takes over with their replicas and every slot is served again', { timeout: 180_000 }, async () => {
  const ports = servers?.ports ?? [];
  const v = view(BASE);
  const masters = v.nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
  assert.equal(masters.length, 3);
  const dead = masters.slice(0, 2);
  const heirs = dead.map((m) => v.nodes.find((n) => n.masterId === m.id));
  assert.ok(heirs.every((h) => h !== undefined), 'each master has a replica');
  const deadPorts = dead.map((m) => m.endpoint.port);
  const heirPorts = heirs.map((h) => h?.endpoint.port ?? 0);
  const live = ports.filter((p) => !deadPorts.includes(p));

  for (const p of deadPorts) cli(p, 'shutdown', 'nosave');

  // Redis alone: for three node timeouts, the replicas stay replicas and the cluster stays failed.
  const until = Date.now() + 3 * NODE_TIMEOUT_MS;
  let failSeen = false;
  while (Date.now() < until) {
    for (const p of heirPorts) assert.equal(view(p).self.role, 'replica', `replica ${p} was not elected without a majority`);
    failSeen ||= live.every((p) => clusterState(p) === 'fail');
    await sleep(250);
  }
  assert.ok(failSeen, 'the live nodes said cluster_state:fail');
  assert.ok(live.every((p) => clusterState(p) === 'fail'), 'still failed after three node timeouts');

  const warnings: string[] = [];
  const logger: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
  // Every task says running: the dead masters' machine is cut off, not known down, so heal waits out the grace.
  const session = loopbackHealSession(loopbackSwarm('tk', ports));
  const started = Date.now();
  try {
    // The dead nodes never answer again, so heal waits for them until its own bound.
    const r = await healCluster(session, { graceMs: 1000, timeoutMs: 25_000, logger });
    const takeovers = r.plans.flatMap((p) => p.actions).filter((a) => a.kind === 'takeover');
    assert.deepEqual(takeovers.map((a) => a.node.endpoint.port).sort(), [...heirPorts].sort(), 'the dead masters\' replicas took over');
    assert.ok(warnings.some((w) => /acknowledged but had not yet replicated are lost/.test(w)), warnings.join('\n'));
  } finally {
    await session.dispose();
  }
  console.log(`heal ran ${Date.now() - started} ms`);

  // Each node's own word, bounded: the replicas are masters, every slot is owned by a live
  // master, and every live node says cluster_state:ok.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const heirsMasters = heirPorts.every((p) => view(p).self.role === 'master');
    const views = live.map(view);
    const served = views.every((x) => {
      const owners = x.nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
      const slots = owners.reduce((k, n) => k + n.slots.reduce((s, r) => s + r.end - r.start + 1, 0), 0);
      return slots === CLUSTER_SLOTS && owners.every((n) => live.includes(n.endpoint.port));
    });
    const ok = live.every((p) => clusterState(p) === 'ok');
    if (heirsMasters && served && ok) break;
    assert.ok(Date.now() < deadline, `after heal: replicas are masters ${heirsMasters}, every slot served by live masters ${served}, cluster_state ok ${ok}`);
    await sleep(250);
  }
});
