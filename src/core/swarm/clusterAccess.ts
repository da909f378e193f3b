/**
 * Everything a verb needs to talk to a cluster on the swarm by name: the engine, the nodes,
 * a router to them (published ports or Docker API tunnels), seed endpoints and the credentials.
 */
import { type Engine, getEngineStatus, openEngine, requireSwarmManager } from '../docker/engine';
import { type TargetOptions } from '../docker/target';
import { type Logger } from '../lifecycle';
import { type Endpoint } from '../routes/endpoint';
import { type Credentials, type GivenLogin, resolveCredentials } from './auth';
import { type DiscoverOptions, type SwarmCluster, findSwarmCluster, seedEndpoints } from './discover';
import { SwarmRouter } from './swarmRouter';
import { type TlsClientConfig } from '../tls/clientTls';

export interface ClusterAccess {
  readonly engine: Engine;
  readonly cluster: SwarmCluster;
  readonly router: SwarmRouter;
  /** Announced endpoints (service hostname and port) of the nodes whose task runs. */
  readonly seeds: Endpoint[];
  /** How to log in: the cluster's password or operator user, or what the user gave. */
  readonly credentials?: Credentials;
  /** How the cluster was found (the services the user named), for verbs that look again. */
  readonly discover: DiscoverOptions;
  dispose(): Promise<void>;
}

export interface AccessOptions extends TargetOptions {
  readonly forceTunnel?: boolean;
  readonly logger?: Logger;
  /** A user and/or password given by the user; completed from the cluster's secrets. */
  readonly login?: GivenLogin;
  /** TLS settings given by the user (`cli --tls …`); a TLS cluster's own are read otherwise. */
  readonly tls?: TlsClientConfig;
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
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const credentials = await resolveCredentials(engine, cluster, options.login, router.hops).catch(async (err: unknown) => {
    await router.dispose();
    throw err;
  });
  return {
    engine,
    cluster,
    router,
    seeds: seedEndpoints(cluster),
    ...(credentials !== undefined ? { credentials } : {}),
    discover,
    dispose: () => router.dispose(),
  };
}
