/**
 * The multi-node test bed as the `multinode` layer sees it (scripts/test.sh brings it up and
 * sets DOCKER_HOST to its manager's engine, RS_MN_PREFIX and RS_MN_NODES). The product under
 * test connects to the manager only; the tests themselves may use each node's own engine (the
 * bed's unix sockets) for oracles and clean-up, and the nodes' addresses on the bed's
 * `--internal` bridge for published ports.
 */
import { execFileSync } from 'node:child_process';
import { openEngine, type Engine } from '../../src/core/docker/engine';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { ensureRelayContainer } from '../../src/core/swarm/relayService';
import { openTunnel, type Tunnel } from '../../src/core/swarm/tunnel';
import { runProcess, type Run } from './runProcess';
import { sweep } from './swarm';

export interface Bed {
  readonly prefix: string;
  readonly nodes: number;
  /** DOCKER_HOST of the manager's engine. */
  readonly managerHost: string;
}

export function bed(): Bed {
  const prefix = process.env['RS_MN_PREFIX'];
  const managerHost = process.env['DOCKER_HOST'];
  if (!prefix || !managerHost) {
    throw new Error('the multinode tests run on the bed scripts/test.sh multinode brings up (RS_MN_PREFIX and DOCKER_HOST unset)');
  }
  return { prefix, nodes: Number(process.env['RS_MN_NODES'] ?? 3), managerHost };
}

/**
 * A 172.30.x prefix (x in [low, high]) that no network of the host's engine uses, for a bed of a
 * test's own (scripts/test.sh picks the multinode layer's the same way, from 120-219): two runs,
 * or two beds of one run, never share a subnet. Starts at a random place so runs starting
 * together are unlikely to pick the same one.
 */
export function freeBedSubnet(low: number, high: number): string {
  const ids = execFileSync('docker', ['network', 'ls', '-q'], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '', DOCKER_CONTEXT: '' } }).split('\n').filter(Boolean);
  const used = execFileSync('docker', ['network', 'inspect', ...ids, '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}'], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: '', DOCKER_CONTEXT: '' },
  });
  const span = high - low + 1;
  const start = Math.floor(Math.random() * span);
  for (let n = 0; n < span; n++) {
    const third = low + ((start + n) % span);
    if (!new RegExp(`(^|\\s)172\\.30\\.${third}\\.`).test(used)) return `172.30.${third}`;
  }
  throw new Error(`no free 172.30.x.0/24 with x in ${low}-${high} for a test bed`);
}

/** The engine of node i (1 = the manager), through the bed's socket. */
export function nodeHost(i: number): string {
  return `unix:///run/redis-swarm-${bed().prefix}/${i}/docker.sock`;
}

export function managerEngine(): Engine {
  return openEngine({ env: { ...process.env, DOCKER_HOST: bed().managerHost } });
}

/** The docker CLI on node i's engine (or the manager's when i is 1). */
export function dockerOn(i: number, args: readonly string[], input?: string): string {
  return execFileSync('docker', [...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: nodeHost(i) },
    ...(input !== undefined ? { input } : {}),
    stdio: [input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The bed's node container of node i on the host's engine (for `docker kill` / `docker start`). */
export function nodeContainer(i: number): string {
  return `${bed().prefix}-${i}`;
}

/** The address of node i on the bed's internal bridge (where its published ports answer). */
export function nodeAddress(i: number): string {
  return execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', nodeContainer(i)], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: '' },
  }).trim();
}

/** Runs the real CLI (dist/cli.js) against the manager, bounded. */
export function cli(args: readonly string[], options: { boundMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return runProcess(process.execPath, ['bin/redis-swarm', ...args], {
    boundMs: options.boundMs ?? 180_000,
    env: { ...process.env, DOCKER_HOST: bed().managerHost, ...options.env },
  });
}

/** Runs the CLI and fails with its output unless it exits 0. */
export async function cliOk(args: readonly string[], options: { boundMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const run = await cli(args, options);
  if (run.status !== 0) throw new Error(`redis-swarm ${args.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Node i's swarm node ID. */
export function swarmNodeId(i: number): string {
  return dockerOn(i, ['info', '--format', '{{.Swarm.NodeID}}']);
}

/**
 * Removes everything named with the prefix: the swarm objects through the manager (test/support
 * sweep), then each node's leftover volumes and containers through that node's own engine.
 */
export async function sweepBed(prefix: string): Promise<void> {
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = bed().managerHost;
  try {
    await sweep(prefix);
  } finally {
    process.env['DOCKER_HOST'] = saved;
  }
  for (let i = 1; i <= bed().nodes; i++) {
    try {
      // A node that was killed and started again keeps its old task containers for a while.
      const containers = dockerOn(i, ['ps', '-aq', '--filter', `name=^${prefix}`]).split('\n').filter(Boolean);
      if (containers.length > 0) dockerOn(i, ['rm', '-f', '-v', ...containers]);
      const vols = dockerOn(i, ['volume', 'ls', '-q']).split('\n').filter((v) => v.startsWith(prefix) || /^[0-9a-f]{64}$/.test(v));
      for (const v of vols) {
        try {
          dockerOn(i, ['volume', 'rm', v]);
        } catch {
          // In use by a container of another test, or already gone.
        }
      }
    } catch {
      // The node is down (a test killed it): the bed's teardown removes its volumes.
    }
  }
}

/** Volumes with the prefix on node i. */
export function volumesOn(i: number, prefix: string): string[] {
  return dockerOn(i, ['volume', 'ls', '-q']).split('\n').filter((v) => v.startsWith(prefix));
}

/**
 * Waits (bounded) until every bed node's engine answers and the manager sees every node Ready,
 * e.g. after a `docker start` (the manager may still call a just-killed node Ready).
 */
export async function waitNodesReady(boundMs = 90_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    let ready = 0;
    try {
      for (let i = 1; i <= bed().nodes; i++) dockerOn(i, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
      ready = dockerOn(1, ['node', 'ls', '--format', '{{.Status}}']).split('\n').filter((s) => s === 'Ready').length;
    } catch {
      // A node's engine is still starting; ask again.
    }
    if (ready >= bed().nodes) return;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${bed().nodes} bed nodes were Ready after ${boundMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A local port per node of the cluster, through the manager's engine only, that follows each
 * service through a roll: every connection execs into the cluster's relay on the manager and
 * dials the service's name on the overlay network, which resolves to its current task (a
 * tunnel to a task's container would die with the task). What an application on the operator's
 * machine would use when it can reach only the manager.
 */
export async function serviceForwards(cluster: string): Promise<{ ports: Map<string, number>; close(): Promise<void> }> {
  const engine = managerEngine();
  const found = await findSwarmCluster(engine.docker, cluster);
  const relay = await ensureRelayContainer(engine.docker, found, swarmNodeId(1));
  const tunnels: Tunnel[] = [];
  const ports = new Map<string, number>();
  const close = async (): Promise<void> => {
    await Promise.all(tunnels.map((t) => t.close()));
  };
  try {
    for (const node of found.nodes) {
      const t = await openTunnel(engine.docker, relay, node.port, { host: node.service });
      tunnels.push(t);
      ports.set(`${node.service}:${node.port}`, t.local.port);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { ports, close };
}

/** The cluster's node services (`<prefix>-<n>`), as the manager lists them. */
export function services(prefix: string): string[] {
  return dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((s) => new RegExp(`^${prefix}-\\d+$`).test(s));
}

/** The swarm node (hostname) each node service's running task is on, as the manager says. */
export function placement(prefix: string): Map<string, string> {
  const out = dockerOn(1, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Name}} {{.Node}}', ...services(prefix)]);
  return new Map(
    out.split('\n').map((l) => {
      const [task, node] = l.split(' ');
      return [(task ?? '').replace(/\.\d+$/, ''), node ?? ''];
    }),
  );
}
