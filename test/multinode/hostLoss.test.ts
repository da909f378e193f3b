/**
 * Point 3 of issue 12 on the real 3-node bed: a whole host lost while an application writes.
 * A worker that runs a master is killed (`docker kill` of its node container: its engine and
 * every task on it die at once). The replicas on the other hosts take over, the swarm runs the
 * lost tasks elsewhere (new IPs, empty data), and heal brings every master a replica on another
 * live host. Acknowledged writes lost are counted: with asynchronous replication a write
 * acknowledged by the dead master in the last instants before its death may not have reached its
 * replica, so only writes acknowledged more than REPLICATION_WINDOW_MS before the kill must be
 * there (a live replica link carries a write within milliseconds of its acknowledgement; the
 * window is generous for a loaded 2-core machine). Then the host comes back: its stale tasks
 * must not show up as nodes, and check offers to spread the replicas over it again; after
 * heal --spread-hosts no host runs half the masters (the promotion put two on one host, whose loss
 * would then leave too few masters to elect replicas).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPrefix } from '../support/swarm';
import { cli, dockerOn, nodeContainer, sweepBed } from '../support/multinode';
import { type CheckJson, checkJson, checkUntil, coveredSlots, hostExposure, liveNodes, masterMajorityHost, formSpreadCluster } from '../support/multinodeCheck';
import { type BedClient, missingKeys, openBedClient, startAppendWriter } from '../support/clusterClient';

const REPLICATION_WINDOW_MS = 1000;
const WRITES_AFTER_FAILOVER = 200;

/** The host's engine (the bed's node containers are its containers). */
function onHost(args: readonly string[]): void {
  execFileSync('docker', [...args], { stdio: 'ignore', env: { ...process.env, DOCKER_HOST: '' } });
}

/** The swarm says every service of the cluster runs a task on a host other than `avoid`. */
async function tasksRunningAwayFrom(prefix: string, avoid: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const lines = dockerOn(1, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Name}} {{.Node}} {{.CurrentState}}',
      ...dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((s) => new RegExp(`^${prefix}-\\d+$`).test(s))]).split('\n');
    const bad = lines.filter((l) => !/ Running /.test(l) || l.split(' ')[1] === avoid);
    if (bad.length === 0 && lines.length === 6) return;
    assert.ok(Date.now() < deadline, `the swarm did not run every task away from ${avoid}: ${bad.join('; ')}`);
    await sleep(1000);
  }
}

describe('multi-host: a whole host lost while an application writes', { timeout: 900_000 }, () => {
  const prefix = runPrefix('loss');
  let victim = 0;
  let victimHost = '';
  after(async () => {
    // A killed node comes back before the clean-up, so its engine's leftovers are removed too.
    if (victim) onHost(['start', nodeContainer(victim)]);
    await sweepBed(prefix);
  });

  before(async () => {
    await formSpreadCluster(prefix);
  });

  it('the replicas on other hosts take over, heal restores a replica on another live host per master, and only the last instants of writes can be lost', async (t) => {
    const c0 = await checkJson(prefix);
    // A worker (never the manager: the engine everything goes through) that runs a master.
    const hostOf = (i: number): string => nodeContainer(i);
    victim = [2, 3].find((i) => liveNodes(c0).some((n) => n.role === 'master' && n.slots.length > 0 && n.swarm?.swarmHost === hostOf(i))) ?? 0;
    assert.ok(victim, 'a worker runs a master');
    victimHost = hostOf(victim);
    const lostMasters = liveNodes(c0).filter((n) => n.role === 'master' && n.swarm?.swarmHost === victimHost).map((n) => n.id);

    const bc: BedClient = await openBedClient(prefix);
    try {
      const writer = startAppendWriter(bc.client, { prefix: 'loss' });
      await sleep(3000);
      assert.ok(writer.acked.size > 50, `the writer writes before the kill (${writer.acked.size} acknowledged)`);
      const killedAt = Date.now();
      onHost(['kill', nodeContainer(victim)]);

      // Serving again: the dead masters' replicas were promoted, and writes are acknowledged after that.
      await checkUntil(prefix, 'every slot served by a live master', (c) => {
        const masters = liveNodes(c).filter((n) => n.role === 'master' && n.slots.length > 0);
        if (masters.some((m) => lostMasters.includes(m.id))) return 'a master on the dead host still owns slots';
        return coveredSlots(c) === 16384 ? undefined : `${coveredSlots(c)} slots covered`;
      });
      const servedAt = writer.acked.size;
      for (const deadline = Date.now() + 60_000; writer.acked.size < servedAt + WRITES_AFTER_FAILOVER; ) {
        assert.ok(Date.now() < deadline, `writes are acknowledged again after the failover (${writer.acked.size - servedAt} since)`);
        await sleep(200);
      }

      // The swarm runs the lost tasks elsewhere; heal makes them replicas of masters on other hosts.
      await tasksRunningAwayFrom(prefix, victimHost);
      const healed = await cli(['heal', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
      assert.equal(healed.status, 0, `heal:\n${healed.stdout}\n${healed.stderr}`);
      await checkUntil(prefix, 'every master with a replica on another live host', (c) => {
        const exposed = hostExposure(c, [victimHost]);
        if (exposed.length > 0) return exposed.join('; ');
        const live = liveNodes(c).filter((n) => n.swarm?.swarmHost !== victimHost);
        return live.length < 6 ? `${live.length} live nodes` : coveredSlots(c) !== 16384 ? `${coveredSlots(c)} slots` : undefined;
      });
      await writer.stop();

      const keys = [...writer.acked.keys()];
      const missing = new Set(await missingKeys(bc.client, keys));
      const early = keys.filter((k) => (writer.acked.get(k) ?? 0) < killedAt - REPLICATION_WINDOW_MS && missing.has(k));
      const late = keys.filter((k) => (writer.acked.get(k) ?? 0) > killedAt && missing.has(k));
      t.diagnostic(`acknowledged writes: ${keys.length}; lost: ${missing.size} (acknowledged in the last ${REPLICATION_WINDOW_MS} ms before the kill or after it: ${missing.size - early.length}); refused or failed while the host was lost: ${writer.refused.length}`);
      assert.deepEqual(early, [], 'no write acknowledged well before the kill is lost');
      assert.deepEqual(late, [], 'no write acknowledged after the kill is lost (only live masters could acknowledge it)');
    } finally {
      await bc.close();
    }
  });

  it('the host comes back: its stale tasks are not nodes of the cluster, and check offers to spread the replicas over it', async () => {
    assert.ok(victim, 'the first test killed a host');
    onHost(['start', nodeContainer(victim)]);
    for (const deadline = Date.now() + 120_000; ; ) {
      const line = dockerOn(1, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']).split('\n').find((l) => l.startsWith(`${victimHost} `));
      if (line?.endsWith(' Ready')) break;
      assert.ok(Date.now() < deadline, `${victimHost} is Ready again: ${line}`);
      await sleep(1000);
    }
    // Its old task containers are stopped by its own engine once it hears they were replaced.
    for (const deadline = Date.now() + 120_000; ; ) {
      let running: string[] = [];
      try {
        running = dockerOn(victim, ['ps', '--format', '{{.Names}}']).split('\n').filter((n) => n.startsWith(`${prefix}-`));
      } catch {
        running = ['(its engine does not answer yet)'];
      }
      if (running.length === 0) break;
      assert.ok(Date.now() < deadline, `the stale tasks on ${victimHost} stop: ${running.join(', ')}`);
      await sleep(1000);
    }
    const c: CheckJson = await checkUntil(prefix, 'a healthy cluster of six nodes', (x) =>
      x.nodes.length !== 6 ? `${x.nodes.length} nodes known (${x.nodes.map((n) => n.id.slice(0, 8)).join(', ')})` : x.ok ? undefined : x.findings.map((f) => f.message).join('; '),
    );
    assert.deepEqual(hostExposure(c), []);
    assert.equal(new Set(c.nodes.map((n) => n.id)).size, 6, 'no ghost node');
    const offer = c.findings.find((f) => f.code === 'host-spread');
    assert.ok(offer, `check offers to use the host that came back: ${c.findings.map((f) => f.code).join(', ')}`);
    assert.match(offer.message, new RegExp(victimHost));

    const spread = await cli(['heal', '--cluster', prefix, '--spread-hosts', '--yes'], { boundMs: 300_000 });
    assert.equal(spread.status, 0, `heal --spread-hosts:\n${spread.stdout}\n${spread.stderr}`);
    const done = await checkUntil(prefix, `a node on ${victimHost} again, every master with a replica elsewhere`, (x) => {
      const exposed = hostExposure(x);
      if (exposed.length > 0) return exposed.join('; ');
      if (!liveNodes(x).some((n) => n.swarm?.swarmHost === victimHost)) return `nothing runs on ${victimHost}`;
      return liveNodes(x).length !== 6 || !x.ok ? `${liveNodes(x).length} live nodes, ok ${x.ok}` : masterMajorityHost(x);
    });
    assert.equal(done.findings.filter((f) => f.code === 'host-spread' || f.code === 'master-spread').length, 0, 'nothing more to offer');
  });
});
