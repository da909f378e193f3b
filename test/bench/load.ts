/**
 * `load`: what the live load figures cost the nodes. A 6-node loopback cluster (ports
 * 26730-26735, bus 26780-26785) sits idle for a window with nothing polling (the view closed),
 * then for the same window with the LoadPoller reading every node every 2 s (the default, the
 * view or a dashboard open), then every 0.2 s. The nodes' own CPU counters (INFO cpu:
 * used_cpu_user + used_cpu_sys) give the CPU each phase cost them; the difference is the
 * polling's price. Bounded: three windows of WINDOW_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadPoller } from '../../src/core/model/loadPoller';
import { parseInfo } from '../../src/core/model/nodeLoad';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { createWithRedisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 26730;
const WINDOW_MS = 20_000;

async function nodeCpuSeconds(pool: AdminPool, ports: readonly number[]): Promise<number> {
  const infos = await Promise.all(ports.map((port) => pool.command({ host: '127.0.0.1', port }, ['INFO', 'cpu'])));
  return infos.reduce<number>((sum, raw) => {
    const info = parseInfo(String(raw));
    return sum + Number(info.get('used_cpu_user') ?? 0) + Number(info.get('used_cpu_sys') ?? 0);
  }, 0);
}

async function phase(pool: AdminPool, ports: readonly number[], intervalMs: number | undefined): Promise<number> {
  const poller = new LoadPoller();
  const endpoints = ports.map((port) => ({ host: '127.0.0.1', port }));
  const before = await nodeCpuSeconds(pool, ports);
  const started = Date.now();
  let rounds = 0;
  while (Date.now() - started < WINDOW_MS) {
    if (intervalMs !== undefined) {
      await poller.poll(pool, endpoints);
      rounds++;
      await sleep(intervalMs);
    } else {
      await sleep(250);
    }
  }
  const after = await nodeCpuSeconds(pool, ports);
  const perMinuteMs = ((after - before) * 1000 * 60_000) / (Date.now() - started);
  process.stdout.write(
    `  ${intervalMs === undefined ? 'view closed (no polling)   ' : `polling every ${String(intervalMs / 1000).padEnd(4)} s        `}: ` +
      `${perMinuteMs.toFixed(1)} ms of node CPU per minute for ${ports.length} nodes (${rounds} rounds)\n`,
  );
  return perMinuteMs;
}

export async function benchLoad(): Promise<void> {
  const nodes = await startOpsNodes(BASE, 6, BASE + 50);
  const router = new StaticRouter();
  const pool = new AdminPool(router);
  try {
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    const closed = await phase(pool, nodes.ports, undefined);
    const open = await phase(pool, nodes.ports, 2000);
    const fast = await phase(pool, nodes.ports, 200);
    // An idle cluster's own cron and bus pings vary between windows: a difference below zero
    // means the polling cost less than that noise.
    const price = (ms: number): string =>
      ms <= 0 ? `below the idle noise (${ms.toFixed(1)} ms/min)` : `${ms.toFixed(1)} ms CPU per minute over ${nodes.ports.length} nodes, ${((ms / 60_000 / nodes.ports.length) * 100).toFixed(3)}% of one core per node`;
    process.stdout.write(`  polling's price: every 2 s ${price(open - closed)}; every 0.2 s ${price(fast - closed)}\n`);
  } finally {
    await pool.close();
    await router.dispose();
    await nodes.stop();
  }
}
