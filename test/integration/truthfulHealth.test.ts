/**
 * Issue 13 items 5-7 against real redis-server processes on loopback ports 25300-25305 (bus
 * ports 25350-25355): heal's clock starts when its plan is confirmed, and a lost replica
 * leaves Redis's cluster_state ok, which the model shows as ok-but-degraded and check reports
 * in heal's words.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkCluster } from '../../src/core/cluster/check';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { readTopology } from '../../src/core/cluster/readTopology';
import { type NodesView } from '../../src/core/cluster/topology';
import { healCluster, type HealSession } from '../../src/core/heal/healCluster';
import { buildClusterModel } from '../../src/core/model/clusterModel';
import { StaticRouter } from '../../src/core/routes/router';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { loopbackHealSession, loopbackSwarm as swarmOf } from '../support/loopbackHeal';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 25300;
const BUS = 25350;
const SEED = { host: '127.0.0.1', port: BASE };
let servers: LoopbackNodes | undefined;

before(async () => {
  servers = await startOpsNodes(BASE, 6, BUS);
  createWithRedisCli(servers.endpoints, 1);
  await waitClusterOk(servers.ports);
  // Roles reach every node by gossip after cluster_state:ok: wait (bounded) until node BASE knows the 3 replicas.
  const deadline = Date.now() + 20_000;
  while (view(BASE).nodes.filter((n) => n.role === 'replica').length < 3) {
    if (Date.now() > deadline) throw new Error(`node ${BASE} did not learn the 3 replicas within 20 s`);
    await sleep(50);
  }
});
after(async () => {
  await servers?.stop();
});

const cli = (port: number, ...args: string[]): string => redisCli(['-p', String(port), ...args]).toString().trim();
const view = (port: number): NodesView => parseClusterNodes(cli(port, 'cluster', 'nodes'));

const loopbackSwarm = (): SwarmCluster => swarmOf('k4', servers?.ports ?? []);
const loopbackSession = (): HealSession => loopbackHealSession(loopbackSwarm());

test('heal counts its deadline from the confirmation: a plan confirmed after longer than the timeout is still applied', { timeout: 120_000 }, async () => {
  // Master A loses its only replica to master B: heal's plan moves it back.
  const v = view(BASE);
  const [a, b] = v.nodes.filter((n) => n.role === 'master');
  assert.ok(a && b);
  const replica = v.nodes.find((n) => n.masterId === a.id);
  assert.ok(replica);
  cli(replica.endpoint.port, 'cluster', 'replicate', b.id);
  const session = loopbackSession();
  const timeoutMs = 8000;
  try {
    let asked = false;
    const r = await healCluster(session, {
      graceMs: 30_000,
      timeoutMs,
      // A person reading the plan for longer than the whole heal may take.
      confirm: async () => {
        asked = true;
        await sleep(timeoutMs + 1500);
        return true;
      },
    });
    assert.ok(asked, 'heal asked before changing anything');
    assert.ok(r.applied > 0, `the confirmed plan was applied (applied ${r.applied}, timedOut ${r.timedOut})`);
    // Each node's own view says whom it replicates.
    const replicaOfA = (servers?.ports ?? []).filter((p) => view(p).self.masterId === a.id);
    assert.equal(replicaOfA.length, 1, 'master A has a replica again');
    assert.equal(r.timedOut, false, 'the run did not time out');
  } finally {
    await session.dispose();
  }
});

test("a replica shut down: Redis stays ok, the model says degraded (not fail), check reports it in heal's words (last: it stays down)", { timeout: 120_000 }, async () => {
  // Wait (bounded) until the previous test's replica move has settled: every master has a
  // replica, and every node's view says the same of whom each replica follows (gossip spreads
  // the move a little later than the replica itself knows it; a stale view picked the wrong
  // master below).
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await readTopology(new StaticRouter(), [SEED]);
    const r = checkCluster(t);
    const roles = (servers?.ports ?? []).map((p) => view(p).nodes.map((n) => `${n.id}:${n.role}:${n.masterId ?? ''}`).sort().join(' '));
    const agreed = roles.every((x) => x === roles[0]);
    if (r.ok && agreed && !r.findings.some((f) => f.severity === 'warning' && f.code !== 'single-placement')) break;
    assert.ok(Date.now() < deadline, `the cluster is clean and its views agree before the test: ${agreed ? '' : 'views differ; '}${r.findings.filter((f) => f.severity !== 'info').map((f) => f.message).join(' | ')}`);
    await sleep(500);
  }
  const v = view(BASE);
  const victim = v.nodes.find((n) => n.role === 'replica');
  assert.ok(victim);
  cli(victim.endpoint.port, 'shutdown', 'nosave');

  const topology = await readTopology(new StaticRouter(), [SEED]);
  assert.ok(topology.views.length === 5 && topology.views.every((x) => x.clusterState === 'ok'), 'Redis says cluster_state:ok on the 5 live nodes');

  const report = checkCluster(topology);
  const ghost = report.findings.find((f) => f.code === 'ghost');
  assert.ok(ghost, `check names the lost replica: ${report.findings.map((f) => f.message).join(' | ')}`);
  assert.equal(ghost.message, `127.0.0.1:${victim.endpoint.port} (${victim.id.slice(0, 8)}) is failed and still known by 5 node(s)`);
  const masterOfVictim = victim.masterId ?? '';
  assert.ok(report.findings.some((f) => f.code === 'no-replica' && f.nodeIds?.includes(masterOfVictim)), 'its master is named as without replica');

  const model = buildClusterModel(loopbackSwarm(), topology);
  assert.equal(model.health, 'degraded', `the model says ${model.health}`);
  assert.ok(model.findings.some((f) => f.code === 'ghost' && f.nodeIds?.includes(victim.id)), 'the model carries the same finding');
});
