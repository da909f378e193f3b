/**
 * The cluster mode survives a task restart (issue 13, item 9): `mode cache` on a cluster
 * deployed in persistent mode, then a node's task killed; swarm restarts it on the same volume
 * and it comes back in cache mode without a heal. A node whose mode file is gone (as on a fresh
 * volume) comes back in the deploy-time mode: check reports it and heal sets it, file included.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { deployFormedCluster, localEngine, runPrefix, sweep } from '../support/swarm';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
const env = { ...process.env, DOCKER_HOST: '' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(args: string[]): { code: number; out: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

async function containerOf(cluster: string, service: string): Promise<string | undefined> {
  const c = await findSwarmCluster(localEngine().docker, cluster);
  const n = c.nodes.find((x) => x.service === service);
  return n?.task?.state === 'running' ? n.task.containerId : undefined;
}

/** Kills the node's container and waits (bounded) until swarm runs a new one that answers. */
async function restartTask(cluster: string, service: string): Promise<void> {
  const old = await containerOf(cluster, service);
  assert.ok(old, `${service} runs`);
  execFileSync('docker', ['kill', old], { stdio: 'ignore' });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const now = await containerOf(cluster, service).catch(() => undefined);
    if (now && now !== old && coverageOf(cluster, service) !== undefined) return;
    assert.ok(Date.now() < deadline, `swarm restarted ${service} within 90 s`);
    await sleep(500);
  }
}

/** The node's live cluster-require-full-coverage, asked through a tunnel (undefined: no answer yet). */
function coverageOf(cluster: string, service: string): string | undefined {
  const index = service.slice(service.lastIndexOf('-') + 1);
  const r = run(['cli', '--cluster', cluster, '--node', index, 'config', 'get', 'cluster-require-full-coverage']);
  const lines = r.out.trim().split('\n');
  return r.code === 0 && lines[0] === 'cluster-require-full-coverage' ? lines[1] : undefined;
}

describe('the cluster mode across task restarts', { timeout: 400_000 }, () => {
  const name = runPrefix('k5m');
  after(async () => {
    await sweep(name);
  });

  it('a restarted task keeps the mode set after deploy; a node that lost its mode file is reported by check and set by heal', async () => {
    await deployFormedCluster(name, { nodes: 3, replicas: 0, mode: 'persistent' });
    const mode = run(['mode', '--cluster', name, 'cache']);
    assert.equal(mode.code, 0, mode.out);

    await restartTask(name, `${name}-1`);
    assert.equal(coverageOf(name, `${name}-1`), 'no', 'the restarted node is still in cache mode, without a heal');
    assert.match(mode.out, /kept for restarts on 3/);

    // As on a fresh volume: no mode file, so the deploy-time (persistent) setting comes back.
    const c2 = await containerOf(name, `${name}-2`);
    execFileSync('docker', ['exec', c2 ?? '', 'bash', '-c', ': > /data/redis-swarm-mode.conf'], { stdio: 'ignore' });
    await restartTask(name, `${name}-2`);
    assert.equal(coverageOf(name, `${name}-2`), 'yes');

    const check = run(['check', '--cluster', name]);
    assert.match(check.out, new RegExp(`${name}-2 still have cluster-require-full-coverage yes, but cluster ${name} is in cache mode`), check.out);

    const heal = run(['heal', '--cluster', name, '--yes']);
    assert.match(heal.out, /cluster-require-full-coverage/, heal.out);
    assert.equal(coverageOf(name, `${name}-2`), 'no', `heal set it:\n${heal.out}`);
    const after = run(['check', '--cluster', name]);
    assert.doesNotMatch(after.out, /still have cluster-require-full-coverage/, after.out);
    const file = execFileSync('docker', ['exec', (await containerOf(name, `${name}-2`)) ?? '', 'cat', '/data/redis-swarm-mode.conf'], { encoding: 'utf8' });
    assert.match(file, /^cluster-require-full-coverage no$/m, 'heal wrote the mode file, so the next restart keeps it');
  });
});
