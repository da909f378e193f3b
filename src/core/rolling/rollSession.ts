/**
 * What the steps of a roll share: the engine, the cluster's router and admin pool, and a fresh
 * look at the cluster (Docker's view and the nodes' own, joined) after every change. Tasks that
 * restart come back at new overlay addresses and in new containers, so every look rediscovers
 * the services and hands them to the router.
 */
import { readTopology } from '../cluster/readTopology';
import { type ClusterTopology } from '../cluster/topology';
import { type CancellationToken, type Logger, type ProgressReporter } from '../lifecycle';
import { type AdminPool } from '../redis/adminConnection';
import { type ClusterAccess } from '../swarm/clusterAccess';
import { type SwarmCluster, findSwarmCluster, seedEndpoints } from '../swarm/discover';
import { joinSwarm } from '../swarm/joinTopology';
import { SwarmRouter } from '../swarm/swarmRouter';

export interface RollSession {
  readonly access: ClusterAccess;
  readonly pool: AdminPool;
  readonly progress: ProgressReporter;
  readonly token: CancellationToken;
  readonly logger: Logger;
  /** Bound on one node's update: its new task running, rejoined and in sync (ms). */
  readonly nodeTimeoutMs: number;
}

export interface ClusterLook {
  readonly cluster: SwarmCluster;
  readonly topology: ClusterTopology;
}

/** Rediscovers the services (new tasks, new addresses), updates the router, reads every node. */
export async function lookAt(s: RollSession): Promise<ClusterLook> {
  const cluster = await findSwarmCluster(s.access.engine.docker, s.access.cluster.name, s.access.discover);
  if (s.access.router instanceof SwarmRouter) s.access.router.update(cluster);
  const topology = joinSwarm(await readTopology(s.access.router, seedEndpoints(cluster), { pool: s.pool }), cluster);
  return { cluster, topology };
}
