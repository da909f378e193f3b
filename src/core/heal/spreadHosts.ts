/**
 * `heal --spread-hosts`: moves replicas onto usable swarm nodes that run nothing of the cluster
 * (a host that came back, or was activated after a drain), one per empty host, by restarting
 * their service's task (a forced update). The swarm's scheduler puts the new task on the node
 * with the fewest tasks, which is the empty one; no constraint is added, so the swarm stays free
 * to move the node again when a host fails. The moved replica comes back empty at a new IP; the
 * heal that follows introduces it again (as a replica of a master on another host). Then the
 * masters: a host with two more masters than another hands one to its replica there (a
 * coordinated failover), so no host's loss leaves too few masters to elect replicas.
 */
import { type CancellationToken, type Logger, neverCancelled, nullLogger, pollUntil } from '../lifecycle';
import { readTopology } from '../cluster/readTopology';
import { type MasterMove, planHostSpread, planMasterSpread, type SpreadMove } from '../cluster/hostSpread';
import { type ClusterNode } from '../cluster/topology';
import { failover } from '../ops/failover';
import { type SwarmHost } from '../swarm/swarmHosts';
import { seedEndpoints } from '../swarm/discover';
import { joinSwarm } from '../swarm/joinTopology';
import { type HealSession } from './healCluster';

/** How long a moved replica's task may take to run again (ms). */
export const SPREAD_TASK_TIMEOUT_MS = 90_000;

export interface SpreadResult {
  readonly move: SpreadMove;
  /** Where the swarm put the task (the scheduler decides; usually `move.toHost`). */
  readonly landedOn: string;
}

async function aliveNodes(session: HealSession): Promise<{ alive: ClusterNode[]; hosts: readonly SwarmHost[] }> {
  const cluster = await session.refresh();
  const topology = joinSwarm(await readTopology(session.router, seedEndpoints(cluster), { pool: session.pool }), cluster);
  return { alive: topology.nodes.filter((n) => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && !n.flags.noaddr), hosts: cluster.hosts ?? [] };
}

/** The replica moves heal --spread-hosts would make now (nothing is changed). */
export async function planSpread(session: HealSession): Promise<SpreadMove[]> {
  const { alive, hosts } = await aliveNodes(session);
  return planHostSpread(alive, hosts);
}

/** The master failovers heal --spread-hosts would make now (after the replicas moved and heal ran). */
export async function planMasterMoves(session: HealSession): Promise<MasterMove[]> {
  const { alive, hosts } = await aliveNodes(session);
  return planMasterSpread(alive, hosts);
}

/** Hands each master to its replica on the emptier host, coordinated (no write lost), one at a time. */
export async function applyMasterMoves(session: HealSession, moves: readonly MasterMove[], options: { token?: CancellationToken; logger?: Logger } = {}): Promise<void> {
  for (const move of moves) {
    const { alive } = await aliveNodes(session);
    const replica = alive.find((n) => n.id === move.replicaId);
    if (!replica || replica.masterId !== move.masterId) {
      (options.logger ?? nullLogger).warn(`not failing ${move.master} over to ${move.replica}: it no longer replicates that master`);
      continue;
    }
    (options.logger ?? nullLogger).info(`failing master ${move.master} on ${move.fromHost} over to ${move.replica} on ${move.toHost}`);
    await failover(session.pool, replica.endpoint, { mode: 'default', ...(options.token ? { token: options.token } : {}) });
  }
}

/** Applies the moves one at a time, each waited for until its new task runs. */
export async function applySpread(
  session: HealSession,
  moves: readonly SpreadMove[],
  options: { token?: CancellationToken; logger?: Logger } = {},
): Promise<SpreadResult[]> {
  const logger = options.logger ?? nullLogger;
  const token = options.token ?? neverCancelled;
  const done: SpreadResult[] = [];
  for (const move of moves) {
    const before = (await session.refresh()).nodes.find((n) => n.service === move.service)?.task?.id;
    const service = session.engine.docker.getService(move.service);
    const info = (await service.inspect()) as { Version?: { Index?: number }; Spec: { TaskTemplate?: { ForceUpdate?: number } } };
    const spec = info.Spec;
    logger.info(`moving replica ${move.service} off ${move.fromHost} (expected on ${move.toHost})`);
    await service.update({ version: info.Version?.Index, ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 } });
    let landedOn = '';
    await pollUntil(
      async () => {
        const node = (await session.refresh()).nodes.find((n) => n.service === move.service);
        const t = node?.task;
        if (t && t.id !== before && t.state === 'running' && t.ip) {
          landedOn = t.swarmHost ?? t.swarmNode ?? '';
          return undefined;
        }
        return `${move.service}'s new task is ${t?.state ?? 'not there'}`;
      },
      {
        deadline: Date.now() + SPREAD_TASK_TIMEOUT_MS,
        intervalMs: 500,
        token,
        timeout: (missing) => `The swarm did not run ${move.service} again within ${SPREAD_TASK_TIMEOUT_MS / 1000} s: ${missing}.`,
        cancelled: 'Spreading the replicas over the hosts was cancelled.',
      },
    );
    done.push({ move, landedOn });
  }
  return done;
}
