/**
 * Issue 16's proof on the real 3-node bed: a rolling upgrade between two image tags and a
 * rolling restart of a 3 masters + 3 replicas cluster spread over three hosts, under an
 * application's traffic (an ioredis Cluster writer and reader reaching the nodes through the
 * manager's engine only). No acknowledged write may be lost and every slot must be served after
 * each roll (asserted); failed writes and the longest pause are reported. Afterwards check is
 * clean and every master still has a replica on another host. Before that, the image checks:
 * an image missing on the connected engine, or on a worker, is refused before anything changes.
 *
 * The "new image" is the bed's image under a second tag, made on every node (there is no
 * registry): the same Redis, but a different image reference and so a new task spec.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type Cluster } from 'ioredis';
import { runPrefix, TEST_IMAGE } from '../support/swarm';
import { verifyAcked } from '../support/opsWriter';
import { clusterClientAt, formatTraffic, startTraffic, waitAllSlotsServed } from '../support/rollingTraffic';
import { bed, cli, cliOk, dockerOn, placement, serviceForwards, services, sweepBed } from '../support/multinode';
import { checkJson, hostExposure } from '../support/multinodeCheck';

const ROLL_BOUND_MS = 600_000;

describe('multi-host: rolling upgrade and restart under traffic', { timeout: 900_000 }, () => {
  const prefix = runPrefix('mroll');
  const nextImage = `redis-swarm/redis:${prefix}`;
  const workerOnly = `redis-swarm/redis:${prefix}-w`;
  const managerOnly = `redis-swarm/redis:${prefix}-m`;
  const nodes = Array.from({ length: bed().nodes }, (_, i) => i + 1);
  let forwards: Awaited<ReturnType<typeof serviceForwards>> | undefined;
  let client: Cluster | undefined;

  before(async () => {
    for (const i of nodes) dockerOn(i, ['tag', TEST_IMAGE, nextImage]);
    await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1', '--image', TEST_IMAGE, '--node-timeout', '5000']);
    await cliOk(['create', '--cluster', prefix, '--yes']);
    assert.deepEqual(hostExposure(await checkJson(prefix)), [], 'create put every replica off its master\'s host');
    forwards = await serviceForwards(prefix);
    client = clusterClientAt(forwards.ports);
    await waitAllSlotsServed(client, 120_000);
  });

  after(async () => {
    client?.disconnect();
    await forwards?.close();
    await sweepBed(prefix);
    for (const i of nodes) {
      for (const tag of [nextImage, workerOnly, managerOnly]) {
        try {
          dockerOn(i, ['rmi', tag]);
        } catch {
          // Never tagged on this node (or the before hook failed early).
        }
      }
    }
  });

  function images(): string[] {
    return dockerOn(1, ['service', 'ls', '--filter', `name=${prefix}-`, '--format', '{{.Name}} {{.Image}}'])
      .split('\n')
      .filter((l) => new RegExp(`^${prefix}-\\d+ `).test(l))
      .map((l) => (l.split(' ')[1] ?? '').split('@')[0] as string);
  }

  /** Runs the verb while the traffic runs; asserts no acknowledged write was lost and every slot is served; reports the rest. */
  async function underTraffic(what: string, args: readonly string[]): Promise<string> {
    const c = client as Cluster;
    const hostsBefore = placement(prefix);
    const traffic = startTraffic(c, { keys: 2000, prefix: what });
    let out: string;
    let stats;
    try {
      out = await cliOk(args, { boundMs: ROLL_BOUND_MS });
    } finally {
      stats = await traffic.stop();
    }
    const lost = await verifyAcked(c, traffic.acked);
    console.log(`# multi-host ${formatTraffic(what, stats, lost.length)}`);
    if (stats.failedWrites.length > 0) console.log(`#   first failed writes: ${stats.failedWrites.slice(0, 3).join(' | ')}`);
    assert.ok(stats.writes > 0, 'the writer wrote during the roll');
    assert.deepEqual(lost, [], 'no acknowledged write is lost');
    assert.deepEqual(stats.staleReads, [], 'no read missed an acknowledged write');
    await waitAllSlotsServed(c);
    // Each node's data is in a local volume on its host: a task that moved would have come back empty.
    assert.deepEqual(placement(prefix), hostsBefore, 'every task came back on the host of its volume');
    for (const service of services(prefix)) {
      const constraints = dockerOn(1, ['service', 'inspect', service, '--format', '{{json .Spec.TaskTemplate.Placement.Constraints}}']);
      assert.doesNotMatch(constraints, /node\.id==/, `the roll took its pin off ${service}`);
    }
    return out;
  }

  async function assertHealthyAndSpread(): Promise<void> {
    const c = await checkJson(prefix);
    assert.equal(c.ok, true, `check is clean: ${c.findings.map((f) => f.message).join('; ')}`);
    assert.deepEqual(c.findings.filter((f) => f.severity !== 'info'), [], 'check finds nothing to warn about');
    assert.equal(c.nodes.filter((n) => n.role === 'master' && n.slots.length > 0).length, 3);
    assert.deepEqual(hostExposure(c), [], 'every master still has a replica on another host');
  }

  it('refuses an image missing on the connected engine, saying so, before changing anything', async () => {
    for (const i of nodes.slice(1)) dockerOn(i, ['tag', TEST_IMAGE, workerOnly]);
    const run = await cli(['upgrade', '--cluster', prefix, '--image', workerOnly]);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr + run.stdout, /is not on the engine redis-swarm is connected to, which runs it once to read its Redis version/);
    assert.match(run.stderr + run.stdout, /Nothing was changed\./);
    assert.deepEqual(images(), images().map(() => TEST_IMAGE));
  });

  it('refuses an image missing on a worker, naming it, before changing anything', async () => {
    dockerOn(1, ['tag', TEST_IMAGE, managerOnly]);
    const run = await cli(['upgrade', '--cluster', prefix, '--image', managerOnly]);
    assert.notEqual(run.status, 0);
    const worker2 = dockerOn(2, ['info', '--format', '{{.Name}}']);
    assert.match(run.stderr + run.stdout, new RegExp(`is not on swarm node\\(s\\) .*${worker2}`));
    assert.deepEqual(images(), images().map(() => TEST_IMAGE));
  });

  it('upgrade to another image tag: replicas first, masters after a failover; no acknowledged write lost, every slot served', async () => {
    const out = await underTraffic('upgrade', ['upgrade', '--cluster', prefix, '--image', nextImage]);
    assert.match(out, /CLUSTER FAILOVER|failover/i);
    const after = images();
    assert.equal(after.length, 6);
    assert.deepEqual(after, after.map(() => nextImage));
    await assertHealthyAndSpread();
  });

  it('rolling restart of every node; no acknowledged write lost, every slot served', async () => {
    await underTraffic('restart', ['restart', '--cluster', prefix]);
    await assertHealthyAndSpread();
  });
});
