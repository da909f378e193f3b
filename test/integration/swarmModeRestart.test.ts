/**
 * The cluster mode survives task restarts (issue 13, item 9): `mode cache` on a cluster
 * deployed in persistent mode, then a node's task killed (swarm restarts it on the same volume)
 * and another node rescheduled on a fresh volume: both come back in cache mode without a heal.
 * A node that does not read the mode when it starts (as one deployed by an older redis-swarm)
 * comes back in its deploy-time mode: check reports it and heal sets it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { volumeName } from '../../src/core/swarm/deployOptions';
import { replyText } from '../../src/core/redis/adminConnection';
import { openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { adminPoolFor } from '../../src/core/swarm/formCluster';
import { deployFormedCluster, localEngine, runPrefix, sweep } from '../support/swarm';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
const env = { ...process.env, DOCKER_HOST: '' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(args: string[]): { code: number; out: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function containerOf(cluster: string, service: string): Promise<string | undefined> {
  const c = await findSwarmCluster(localEngine().docker, cluster);
  const n = c.nodes.find((x) => x.service === service);
  return n?.task?.state === 'running' ? n.task.containerId : undefined;
}

/** The node's live cluster-require-full-coverage, asked through a tunnel (undefined: no answer yet). */
async function coverageOf(cluster: string, service: string): Promise<string | undefined> {
  const access = await openClusterAccess(cluster, { env });
  const pool = adminPoolFor(access);
  try {
    const reply = await pool.command({ host: service, port: 6379 }, ['CONFIG', 'GET', 'cluster-require-full-coverage']);
    return Array.isArray(reply) ? replyText(reply[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    await pool.close();
    await access.dispose();
  }
}

/** Waits (bounded) until the service runs a container other than `old` and its Redis answers. */
async function waitNewTask(cluster: string, service: string, old: string | undefined): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const now = await containerOf(cluster, service).catch(() => undefined);
    if (now && now !== old && (await coverageOf(cluster, service)) !== undefined) return;
    assert.ok(Date.now() < deadline, `swarm started a new task of ${service} within 90 s`);
    await sleep(500);
  }
}

describe('the cluster mode across task restarts', { timeout: 400_000 }, () => {
  const name = runPrefix('k5m');
  after(async () => {
    await sweep(name);
  });

  it('restarted and rescheduled tasks keep the mode set after deploy; a node that does not read it is reported by check and set by heal', async () => {
    await deployFormedCluster(name, { nodes: 3, replicas: 0, mode: 'persistent' });
    const mode = run(['mode', '--cluster', name, 'cache']);
    assert.equal(mode.code, 0, mode.out);

    // Swarm restarts a killed task on the same volume.
    const old1 = await containerOf(name, `${name}-1`);
    docker(['kill', old1 ?? '']);
    await waitNewTask(name, `${name}-1`, old1);
    assert.equal(await coverageOf(name, `${name}-1`), 'no', 'the restarted node is in cache mode, without a heal');
    assert.match(mode.out, /restarted tasks keep it/);

    // Like a cluster deployed before the mode followed the label: node 3 forgets it on restart.
    const old3 = await containerOf(name, `${name}-3`);
    docker(['service', 'update', '-q', '--detach', '--env-rm', 'REDIS_SWARM_MODE', `${name}-3`]);
    await waitNewTask(name, `${name}-3`, old3);
    assert.equal(await coverageOf(name, `${name}-3`), 'yes', "without the label, redis.conf's deploy-time setting");
    const check = run(['check', '--cluster', name]);
    assert.match(check.out, new RegExp(`${name}-3 \\([0-9a-f]{8}\\) still have cluster-require-full-coverage yes, but cluster ${name} is in cache mode`), check.out);
    const heal = run(['heal', '--cluster', name, '--yes']);
    assert.equal(await coverageOf(name, `${name}-3`), 'no', `heal set it:\n${heal.out}`);
    const clean = run(['check', '--cluster', name]);
    assert.doesNotMatch(clean.out, /still have cluster-require-full-coverage/, clean.out);

    // A task rescheduled on a fresh volume (new node ID, nothing of the old data).
    const old2 = await containerOf(name, `${name}-2`);
    docker(['service', 'scale', '-d', `${name}-2=0`]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        docker(['volume', 'rm', volumeName(name, 2)]);
        break;
      } catch {
        // The container is still stopping.
        assert.ok(Date.now() < deadline, 'the scaled-down task releases its volume within 60 s');
        await sleep(500);
      }
    }
    docker(['service', 'scale', '-d', `${name}-2=1`]);
    await waitNewTask(name, `${name}-2`, old2);
    assert.equal(await coverageOf(name, `${name}-2`), 'no', 'the node on a fresh volume starts in cache mode, without a heal');
  });
});
