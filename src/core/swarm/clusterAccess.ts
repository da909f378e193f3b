/**
 * Everything a verb needs to talk to a cluster on the swarm by name: the engine, the nodes,
 * a router to them (published ports or Docker API tunnels), seed endpoints and the password.
 */
import { type Engine, getEngineStatus, openEngine, requireSwarmManager } from '../docker/engine';
import { type TargetOptions } from '../docker/target';
import { type Logger } from '../lifecycle';
import { type Endpoint } from '../routes/endpoint';
import { readClusterPassword } from './auth';
import { type DiscoverOptions, type SwarmCluster, findSwarmCluster, seedEndpoints } from './discover';
import { SwarmRouter } from './swarmRouter';

export interface ClusterAccess {
  readonly engine: Engine;
  readonly cluster: SwarmCluster;
  readonly router: SwarmRouter;
  /** Announced endpoints (service hostname and port) of the nodes whose task runs. */
  readonly seeds: Endpoint[];
  readonly password?: string;
  /** How the cluster was found (the services the user named), for verbs that look again. */
  readonly discover: DiscoverOptions;
  dispose(): Promise<void>;
}

export interface AccessOptions extends TargetOptions {
  readonly forceTunnel?: boolean;
  readonly logger?: Logger;
  /** A password given by the user; read from the cluster's secret when absent. */
  readonly password?: string;
  /** The node services, named by the user when discovery guesses wrong (`--services`). */
  readonly services?: readonly string[];
}

export async function openClusterAccess(clusterName: string, options: AccessOptions = {}): Promise<ClusterAccess> {
  const engine = openEngine(options);
  requireSwarmManager(await getEngineStatus(engine));
  const discover: DiscoverOptions = options.services && options.services.length > 0 ? { services: options.services } : {};
  const cluster = await findSwarmCluster(engine.docker, clusterName, discover);
  const router = new SwarmRouter(engine, cluster, {
    ...(options.forceTunnel !== undefined ? { forceTunnel: options.forceTunnel } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const password = options.password ?? (await readClusterPassword(engine, cluster, router.hops));
  return {
    engine,
    cluster,
    router,
    seeds: seedEndpoints(cluster),
    ...(password !== undefined ? { password } : {}),
    discover,
    dispose: () => router.dispose(),
  };
}
