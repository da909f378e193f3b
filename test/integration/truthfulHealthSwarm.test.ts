/**
 * Issue 13 items 5 and 6 on the real swarm. Two node services of a cache-mode cluster scaled
 * to 0, heal run, then `redis-swarm check --cluster` run as a person would right after: heal's
 * verdict must be check's. A replica back at a new IP: what heal's plan says, check and the
 * model (the tree) say too. Everything is swept afterwards, even on failure.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { readTopology } from '../../src/core/cluster/readTopology';
import { formatHealOutcome, formatHealPlan } from '../../src/core/heal/formatHeal';
import { checkHealCluster, healCluster, lookAtCluster, openHealSession } from '../../src/core/heal/healCluster';
import { buildClusterModel } from '../../src/core/model/clusterModel';
import { seedEndpoints } from '../../src/core/swarm/discover';
import { joinSwarm } from '../../src/core/swarm/joinTopology';
import { deployFormedCluster, localEngine, runPrefix, sweep } from '../support/swarm';

describe('truthful health on the real swarm', { timeout: 600_000 }, () => {
  const prefix = runPrefix('k4');
  after(async () => {
    await sweep(prefix);
  });

  it('two services scaled to 0 in a cache-mode cluster: heal says ok only when check does, and names what is left', async () => {
    const name = `${prefix}v`;
    await deployFormedCluster(name, { nodes: 6, replicas: 1, mode: 'cache' });
    const session = await openHealSession(localEngine(), name);
    try {
      execFileSync('docker', ['service', 'scale', '--detach', `${name}-3=0`, `${name}-4=0`], { stdio: 'ignore' });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const c = await session.refresh();
        if (c.nodes.filter((n) => n.task?.state === 'running').length === 4) break;
        assert.ok(Date.now() < deadline, 'the two services stopped within 60 s');
        await sleep(500);
      }
      // The two stopped services will not come back: heal does what it can, waits for them, and
      // stops at its (shortened) deadline.
      const r = await healCluster(session, { graceMs: 0, timeoutMs: 30_000 });
      const printed = formatHealOutcome(r);
      process.stdout.write(`heal: ${r.applied} action(s), ok=${r.ok}, timedOut=${r.timedOut}\n${printed}`);

      const check = spawnSync(process.execPath, ['bin/redis-swarm', 'check', '--cluster', name], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, DOCKER_HOST: '' },
      });
      process.stdout.write(`check exit ${check.status}\n${check.stdout}`);
      assert.equal(check.status, 1, `check exits 1 while stopped nodes are still known: ${check.stderr}`);
      assert.equal(r.ok, false, "heal's verdict is check's: not ok");
      assert.doesNotMatch(printed, /\[OK\]/, 'heal prints no [OK] when check fails');
      assert.match(printed, /\[ERR\] The cluster is not ok/);
      // What heal says is left is what check says, word for word.
      const errors = r.remaining.filter((f) => f.severity === 'error');
      assert.ok(errors.length > 0, 'heal names what is still wrong');
      for (const f of r.remaining) assert.ok(check.stdout.includes(f.message), `check says too: ${f.message}`);
      assert.match(check.stdout, new RegExp(`\\[WARNING\\] ${name}-3 is not running`), 'check knows the swarm side (--cluster)');
    } finally {
      await session.dispose();
    }
  });

  it("a replica back at a new IP: check and the model report what heal's plan says, in its words", async () => {
    const name = `${prefix}m`;
    await deployFormedCluster(name, { nodes: 6, replicas: 1 });
    const session = await openHealSession(localEngine(), name);
    try {
      const before = await lookAtCluster(session, { graceMs: 60_000 });
      const victim = before.diagnosis.live.find((n) => n.role === 'replica');
      assert.ok(victim, 'a replica to restart');
      const old = (await session.refresh()).nodes.find((n) => n.service === victim.service)?.task?.containerId ?? '';
      execFileSync('docker', ['kill', old], { stdio: 'ignore' });
      // The swarm restarts it with its volume (same ID, nodes.conf) at a new overlay IP.
      const deadline = Date.now() + 90_000;
      let planText = '';
      for (;;) {
        const c = await session.refresh();
        const t = c.nodes.find((n) => n.service === victim.service)?.task;
        if (t?.state === 'running' && t.containerId !== old && t.ip !== undefined) {
          const { diagnosis, plan } = await lookAtCluster(session, { graceMs: 60_000 });
          planText = formatHealPlan(diagnosis, plan);
          if (diagnosis.problems.some((p) => p.kind === 'ip-changed' && p.node === victim.id)) break;
        }
        assert.ok(Date.now() < deadline, `the replica came back and heal saw its new IP within 90 s; last plan:\n${planText}`);
        await sleep(500);
      }
      const report = await checkHealCluster(session);
      const moved = report.findings.find((f) => f.code === 'ip-changed' && f.nodeIds?.includes(victim.id));
      assert.ok(moved, `check reports the moved replica: ${report.findings.map((f) => f.message).join(' | ')}`);
      assert.match(moved.message, new RegExp(`^${victim.service} \\(${victim.id.slice(0, 8)}\\) runs at \\d+\\.\\d+\\.\\d+\\.\\d+, unknown to `));
      assert.ok(planText.includes(`[WARN] ${moved.message}`), `heal's plan says the same words:\n${planText}`);

      // The model the tree draws, read as the extension reads it.
      const cluster = await session.refresh();
      const topology = joinSwarm(await readTopology(session.router, seedEndpoints(cluster), { pool: session.pool }), cluster);
      const model = buildClusterModel(cluster, topology);
      assert.ok(model.findings.some((f) => f.code === 'ip-changed' && f.nodeIds?.includes(victim.id)), `the model shows it: ${model.findings.map((f) => f.message).join(' | ')}`);
      assert.notEqual(model.health, 'ok', 'the cluster is not shown as healthy');
    } finally {
      await session.dispose();
    }
  });
});
