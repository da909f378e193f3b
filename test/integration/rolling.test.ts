/**
 * Rolling upgrade, config change and restart on the real local swarm, under an application's
 * traffic (an ioredis Cluster writer and reader through published ports): no acknowledged write
 * may be lost (asserted); failed commands and the longest pause are reported. Then the tool is
 * stopped (SIGTERM) and killed (SIGKILL) at several points of an upgrade: every slot must still
 * be served, and a resume must finish it; then one command rolls the upgrade back.
 *
 * The "new image" is the local test image under a second tag (docker tag, removed afterwards):
 * the same Redis, but for swarm a different image reference and so a new task spec; that is
 * what the rolling logic acts on. (There is no registry to pull a real second version from.)
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Cluster } from 'ioredis';
import { readTopology } from '../../src/core/cluster/readTopology';
import { checkCluster } from '../../src/core/cluster/check';
import { replyText } from '../../src/core/redis/adminConnection';
import { applyConfigSet, planConfigSet } from '../../src/core/rolling/configChange';
import { resumeRoll, restartCluster, upgradeCluster } from '../../src/core/rolling/rollOps';
import { readRollRecord } from '../../src/core/rolling/serviceState';
import { type ClusterAccess, openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { adminPoolFor } from '../../src/core/swarm/formCluster';
import { joinSwarm } from '../../src/core/swarm/joinTopology';
import { seedEndpoints } from '../../src/core/swarm/discover';
import { type AdminPool } from '../../src/core/redis/adminConnection';
import { clusterClient, formatTraffic, startTraffic, waitAllSlotsServed } from '../support/rollingTraffic';
import { verifyAcked } from '../support/opsWriter';
import { TEST_IMAGE, deployFormedCluster, runPrefix, sweep } from '../support/swarm';
import { runCli } from '../support/cliRun';

const PUBLISH_BASE = 26210;
const NODES = 6;
const env = { ...process.env, DOCKER_HOST: '' };

describe('rolling upgrade, config change and restart under traffic', { timeout: 900_000 }, () => {
  const name = runPrefix('roll');
  const nextImage = `redis-swarm/redis:${name}`;
  const names = Array.from({ length: NODES }, (_, i) => `${name}-${i + 1}`);
  let client: Cluster | undefined;
  const children = new Set<ChildProcess>();

  before(async () => {
    execFileSync('docker', ['tag', TEST_IMAGE, nextImage]);
    await deployFormedCluster(name, { nodes: NODES, replicas: 1, publishBase: PUBLISH_BASE });
    client = clusterClient(names, 6379, PUBLISH_BASE);
    await waitAllSlotsServed(client);
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    client?.disconnect();
    await sweep(name);
    try {
      execFileSync('docker', ['rmi', nextImage], { stdio: 'ignore' });
    } catch {
      // Not tagged (the before hook failed early).
    }
  });

  /** Opens the cluster, runs `body`, closes; the way the CLI does. */
  async function withCluster<T>(body: (access: ClusterAccess, pool: AdminPool) => Promise<T>): Promise<T> {
    const access = await openClusterAccess(name, { env });
    const pool = adminPoolFor(access);
    try {
      return await body(access, pool);
    } finally {
      await pool.close();
      await access.dispose();
    }
  }

  /** Runs `op` while the traffic runs; asserts no acknowledged write was lost; reports the rest. */
  async function underTraffic(what: string, op: () => Promise<void>): Promise<void> {
    const c = client as Cluster;
    const traffic = startTraffic(c, { keys: 2000, prefix: `${what}` });
    let stats;
    try {
      await op();
    } finally {
      stats = await traffic.stop();
    }
    const lost = await verifyAcked(c, traffic.acked);
    console.log(`# ${formatTraffic(what, stats, lost.length)}`);
    if (stats.failedWrites.length > 0) console.log(`#   first failed writes: ${stats.failedWrites.slice(0, 3).join(' | ')}`);
    assert.ok(stats.writes > 0, 'the writer wrote during the roll');
    assert.deepEqual(lost, [], 'no acknowledged write is lost');
    assert.deepEqual(stats.staleReads, [], 'no read missed an acknowledged write');
  }

  async function assertHealthy(): Promise<void> {
    await withCluster(async (access, pool) => {
      const topology = joinSwarm(await readTopology(access.router, seedEndpoints(access.cluster), { pool }), access.cluster);
      const report = checkCluster(topology);
      assert.ok(report.ok, `check is clean: ${report.findings.map((f) => f.message).join('; ')}`);
      assert.equal(topology.nodes.filter((n) => n.role === 'master').length, 3);
      assert.equal(await readRollRecord(access.engine.docker, names), undefined, 'no roll is left recorded');
    });
  }

  function images(): string[] {
    return names.map((n) => execFileSync('docker', ['service', 'inspect', n, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}'], { encoding: 'utf8' }).trim().split('@')[0] as string);
  }

  it('upgrade to another image: replicas first, masters after a failover; no acknowledged write lost', async () => {
    await underTraffic('upgrade', async () => {
      const r = await withCluster((access, pool) => upgradeCluster(access, pool, nextImage));
      assert.equal(r.updated.length, NODES, 'every node was updated');
      assert.equal(r.failovers.length, 3, 'each master was failed over first');
    });
    assert.deepEqual(images(), names.map(() => nextImage));
    await assertHealthy();
  });

  it('refuses an image that is not on the engine, before changing anything', async () => {
    await withCluster(async (access, pool) => {
      await assert.rejects(upgradeCluster(access, pool, `redis-swarm/redis:${name}-absent`), /is not on the engine redis-swarm is connected to/);
    });
  });

  it('config set: a live setting at once, a restart-only one through a rolling restart onto a new config version', async () => {
    await underTraffic('config', async () => {
      await withCluster(async (access, pool) => {
        const plan = await planConfigSet(access, pool, [
          ['repl-diskless-sync-delay', '0'],
          ['databases', '4'],
        ]);
        const applied = await applyConfigSet(access, pool, plan);
        assert.deepEqual(applied.live, ['repl-diskless-sync-delay']);
        assert.deepEqual(applied.atRestart, ['databases']);
        assert.equal(applied.roll.updated.length, NODES);
      });
    });
    await withCluster(async (access, pool) => {
      for (const ep of seedEndpoints(access.cluster)) {
        const r = (await pool.command(ep, ['CONFIG', 'GET', 'databases'])) as unknown[];
        assert.equal(replyText(r[1]), '4', `${ep.host} restarted with the new redis.conf`);
      }
    });
    await assertHealthy();
  });

  it('rolling restart of every node with --fail-back: the same masters at the end; no acknowledged write lost', async () => {
    const before = await masters();
    await underTraffic('restart', async () => {
      const r = await withCluster((access, pool) => restartCluster(access, pool, undefined, { failBack: true }));
      assert.equal(r.updated.length, NODES);
    });
    assert.deepEqual(await masters(), before, 'the original masters are masters again');
    await assertHealthy();
  });

  async function masters(): Promise<string[]> {
    return withCluster(async (access, pool) => {
      const t = joinSwarm(await readTopology(access.router, seedEndpoints(access.cluster), { pool }), access.cluster);
      return t.nodes.filter((n) => n.role === 'master' && n.slots.length > 0).map((n) => n.swarm?.service ?? '?').sort();
    });
  }

  it('SIGTERM stops an upgrade between steps (exit 130, every master serving); SIGKILL at several points leaves every slot served; running it again and --resume finish it', async () => {
    const c = client as Cluster;
    const stopped = runCli(['upgrade', '--cluster', name, '--image', TEST_IMAGE]);
    children.add(stopped.child);
    await stopped.waitFor(/updating \S+ \(a replica\)/, 300_000);
    stopped.child.kill('SIGTERM');
    assert.equal(await stopped.exit(240_000), 130, `the cancel status:\n${stopped.output()}`);
    assert.match(stopped.output(), /every master is serving/);
    children.delete(stopped.child);
    await waitAllSlotsServed(c);
    // Back to the first image, killed at: a replica's update, a failover, a demoted master's update.
    const killPoints = [/updating \S+ \(a replica\)/, /CLUSTER FAILOVER on/, /is back and in sync[\s\S]*updating \S+ \(a replica\)/];
    for (const point of killPoints) {
      const run = runCli(['upgrade', '--cluster', name, '--image', TEST_IMAGE]);
      children.add(run.child);
      await run.waitFor(point, 300_000);
      run.child.kill('SIGKILL');
      await run.exit(30_000);
      children.delete(run.child);
      await waitAllSlotsServed(c);
      await withCluster(async (access) => {
        assert.ok(await readRollRecord(access.engine.docker, names), 'the interrupted upgrade is recorded');
      });
    }
    await underTraffic('resume', async () => {
      const r = await withCluster((access, pool) => resumeRoll(access, pool));
      assert.equal(r.kind, 'upgrade');
    });
    assert.deepEqual(images(), names.map(() => TEST_IMAGE));
    await assertHealthy();
  });

  it('upgrade --rollback (one command, the CLI) after a finished upgrade returns every node to the image it ran before', async () => {
    await underTraffic('rollback', async () => {
      const run = runCli(['upgrade', '--cluster', name, '--rollback']);
      children.add(run.child);
      assert.equal(await run.exit(600_000), 0, `the rollback's status:\n${run.output()}`);
      children.delete(run.child);
      assert.match(run.output(), /\[OK\] rollback of /);
    });
    assert.deepEqual(images(), names.map(() => nextImage));
    await assertHealthy();
  });
});
