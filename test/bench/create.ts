/**
 * `create`: time from launching the tool to a fully converged cluster, redis-swarm vs
 * `redis-cli --cluster create --cluster-yes`, for 6 nodes (3+3) and 60 nodes (30+30).
 *
 * Both tools run as a child process on fresh redis-server processes with the same
 * configuration (test/support/loopbackCluster.ts: cluster-node-timeout 5000,
 * repl-diskless-sync-delay 0), and the SAME poller, started right after the launch, decides
 * when the cluster converged: every node says cluster_state:ok, every node holds the same slot
 * map, and every expected replica reports master_link_status:up.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { configSignature, infoField, parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { startRedisNodes } from '../support/loopbackCluster';

/** Ports: ours from 22000, redis-cli's from 22100 (bus ports +10000 stay below 32768). */
const OURS_BASE_PORT = 22000;
const REDIS_CLI_BASE_PORT = 22100;
/** A fresh master cannot say cluster_state:ok in its first 2 s (cluster.c CLUSTER_WRITABLE_DELAY); both tools start after it. */
const SERVER_WARMUP_MS = 2500;
const POLL_MS = 20;
const CONVERGE_TIMEOUT_MS = 120_000;
/** The repository root: benchmarks run from it (`npm run bench`). */
const REPO = process.cwd();

interface RunResult {
  readonly convergedMs: number;
  readonly toolExitMs: number;
  readonly toolExitCode: number | null;
}

export async function benchCreate(): Promise<void> {
  process.stdout.write(
    'Both tools on fresh loopback redis-server 7.0.15 with repl-diskless-sync-delay 0 and cluster-node-timeout 5000;\n' +
      'converged = every node cluster_state:ok, one slot map on all nodes, every replica master_link_status:up\n' +
      '(same poller, every 20 ms, started right after the tool is launched).\n' +
      'redis-swarm lowers cluster-node-timeout (to 1 s) and repl-diskless-sync-delay (to 0) on the nodes while the\n' +
      'cluster forms and gives each node its own values back once it is ready; redis-cli changes no setting.\n',
  );
  for (const { nodes, replicas } of [
    { nodes: 6, replicas: 1 },
    { nodes: 60, replicas: 1 },
  ]) {
    const ours = await measure(OURS_BASE_PORT, nodes, replicas, (eps) => [
      process.execPath,
      [join(REPO, 'bin', 'redis-swarm'), 'create', ...eps, '--replicas', String(replicas), '--yes'],
    ]);
    const cli = await measure(REDIS_CLI_BASE_PORT, nodes, replicas, (eps) => [
      'redis-cli',
      ['--cluster', 'create', ...eps, '--cluster-replicas', String(replicas), '--cluster-yes'],
    ]);
    const ratio = ours.convergedMs / cli.convergedMs;
    process.stdout.write(
      `${nodes} nodes (${nodes / (replicas + 1)} masters, ${nodes - nodes / (replicas + 1)} replicas): ` +
        `redis-swarm ${ours.convergedMs} ms (tool exited at ${ours.toolExitMs} ms, code ${ours.toolExitCode}), ` +
        `redis-cli ${cli.convergedMs} ms (tool exited at ${cli.toolExitMs} ms, code ${cli.toolExitCode}), ` +
        `ratio ${ratio.toFixed(2)} (target <= 0.50) ${ratio <= 0.5 ? 'OK' : 'MISSED'}\n`,
    );
  }
}

async function measure(
  basePort: number,
  count: number,
  replicas: number,
  command: (endpoints: readonly string[]) => [string, string[]],
): Promise<RunResult> {
  const servers = await startRedisNodes(basePort, count);
  try {
    await new Promise((r) => setTimeout(r, SERVER_WARMUP_MS));
    const expectedReplicas = count - Math.floor(count / (replicas + 1)) ;
    const [cmd, args] = command(servers.endpoints);
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ ms: number; code: number | null }>((resolve) =>
      child.once('exit', (code) => resolve({ ms: Date.now() - started, code })),
    );
    const convergedMs = await pollUntilConverged(servers.ports, expectedReplicas, started);
    const exit = await exited;
    if (exit.code !== 0) process.stderr.write(`${cmd} exited with ${exit.code}: ${stderr}\n`);
    return { convergedMs, toolExitMs: exit.ms, toolExitCode: exit.code };
  } finally {
    await servers.stop();
  }
}

/** The shared judge of convergence, identical for both tools. */
async function pollUntilConverged(ports: readonly number[], expectedReplicas: number, started: number): Promise<number> {
  const conns = ports.map(
    (port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0 }),
  );
  for (const c of conns) c.on('error', () => undefined);
  try {
    await Promise.all(conns.map((c) => c.connect()));
    for (;;) {
      const states = await Promise.all(
        conns.map(async (c) => {
          const res = (await c.pipeline().call('CLUSTER', 'NODES').call('CLUSTER', 'INFO').call('INFO', 'replication').exec()) ?? [];
          const text = (i: number): string => String(res[i]?.[1] ?? '');
          return {
            sig: res[0]?.[0] ? '' : configSignature(parseClusterNodes(text(0))),
            ok: infoField(text(1), 'cluster_state') === 'ok',
            replicaUp: infoField(text(2), 'role') === 'slave' && infoField(text(2), 'master_link_status') === 'up',
          };
        }),
      );
      const sig = states[0]?.sig ?? '';
      const converged =
        sig !== '' &&
        states.every((s) => s.ok && s.sig === sig) &&
        states.filter((s) => s.replicaUp).length === expectedReplicas;
      if (converged) return Date.now() - started;
      if (Date.now() - started > CONVERGE_TIMEOUT_MS) throw new Error(`cluster on ${ports[0]}.. did not converge within ${CONVERGE_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    for (const c of conns) c.disconnect();
  }
}
