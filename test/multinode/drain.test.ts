/**
 * Point 4 of issue 12 on the real 3-node bed: maintenance. A plain `docker node update
 * --availability drain` moves the node's tasks (a master there dies with them, so writes to its
 * slots are refused until a replica is promoted); heal restores full redundancy on the other
 * hosts (here the watcher, `heal --watch`, does it unasked). `drain-host` does the same move
 * without a refused write: the masters on the node fail over (coordinated) to replicas elsewhere
 * first, and heal (the core path of VS Code's Heal Cluster) follows. `activate-host` brings the
 * node back and offers to spread replicas onto it.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPrefix } from '../support/swarm';
import { spawn } from 'node:child_process';
import { bed, cli, cliOk, dockerOn, nodeContainer, sweepBed } from '../support/multinode';
import { checkJson, checkUntil, coveredSlots, hostExposure, liveNodes, masterMajorityHost, formSpreadCluster } from '../support/multinodeCheck';
import { openBedClient, startAppendWriter } from '../support/clusterClient';

/** Full redundancy on the hosts left: six live nodes, every slot, every master a replica elsewhere. */
function redundantWithout(host: string) {
  return (c: Awaited<ReturnType<typeof checkJson>>): string | undefined => {
    const live = liveNodes(c);
    if (live.some((n) => n.swarm?.swarmHost === host)) return `a node still runs on ${host}`;
    const exposed = hostExposure(c, [host]);
    if (exposed.length > 0) return exposed.join('; ');
    return live.length !== 6 ? `${live.length} live nodes` : coveredSlots(c) !== 16384 ? `${coveredSlots(c)} slots` : undefined;
  };
}

async function activate(host: string): Promise<void> {
  dockerOn(1, ['node', 'update', '--availability', 'active', host]);
}

describe('multi-host: draining a swarm node for maintenance', { timeout: 900_000 }, () => {
  const prefix = runPrefix('loss');
  const drained: string[] = [];
  after(async () => {
    for (const h of drained) await activate(h).catch(() => undefined);
    await sweepBed(prefix);
  });

  before(async () => {
    await formSpreadCluster(prefix);
  });

  /** A worker that runs a master (so a drain has a master to move). */
  async function workerWithMaster(): Promise<string> {
    const c = await checkJson(prefix);
    const host = [nodeContainer(2), nodeContainer(3)].find((h) => liveNodes(c).some((n) => n.role === 'master' && n.slots.length > 0 && n.swarm?.swarmHost === h));
    assert.ok(host, 'a worker runs a master');
    return host;
  }

  it('a plain docker drain moves the tasks (refusing writes to the master there for a while); the cluster keeps serving and the heal watcher restores full redundancy on the other hosts', async (t) => {
    const host = await workerWithMaster();
    // The watcher (heal --watch, what the VS Code setting runs) heals on its own, nobody asks it.
    const watcher = spawn(process.execPath, ['bin/redis-swarm', 'heal', '--cluster', prefix, '--watch', '--yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_HOST: bed().managerHost },
    });
    let watched = '';
    watcher.stdout.on('data', (d: Buffer) => (watched += d.toString()));
    const watcherDone = new Promise((resolve) => watcher.on('close', resolve));
    const bc = await openBedClient(prefix);
    try {
      const writer = startAppendWriter(bc.client, { prefix: 'plain' });
      await sleep(2000);
      const stopped = liveNodes(await checkJson(prefix)).filter((n) => n.role === 'master' && n.swarm?.swarmHost === host).map((n) => n.id);
      drained.push(host);
      dockerOn(1, ['node', 'update', '--availability', 'drain', host]);
      // The stopped master's replica elsewhere is promoted: every slot is served again. (By ID: the
      // service of the stopped master runs again elsewhere at once, empty, under the same name.)
      await checkUntil(prefix, 'every slot served', (c) =>
        coveredSlots(c) === 16384 && !liveNodes(c).some((n) => n.role === 'master' && n.slots.length > 0 && stopped.includes(n.id)) ? undefined : `${coveredSlots(c)} slots, or a stopped master still owns some`,
      );
      await sleep(2000);
      await writer.stop();
      // The control for drain-host's test below: the same move the plain way does refuse writes.
      t.diagnostic(`plain drain: ${writer.acked.size} writes acknowledged, ${writer.refused.length} refused`);
      assert.ok(writer.refused.length > 0, 'a plain drain refuses writes to the slots of the master it stops');
      await checkUntil(prefix, `full redundancy without ${host}, by the watcher`, redundantWithout(host));
      // The watcher says so once its heal run ends (after check agrees, so maybe after ours did).
      for (const deadline = Date.now() + 120_000; !/heal .*: [1-9]\d* action\(s\)/.test(watched); await sleep(1000)) {
        assert.ok(Date.now() < deadline, `the watcher reports the heal it ran: ${watched}`);
      }
    } finally {
      watcher.kill('SIGTERM');
      await watcherDone;
      await bc.close();
    }

    const out = await cliOk(['activate-host', '--node', host, '--cluster', prefix]);
    drained.splice(drained.indexOf(host), 1);
    assert.match(out, new RegExp(`${host} can take tasks but runs no node of this cluster.*heal --spread-hosts`), out);
    await cliOk(['heal', '--cluster', prefix, '--spread-hosts', '--yes'], { boundMs: 300_000 });
    // Replicas and masters both spread: no host runs half the masters (the drain's promotion put
    // two on one host).
    await checkUntil(prefix, `nodes on ${host} again, every master with a replica elsewhere, masters spread`, (c) => {
      const exposed = hostExposure(c);
      if (exposed.length > 0) return exposed.join('; ');
      return liveNodes(c).some((n) => n.swarm?.swarmHost === host) && liveNodes(c).length === 6 && c.ok ? masterMajorityHost(c) : `nothing on ${host} yet, or not ok`;
    });
  });

  it('drain-host fails the masters over first: not one write is refused while the node is drained and the cluster healed', async (t) => {
    // Whatever the test before left drained (it failed half-way) takes tasks again.
    for (const h of drained.splice(0)) await activate(h);
    const host = await workerWithMaster();
    // A coordinated failover holds the master's clients until the replica has taken over, by
    // design up to twice CLUSTER_MF_TIMEOUT (10 s): a write held that long is slow, not refused,
    // so the client waits longer than that before it calls a write failed.
    const bc = await openBedClient(prefix, { commandTimeoutMs: 12_000 });
    try {
      const writer = startAppendWriter(bc.client, { prefix: 'drain' });
      await sleep(2000);
      drained.push(host);
      const run = await cli(['drain-host', '--node', host, '--cluster', prefix, '--yes'], { boundMs: 400_000 });
      assert.equal(run.status, 0, `drain-host:\n${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /Fail master .* over to /);
      await checkUntil(prefix, `full redundancy without ${host}`, redundantWithout(host));
      await sleep(1000);
      await writer.stop();
      t.diagnostic(`drain-host: ${writer.acked.size} writes acknowledged, the slowest in ${writer.slowestMs} ms`);
      assert.ok(writer.acked.size > 100, `the writer wrote throughout (${writer.acked.size} acknowledged)`);
      // The writer started 2 s before drain-host; the refusals name their time from the writer's start.
      assert.equal(writer.refused.length, 0, `${writer.refused.length} write(s) refused, the first: ${writer.refused.slice(0, 5).join(' | ')}\ndrain-host said:\n${run.stdout}`);
    } finally {
      await bc.close();
    }
    assert.match(dockerOn(1, ['node', 'inspect', '-f', '{{.Spec.Availability}}', host]), /drain/);
    await cliOk(['activate-host', '--node', host]);
    drained.splice(drained.indexOf(host), 1);
    assert.match(dockerOn(1, ['node', 'inspect', '-f', '{{.Spec.Availability}}', host]), /active/);
  });
});
