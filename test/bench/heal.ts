/**
 * `heal`: time from "all tasks running again" to cluster_state:ok on every node (and every node
 * agreeing on the slot map), on a 6-node cluster on the local swarm reached through Docker API
 * tunnels: once after one node's container is killed and restarted at a new IP, once after every
 * node's container is killed at once (all IPs change; nodes.conf kept on the volumes). No
 * reference tool does this (redis-cli has no heal), so only our numbers are printed.
 */
import { execFileSync } from 'node:child_process';
import { healCluster, type HealSession, lookAtCluster, openHealSession } from '../../src/core/heal/healCluster';
import { deployFormedCluster, localEngine, runPrefix, sweep } from '../support/swarm';

const TASKS_TIMEOUT_MS = 90_000;

async function tasksReplaced(session: HealSession, old: readonly string[]): Promise<void> {
  const deadline = Date.now() + TASKS_TIMEOUT_MS;
  for (;;) {
    const c = await session.refresh();
    if (c.nodes.every((n) => n.task?.state === 'running' && n.task.ip && n.task.containerId && !old.includes(n.task.containerId))) return;
    if (Date.now() > deadline) throw new Error('the swarm did not restart the tasks in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(session: HealSession, victims: 'one' | 'all'): Promise<{ ms: number; actions: number }> {
  const c = await session.refresh();
  const nodes = victims === 'one' ? c.nodes.slice(0, 1) : c.nodes;
  const containers = nodes.map((n) => n.task?.containerId ?? '');
  execFileSync('docker', ['kill', ...containers], { stdio: 'ignore' });
  await tasksReplaced(session, containers);
  const started = Date.now();
  const r = await healCluster(session, { graceMs: 30_000, timeoutMs: 120_000 });
  // Heal returns when the nodes agree and say ok; confirm on every node.
  for (;;) {
    const { diagnosis } = await lookAtCluster(session, { graceMs: 30_000 });
    if (diagnosis.healthy) break;
    if (Date.now() - started > 120_000) throw new Error(`not ok after heal: ${JSON.stringify(diagnosis.problems)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  return { ms: Date.now() - started, actions: r.applied };
}

export async function benchHeal(): Promise<void> {
  const name = runPrefix('b');
  try {
    await deployFormedCluster(name);
    const session = await openHealSession(localEngine(), name);
    try {
      process.stdout.write('6 nodes (3 masters + 3 replicas), cluster-node-timeout 2000, reached through Docker API tunnels.\n');
      const one = await measure(session, 'one');
      process.stdout.write(`one node at a new IP:   ${one.ms} ms from all tasks running to cluster_state:ok on every node (${one.actions} heal action(s))\n`);
      const all = await measure(session, 'all');
      process.stdout.write(`every node at a new IP: ${all.ms} ms from all tasks running to cluster_state:ok on every node (${all.actions} heal action(s))\n`);
    } finally {
      await session.dispose();
    }
  } finally {
    await sweep(name);
  }
}
