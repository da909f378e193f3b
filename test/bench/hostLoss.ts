/**
 * `hostloss`: a whole swarm node dies (docker kill of a multi-node bed's node container, which
 * runs a master). Measured from the kill: every slot served again (the dead masters' replicas on
 * other hosts promoted), the lost tasks running again elsewhere, and full redundancy restored
 * (every master with a live replica on another live host), once with heal run by hand (as soon as
 * the swarm runs every task again, the best an operator with a script can do) and once with the
 * watcher running (heal --watch, the VS Code setting). The killed node comes back and the layout
 * is spread again between the two runs.
 *
 * Runs on the bed the multinode tests use (DOCKER_HOST = its manager, RS_MN_PREFIX); without one
 * it brings up its own with scripts/multinode.sh (MN_PREFIX/MN_SUBNET, default rsmnbench on
 * 172.30.88) and removes it at the end.
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { openEngine } from '../../src/core/docker/engine';
import { tokenFromSignal } from '../../src/core/lifecycle';
import { healCluster, type HealSession, openHealSession } from '../../src/core/heal/healCluster';
import { applyMasterMoves, applySpread, planMasterMoves, planSpread } from '../../src/core/heal/spreadHosts';
import { watchCluster } from '../../src/core/heal/watcher';
import { readTopology } from '../../src/core/cluster/readTopology';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { replyText } from '../../src/core/redis/adminConnection';
import { seedEndpoints } from '../../src/core/swarm/discover';
import { joinSwarm } from '../../src/core/swarm/joinTopology';
import { NODE_RESTART_DELAY_S } from '../../src/core/swarm/deploy';
import { cliOk, dockerOn, nodeContainer, sweepBed } from '../support/multinode';
import { runPrefix } from '../support/swarm';

const POLL_MS = 250;
const BOUND_MS = 240_000;
const NODE_TIMEOUT_MS = 2000;

interface Times {
  slots: number;
  tasks: number;
  redundant: number;
}

/** Every slot owned by a master that the survivors do not flag as failed (read from one survivor). */
async function allSlotsServed(session: HealSession, dead: readonly string[]): Promise<boolean> {
  const c = await session.refresh();
  for (const seed of seedEndpoints(c)) {
    try {
      const view = parseClusterNodes(replyText(await session.pool.command(seed, ['CLUSTER', 'NODES'])));
      const owners = view.nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
      if (owners.some((n) => dead.includes(n.id) || n.flags.fail || n.flags.pfail)) return false;
      return owners.reduce((k, m) => k + m.slots.reduce((s, r) => s + r.end - r.start + 1, 0), 0) === 16384;
    } catch {
      // That seed is one of the dead (or moving) nodes: ask the next.
    }
  }
  return false;
}

/** Every master with slots has a replica, linked, on a live host other than its own. */
async function fullyRedundant(session: HealSession, deadHost: string): Promise<boolean> {
  const c = await session.refresh();
  const live = new Set((c.hosts ?? []).filter((h) => h.state === 'ready' && h.hostname !== deadHost).map((h) => h.id));
  const t = joinSwarm(await readTopology(session.router, seedEndpoints(c), { pool: session.pool }), c);
  const linked = new Set(t.views.filter((v) => v.masterLinkStatus === 'up').map((v) => v.view.self.id));
  const alive = t.nodes.filter((n) => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && live.has(n.swarm?.swarmNode ?? ''));
  const masters = alive.filter((n) => n.role === 'master' && n.slots.length > 0);
  if (masters.reduce((k, m) => k + m.slots.reduce((s, r) => s + r.end - r.start + 1, 0), 0) !== 16384) return false;
  return masters.every((m) => alive.some((r) => r.role === 'replica' && r.masterId === m.id && linked.has(r.id) && r.swarm?.swarmNode !== m.swarm?.swarmNode));
}

async function tasksElsewhere(session: HealSession, deadHost: string): Promise<boolean> {
  const c = await session.refresh();
  return c.nodes.every((n) => n.task?.state === 'running' && n.task.ip && n.task.swarmHost !== deadHost);
}

async function waitFor(what: string, started: number, f: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await f().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > BOUND_MS) throw new Error(`${what}: not within ${BOUND_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

function onHost(args: readonly string[]): void {
  execFileSync('docker', [...args], { stdio: 'ignore', env: { ...process.env, DOCKER_HOST: '' } });
}

async function killOne(session: HealSession, name: string, withWatcher: boolean): Promise<Times> {
  const c = await session.refresh();
  const t = joinSwarm(await readTopology(session.router, seedEndpoints(c), { pool: session.pool }), c);
  const i = [2, 3].find((k) => t.nodes.some((n) => n.role === 'master' && n.slots.length > 0 && n.swarm?.swarmHost === nodeContainer(k)));
  if (!i) throw new Error('no worker runs a master');
  const host = nodeContainer(i);
  const deadMasters = t.nodes.filter((n) => n.role === 'master' && n.swarm?.swarmHost === host).map((n) => n.id);
  const stop = new AbortController();
  const watcher = withWatcher
    ? watchCluster(session.engine, name, { graceMs: 30_000, token: tokenFromSignal(stop.signal) })
    : undefined;
  try {
    await sleep(1000);
    const started = Date.now();
    onHost(['kill', host]);
    const slots = await waitFor('every slot served', started, () => allSlotsServed(session, deadMasters));
    const tasks = await waitFor('the tasks running elsewhere', started, () => tasksElsewhere(session, host));
    if (!withWatcher) await healCluster(session, { graceMs: 30_000 });
    const redundant = await waitFor('full redundancy', started, () => fullyRedundant(session, host));
    return { slots, tasks, redundant };
  } finally {
    stop.abort();
    await watcher;
    // The host comes back, and replicas are spread onto it again for the next run.
    onHost(['start', host]);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(1000)) {
      if (dockerOn(1, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']).includes(`${host} Ready`)) break;
    }
    await sleep(3000);
    await applySpread(session, await planSpread(session));
    await healCluster(session, { graceMs: 30_000 });
    // Masters too: a host left with two of the three would stop the cluster when it dies.
    await applyMasterMoves(session, await planMasterMoves(session));
    await waitFor('the layout spread again', Date.now(), () => fullyRedundant(session, ''));
  }
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function withBed(body: () => Promise<void>): Promise<void> {
  if (process.env['RS_MN_PREFIX'] && process.env['DOCKER_HOST']) return body();
  const prefix = process.env['MN_PREFIX'] ?? 'rsmnbench';
  const env = { ...process.env, MN_PREFIX: prefix, MN_SUBNET: process.env['MN_SUBNET'] ?? '172.30.88', MN_HEARTBEAT: process.env['MN_HEARTBEAT'] ?? '2s', DOCKER_HOST: '' };
  execFileSync('bash', ['scripts/multinode.sh', 'up', '--nodes', '3'], { stdio: 'inherit', env });
  process.env['RS_MN_PREFIX'] = prefix;
  process.env['RS_MN_NODES'] = '3';
  process.env['DOCKER_HOST'] = `unix:///run/redis-swarm-${prefix}/1/docker.sock`;
  try {
    await body();
  } finally {
    execFileSync('bash', ['scripts/multinode.sh', 'down'], { stdio: 'inherit', env });
  }
}

export async function benchHostLoss(): Promise<void> {
  await withBed(async () => {
    const name = runPrefix('loss');
    try {
      await cliOk(['deploy', '--name', name, '--network', `${name}-net`, '--nodes', '6', '--replicas', '1',
        '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', String(NODE_TIMEOUT_MS)]);
      await cliOk(['create', '--cluster', name, '--yes'], { boundMs: 300_000 });
      const heartbeat = dockerOn(1, ['info', '--format', '{{.Swarm.Cluster.Spec.Dispatcher.HeartbeatPeriod}}']);
      const session = await openHealSession(openEngine({ env: process.env }), name);
      try {
        await waitFor('the formed cluster fully redundant', Date.now(), () => fullyRedundant(session, ''));
        process.stdout.write(
          `3 swarm nodes (1 manager + 2 workers), 6 Redis nodes (3 masters + 3 replicas, one per host at least), cluster-node-timeout ${NODE_TIMEOUT_MS} ms,\n` +
            `swarm dispatcher heartbeat ${/^\d+$/.test(heartbeat) ? `${Number(heartbeat) / 1e9}s` : heartbeat} (a node is marked Down after a few missed heartbeats), task restart delay ${NODE_RESTART_DELAY_S} s, ` +
            `watcher interval 5 s; a worker running a master is killed; times from the kill.\n`,
        );
        const manual = await killOne(session, name, false);
        const watched = await killOne(session, name, true);
        const row = (label: string, m: number, w: number): string => `${label.padEnd(34)} ${s(m).padStart(9)} ${s(w).padStart(9)}   ${(w / m).toFixed(2)}\n`;
        process.stdout.write(`${''.padEnd(34)} ${'by hand'.padStart(9)} ${'watcher'.padStart(9)}   watcher/by hand\n`);
        process.stdout.write(row('every slot served again', manual.slots, watched.slots));
        process.stdout.write(row('lost tasks running elsewhere', manual.tasks, watched.tasks));
        process.stdout.write(row('full redundancy restored', manual.redundant, watched.redundant));
        process.stdout.write(`(by hand: heal started the moment the swarm ran every task again, ${s(manual.tasks)} after the kill.)\n`);
      } finally {
        await session.dispose();
      }
    } finally {
      await sweepBed(name);
    }
  });
}
