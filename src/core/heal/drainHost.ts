/**
 * `drain-host`: takes a swarm node out of service without a refused write. Draining a node the
 * plain way (`docker node update --availability drain`) kills its tasks: a master there stops,
 * and its slots refuse writes until a replica elsewhere is promoted (cluster-node-timeout plus
 * an election). Here every master on the node is first failed over, coordinated (CLUSTER
 * FAILOVER without FORCE: the master holds its clients while the replica catches up, then the
 * replica takes over and the clients are redirected), to a replica on a usable node elsewhere;
 * only replicas are left on the node when the swarm moves its tasks. Then the drain, a wait for
 * the moved tasks to run elsewhere (empty, at new IPs), and heal to make them replicas again.
 * `activateHost` undoes the drain; heal --spread-hosts then moves replicas back onto the node.
 */
import type Docker from 'dockerode';
import { BadInputError } from '../errors';
import { type CancellationToken, type Logger, neverCancelled, nullLogger, pollUntil, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { SETTLE_TIMEOUT_MS } from '../ops/opsTopology';
import { readTopology } from '../cluster/readTopology';
import { type ClusterNode } from '../cluster/topology';
import { formatEndpoint } from '../routes/endpoint';
import { failover } from '../ops/failover';
import { seedEndpoints } from '../swarm/discover';
import { joinSwarm } from '../swarm/joinTopology';
import { hostTrouble, listSwarmHosts, type SwarmHost, type SwarmHostAvailability } from '../swarm/swarmHosts';
import { type HealResult, type HealSession, healCluster } from './healCluster';

/** How long the swarm may take to run the drained node's tasks elsewhere (ms). */
export const DRAIN_MOVE_TIMEOUT_MS = 120_000;

/** One master to fail over before the drain, and the replica that takes over. */
export interface DrainFailover {
  readonly master: ClusterNode;
  readonly replica: ClusterNode;
}

export interface DrainPlan {
  readonly host: SwarmHost;
  readonly failovers: readonly DrainFailover[];
  /** The cluster's services whose tasks run on the host (they move). */
  readonly moving: readonly string[];
  /** Why the drain cannot be done without refusing writes; nothing is changed when not empty. */
  readonly blockers: readonly string[];
}

export interface DrainResult {
  readonly plan: DrainPlan;
  readonly heal: HealResult;
}

/** The swarm node named by hostname (or ID); a BadInputError naming the known ones otherwise. */
export async function findSwarmHost(docker: Docker, name: string): Promise<SwarmHost> {
  const hosts = await listSwarmHosts(docker);
  const host = hosts.find((h) => h.hostname === name) ?? hosts.find((h) => h.id === name || h.id.startsWith(name));
  if (!host) throw new BadInputError(`No swarm node is named ${name}; the swarm has ${hosts.map((h) => h.hostname).join(', ') || 'no node this engine can list (connect to a manager)'}.`);
  return host;
}

const label = (n: ClusterNode): string => `${n.swarm?.service ?? formatEndpoint(n.endpoint)} (${n.id.slice(0, 8)})`;

/**
 * What the drain would do: the failovers first, the services that move; nothing is changed.
 * A plan with blockers is made again (bounded by `settleMs`) before it is returned: right after
 * a heal or a failover, a node read late or a replica still syncing looks like a master without
 * a replica elsewhere for a few seconds, and refusing then would be wrong.
 */
export async function planDrain(session: HealSession, hostName: string, options: { settleMs?: number; token?: CancellationToken } = {}): Promise<DrainPlan> {
  const host = await findSwarmHost(session.engine.docker, hostName);
  const deadline = Date.now() + (options.settleMs ?? SETTLE_TIMEOUT_MS);
  for (;;) {
    const plan = await planDrainOnce(session, host);
    if (plan.blockers.length === 0 || Date.now() >= deadline || options.token?.isCancellationRequested) return plan;
    await sleep(SETTLE_POLL_MS, options.token);
  }
}

const SETTLE_POLL_MS = 1000;

async function planDrainOnce(session: HealSession, host: SwarmHost): Promise<DrainPlan> {
  const cluster = await session.refresh();
  const usable = new Set((cluster.hosts ?? []).filter((h) => hostTrouble(h) === undefined && h.id !== host.id).map((h) => h.id));
  const topology = joinSwarm(await readTopology(session.router, seedEndpoints(cluster), { pool: session.pool }), cluster);
  const alive = topology.nodes.filter((n) => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && !n.flags.noaddr);
  const failovers: DrainFailover[] = [];
  const blockers: string[] = [];
  for (const m of alive.filter((n) => n.role === 'master' && n.slots.length > 0 && n.swarm?.swarmNode === host.id)) {
    const replica = alive.find((r) => r.role === 'replica' && r.masterId === m.id && usable.has(r.swarm?.swarmNode ?? ''));
    if (replica) failovers.push({ master: m, replica });
    else blockers.push(`master ${label(m)} has no replica on another usable swarm node to take over; run heal (or add-node) first`);
  }
  if (usable.size === 0) blockers.push(`no other swarm node can take the tasks of ${host.hostname}`);
  // A master already down elsewhere may have its only replica on this node: the drain would take it.
  const down = topology.nodes.filter((n) => n.role === 'master' && n.slots.length > 0 && (n.flags.fail || n.flags.pfail));
  if (down.length > 0) blockers.push(`master ${down.map(label).join(', ')} is down; run heal until check finds no error first`);
  const moving = cluster.nodes.filter((n) => n.task?.state === 'running' && n.task.swarmNode === host.id).map((n) => n.service);
  return { host, failovers, moving, blockers };
}

/** Sets a swarm node's availability (drain, active), as `docker node update --availability` does. */
export async function setHostAvailability(docker: Docker, host: SwarmHost, availability: SwarmHostAvailability): Promise<void> {
  const node = docker.getNode(host.id);
  const info = (await node.inspect()) as { Version?: { Index?: number }; Spec?: Record<string, unknown> };
  await node.update({ version: info.Version?.Index, ...info.Spec, Availability: availability });
}

/**
 * Fails the masters over, drains the node, waits for its tasks to run elsewhere and heals. Refuses
 * (BadInputError, nothing changed) when a master on the node has no replica elsewhere.
 */
export async function drainHost(
  session: HealSession,
  plan: DrainPlan,
  options: { graceMs: number; token?: CancellationToken; logger?: Logger; progress?: ProgressReporter },
): Promise<DrainResult> {
  const token = options.token ?? neverCancelled;
  const logger = options.logger ?? nullLogger;
  const progress = options.progress ?? silentProgress;
  if (plan.blockers.length > 0) throw new BadInputError(`Not draining ${plan.host.hostname}: ${plan.blockers.join('; ')}.`);
  for (const f of plan.failovers) {
    progress.report({ message: `failing ${label(f.master)} over to ${label(f.replica)}` });
    logger.info(`drain ${plan.host.hostname}: failing master ${label(f.master)} over to ${label(f.replica)} on ${f.replica.swarm?.swarmHost ?? '?'}`);
    await failover(session.pool, f.replica.endpoint, { mode: 'default', token, progress });
  }
  progress.report({ message: `draining ${plan.host.hostname}` });
  await setHostAvailability(session.engine.docker, plan.host, 'drain');
  await pollUntil(
    async () => {
      const c = await session.refresh();
      const left = c.nodes.filter((n) => n.task?.swarmNode === plan.host.id && n.task.state === 'running').map((n) => n.service);
      const waiting = c.nodes.filter((n) => n.task?.state !== 'running' || !n.task.ip).map((n) => n.service);
      return left.length > 0 ? `${left.join(', ')} still on ${plan.host.hostname}` : waiting.length > 0 ? `${waiting.join(', ')} not running yet` : undefined;
    },
    {
      deadline: Date.now() + DRAIN_MOVE_TIMEOUT_MS,
      intervalMs: 500,
      token,
      timeout: (missing) => `The swarm did not move the tasks off ${plan.host.hostname} within ${DRAIN_MOVE_TIMEOUT_MS / 1000} s (${missing}); it stays drained, run heal once they run.`,
      cancelled: `Draining ${plan.host.hostname} was cancelled; it stays drained.`,
    },
  );
  progress.report({ message: 'healing' });
  const heal = await healCluster(session, { graceMs: options.graceMs, token, logger, progress });
  return { plan, heal };
}
