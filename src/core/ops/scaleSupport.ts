/**
 * What scale out and scale in share: the swarm router that must learn about a new task, a
 * fresh read of the cluster joined with Docker's view, CLUSTER FORGET on every node at once,
 * and bounded waits until the nodes agree (the "check" after acting, as redis-cli's cluster
 * manager does).
 */
import { checkCluster, type Finding } from '../cluster/check';
import { readTopology } from '../cluster/readTopology';
import { type ClusterNode, type ClusterTopology } from '../cluster/topology';
import { type Engine } from '../docker/engine';
import { BadInputError, describeError } from '../errors';
import { type CancellationToken, type Logger, pollUntil, type ProgressReporter } from '../lifecycle';
import { type AdminPool } from '../redis/adminConnection';
import { type Router } from '../routes/router';
import { type DiscoverOptions, type SwarmCluster, findSwarmCluster, seedEndpoints } from '../swarm/discover';
import { joinSwarm } from '../swarm/joinTopology';
import { type MoveProgressListener, type MoveSettings } from './mover';

/** How often the waits below ask the nodes again (ms). */
export const SCALE_POLL_MS = 250;
/** How long the nodes may take to agree after a change (ms): gossip with node-timeout 5 s settles well within. */
export const SCALE_SETTLE_TIMEOUT_MS = 30_000;

/** Everything a scale operation runs with; the CLI and the extension fill it. */
export interface ScaleContext {
  readonly engine: Engine;
  /** The cluster's router: a swarm router, which must learn about a new node's task. */
  readonly router: Router;
  readonly pool: AdminPool;
  readonly settings?: Partial<MoveSettings>;
  readonly progress?: ProgressReporter;
  readonly token?: CancellationToken;
  readonly logger?: Logger;
  /** The slot mover's counters while slots move (steps go to `progress`). */
  readonly onProgress?: MoveProgressListener;
  /** How the cluster is found again (the services the user named). */
  readonly discover?: DiscoverOptions;
}

/** A router that takes fresh discoveries (SwarmRouter): a new task must become routable. */
export interface SwarmRoutes extends Router {
  update(cluster: SwarmCluster): void;
}

export function isSwarmRoutes(r: Router): r is SwarmRoutes {
  return typeof (r as Partial<SwarmRoutes>).update === 'function';
}

export function requireSwarmRoutes(r: Router): SwarmRoutes {
  if (!isSwarmRoutes(r)) throw new BadInputError('Adding and removing nodes needs a cluster on the swarm (--cluster NAME), not host:port nodes.');
  return r;
}

export interface FreshRead {
  readonly cluster: SwarmCluster;
  readonly topology: ClusterTopology;
}

/** Discovers the cluster again, tells the router, and reads every node's view joined with Docker's. */
export async function readFresh(ctx: ScaleContext, clusterName: string): Promise<FreshRead> {
  const cluster = await findSwarmCluster(ctx.engine.docker, clusterName, ctx.discover ?? {});
  requireSwarmRoutes(ctx.router).update(cluster);
  const seeds = seedEndpoints(cluster);
  const topology = joinSwarm(await readTopology(ctx.router, seeds, { pool: ctx.pool }), cluster);
  return { cluster, topology };
}

/**
 * CLUSTER FORGET on every given node at once. Each node bans the ID for 60 s (cluster.c
 * CLUSTER_BLACKLIST_TTL); sent together, no node can gossip the forgotten one back to another
 * that already forgot it. Returns the nodes that refused or could not be asked.
 */
export async function forgetEverywhere(pool: AdminPool, nodes: readonly ClusterNode[], id: string): Promise<{ node: ClusterNode; error: string }[]> {
  const results = await Promise.all(
    nodes.map(async (n) => {
      try {
        await pool.command(n.endpoint, ['CLUSTER', 'FORGET', id]);
        return undefined;
      } catch (err) {
        // A node that never learned the ID (it left before gossip reached it) has nothing to forget.
        return /Unknown node/i.test(describeError(err)) ? undefined : { node: n, error: describeError(err) };
      }
    }),
  );
  return results.filter((r): r is { node: ClusterNode; error: string } => r !== undefined);
}

/**
 * Re-reads the cluster until `settled` says yes (then returns that read), or the deadline
 * passes (then throws naming what was last seen).
 */
export async function waitUntil(
  ctx: ScaleContext,
  clusterName: string,
  what: string,
  settled: (r: FreshRead) => string | undefined,
  timeoutMs = SCALE_SETTLE_TIMEOUT_MS,
): Promise<FreshRead> {
  let last: FreshRead | undefined;
  await pollUntil(
    async () => {
      last = await readFresh(ctx, clusterName);
      return settled(last);
    },
    {
      deadline: Date.now() + timeoutMs,
      intervalMs: SCALE_POLL_MS,
      ...(ctx.token ? { token: ctx.token } : {}),
      cancelled: `Stopped waiting for ${what}.`,
      timeout: (notYet) => `Waited ${Math.round(timeoutMs / 1000)} s for ${what}: ${notYet}.`,
    },
  );
  return last as FreshRead;
}

/** Why the cluster is not settled yet (a node not ok, a blocking finding), or undefined when it is. */
export function notSettled(topology: ClusterTopology): string | undefined {
  const notOk = topology.views.filter((v) => v.clusterState !== 'ok');
  if (notOk.length > 0) return `${notOk.map((v) => v.view.self.hostname ?? v.view.self.id.slice(0, 8)).join(', ')} say cluster_state:${notOk[0]?.clusterState ?? '?'}`;
  if (topology.unreachable.length > 0) return `${topology.unreachable.map((u) => `${u.endpoint.host}:${u.endpoint.port}`).join(', ')} cannot be asked`;
  const errors = blockingFindings(topology);
  return errors.length > 0 ? errors.map((f) => f.message).join(' ') : undefined;
}

/** The findings of `check` that are errors. */
export function blockingFindings(topology: ClusterTopology): Finding[] {
  return checkCluster(topology).findings.filter((f) => f.severity === 'error');
}
