/**
 * `upgrade`: a rolling upgrade of a 6-node cluster (3 masters + 3 replicas) holding many keys,
 * under an application's traffic (ioredis Cluster writer and reader through published ports),
 * by redis-swarm's `upgrade` and by the naive way (`docker service update --image` of every
 * service, one after the other, as the docker CLI does it: each waits for its new task). Prints
 * total time, the client's worst latency, failed writes and acknowledged writes lost, side by
 * side with the ratio. Keys: REDIS_SWARM_BENCH_KEYS (default 1,000,000, the figure).
 * The second image is the local test image under another tag (no registry here): for swarm a
 * new task spec, which is what both ways act on.
 */
import { execFileSync, spawn } from 'node:child_process';
import { type Cluster } from 'ioredis';
import { checkCluster } from '../../src/core/cluster/check';
import { readTopology } from '../../src/core/cluster/readTopology';
import { upgradeCluster } from '../../src/core/rolling/rollOps';
import { openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { seedEndpoints } from '../../src/core/swarm/discover';
import { adminPoolFor } from '../../src/core/swarm/formCluster';
import { joinSwarm } from '../../src/core/swarm/joinTopology';
import { clusterClient, startTraffic, type TrafficStats } from '../support/rollingTraffic';
import { verifyAcked } from '../support/opsWriter';
import { TEST_IMAGE, deployFormedCluster, runPrefix, sweep } from '../support/swarm';

const PUBLISH_BASE = 26240;
const KEYS = Number(process.env['REDIS_SWARM_BENCH_KEYS'] ?? 1_000_000);
const env = { ...process.env, DOCKER_HOST: '' };

interface Outcome {
  readonly ms: number;
  readonly stats: TrafficStats;
  readonly lost: number;
}

/** Keys in groups of 100 sharing a hash tag (one MSET each, one slot per group), 50 MSETs in flight. */
async function load(c: Cluster, keys: number): Promise<void> {
  const group = 100;
  const inFlight = 50;
  for (let i = 0; i < keys; i += group * inFlight) {
    const sets: Promise<unknown>[] = [];
    for (let g = i; g < Math.min(keys, i + group * inFlight); g += group) {
      const args: string[] = [];
      for (let j = g; j < Math.min(keys, g + group); j++) args.push(`bench:{${g / group}}:${j}`, `value-${j}`);
      sets.push(c.mset(...args));
    }
    await Promise.all(sets);
  }
}

async function waitHealthy(name: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const access = await openClusterAccess(name, { env });
    const pool = adminPoolFor(access);
    try {
      const t = joinSwarm(await readTopology(access.router, seedEndpoints(access.cluster), { pool }), access.cluster);
      if (checkCluster(t).ok && t.views.length === 6) return;
    } catch {
      // Still settling.
    } finally {
      await pool.close();
      await access.dispose();
    }
    if (Date.now() > deadline) throw new Error(`cluster ${name} did not settle within 300 s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function checkErrors(name: string): Promise<string> {
  const access = await openClusterAccess(name, { env });
  const pool = adminPoolFor(access);
  try {
    const report = checkCluster(joinSwarm(await readTopology(access.router, seedEndpoints(access.cluster), { pool }), access.cluster));
    const errors = report.findings.filter((f) => f.severity === 'error');
    return errors.length === 0 ? 'clean' : `${errors.length} error(s), e.g. ${errors[0]?.message ?? ''}`;
  } finally {
    await pool.close();
    await access.dispose();
  }
}

async function measure(c: Cluster, what: string, op: () => Promise<void>): Promise<Outcome> {
  const traffic = startTraffic(c, { keys: 5000, prefix: `traffic-${what}` });
  const started = Date.now();
  try {
    await op();
  } catch (err) {
    await traffic.stop();
    throw err;
  }
  const ms = Date.now() - started;
  const stats = await traffic.stop();
  return { ms, stats, lost: (await verifyAcked(c, traffic.acked)).length };
}

function dockerUpdate(service: string, image: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('docker', ['service', 'update', '--quiet', '--image', image, service], { stdio: 'ignore' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker service update ${service} exited ${code}`))));
  });
}

export async function benchUpgrade(): Promise<void> {
  const name = runPrefix('rollb');
  const next = `redis-swarm/redis:${name}`;
  const names = Array.from({ length: 6 }, (_, i) => `${name}-${i + 1}`);
  execFileSync('docker', ['tag', TEST_IMAGE, next]);
  try {
    await deployFormedCluster(name, { nodes: 6, replicas: 1, publishBase: PUBLISH_BASE });
    const c = clusterClient(names, 6379, PUBLISH_BASE);
    try {
      await waitHealthy(name);
      const t0 = Date.now();
      await load(c, KEYS);
      process.stdout.write(`6 nodes (3 masters + 3 replicas), cluster-node-timeout 2000, appendonly yes; ${KEYS} keys loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
      await waitHealthy(name);

      const ours = await measure(c, 'ours', async () => {
        const access = await openClusterAccess(name, { env });
        const pool = adminPoolFor(access);
        try {
          await upgradeCluster(access, pool, next);
        } finally {
          await pool.close();
          await access.dispose();
        }
      });
      await waitHealthy(name);
      // The naive way, back to the first image: every service updated in turn, waiting for each.
      const naive = await measure(c, 'naive', async () => {
        for (const s of names) await dockerUpdate(s, TEST_IMAGE);
      });

      const row = (label: string, a: string, b: string, ratio: string): string => `${label.padEnd(28)}${a.padEnd(22)}${b.padEnd(30)}${ratio}\n`;
      const ratio = (a: number, b: number): string => (b === 0 ? '-' : `${(a / b).toFixed(2)}x`);
      process.stdout.write(row('', 'redis-swarm upgrade', 'naive docker service update', 'ratio'));
      process.stdout.write(row('total time', `${(ours.ms / 1000).toFixed(1)} s`, `${(naive.ms / 1000).toFixed(1)} s`, ratio(ours.ms, naive.ms)));
      process.stdout.write(row('client worst latency', `${ours.stats.longestPauseMs} ms`, `${naive.stats.longestPauseMs} ms`, ratio(ours.stats.longestPauseMs, naive.stats.longestPauseMs)));
      process.stdout.write(row('writes (failed)', `${ours.stats.writes} (${ours.stats.failedWrites.length})`, `${naive.stats.writes} (${naive.stats.failedWrites.length})`, ''));
      process.stdout.write(row('reads (failed)', `${ours.stats.reads} (${ours.stats.failedReads.length})`, `${naive.stats.reads} (${naive.stats.failedReads.length})`, ''));
      process.stdout.write(row('acknowledged writes lost', `${ours.lost}`, `${naive.lost}`, ''));
      if (naive.stats.failedWrites.length > 0) process.stdout.write(`naive: first failed write: ${naive.stats.failedWrites[0]}\n`);
      // What the naive way leaves behind: restarted nodes that do not know their own new address
      // (Redis learns it only from a MEET) until `heal` (or a roll's MEET) tells them.
      await new Promise((r) => setTimeout(r, 10_000));
      process.stdout.write(`check after the naive update: ${await checkErrors(name)}\n`);
    } finally {
      c.disconnect();
    }
  } finally {
    await sweep(name);
    execFileSync('docker', ['rmi', next], { stdio: 'ignore' });
  }
}
