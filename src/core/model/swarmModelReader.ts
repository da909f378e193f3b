/**
 * Reads the whole SwarmModel, keeping each cluster's router (tunnels) and admin connections
 * between reads: a tree that refreshes every few seconds must not open a tunnel per node each
 * time. Clusters that disappear are closed; nodes whose task moved get fresh routes.
 */
import { type Engine, getEngineStatus } from '../docker/engine';
import { describeError } from '../errors';
import { type Logger, nullLogger } from '../lifecycle';
import { AdminPool } from '../redis/adminConnection';
import { readTopology } from '../cluster/readTopology';
import { joinSwarm } from '../swarm/joinTopology';
import { type SwarmCluster, listSwarmClusters, seedEndpoints } from '../swarm/discover';
import { SwarmRouter } from '../swarm/swarmRouter';
import { type GivenLogin, loginOptions, resolveCredentials } from '../swarm/auth';
import { listSwarmHosts, type SwarmHost } from '../swarm/swarmHosts';
import { type ClusterModel, type SwarmModel, buildClusterModel } from './clusterModel';

interface Connections {
  readonly router: SwarmRouter;
  readonly pool: AdminPool;
}

/**
 * One cluster's connections, shared from the moment they are asked for: callers that arrive
 * while the password is still being read wait for the same promise instead of building a second
 * router (whose tunnels nobody would close). `credentials` says which password they were built
 * for; different credentials replace them.
 */
interface Held {
  readonly credentials: string;
  readonly connections: Promise<Connections>;
}

export interface ModelReaderOptions {
  readonly logger?: Logger;
  /** A user and/or password for a cluster the user gave (VS Code keeps them in SecretStorage). */
  readonly loginFor?: (cluster: string) => Promise<GivenLogin | undefined>;
}

export class SwarmModelReader {
  private readonly connections = new Map<string, Held>();
  private readonly logger: Logger;

  constructor(
    private readonly engine: Engine,
    private readonly options: ModelReaderOptions = {},
  ) {
    this.logger = options.logger ?? nullLogger;
  }

  async read(): Promise<SwarmModel> {
    const engine = await getEngineStatus(this.engine);
    if (engine.swarm !== 'active') return { engine, clusters: [], readAt: Date.now() };
    const [swarmClusters, hosts] = await Promise.all([listSwarmClusters(this.engine.docker), listSwarmHosts(this.engine.docker)]);
    for (const [name, held] of this.connections) {
      if (!swarmClusters.some((s) => s.name === name)) {
        this.connections.delete(name);
        await close(held);
      }
    }
    const clusters = await Promise.all(swarmClusters.map((c) => this.readCluster(c, hosts)));
    return { engine, clusters, hosts, readAt: Date.now() };
  }

  /**
   * The router and pool of one cluster, for commands that act on it (failover, terminal). The
   * reader's engine is fixed (a new engine gets a new reader); the password is not: a password
   * the user gave, or a different Docker secret, replaces the connections and closes the old.
   */
  async connectionsFor(cluster: SwarmCluster): Promise<Connections> {
    const given = await this.options.loginFor?.(cluster.name);
    // Nothing is awaited from here to the map update, so concurrent callers share one entry.
    const credentials = JSON.stringify([given ?? null, cluster.authSecret ?? null, cluster.operatorUser ?? null]);
    const held = this.connections.get(cluster.name);
    if (held?.credentials === credentials) {
      const c = await held.connections;
      c.router.update(cluster);
      return c;
    }
    const fresh: Held = { credentials, connections: this.open(cluster, given) };
    this.connections.set(cluster.name, fresh);
    if (held) await close(held);
    return fresh.connections;
  }

  private async open(cluster: SwarmCluster, given: GivenLogin | undefined): Promise<Connections> {
    const router = new SwarmRouter(this.engine, cluster, { logger: this.logger });
    const credentials = await resolveCredentials(this.engine, cluster, given, router.hops).catch(() => undefined);
    return { router, pool: new AdminPool(router, loginOptions(credentials)) };
  }

  private async readCluster(cluster: SwarmCluster, hosts: readonly SwarmHost[]): Promise<ClusterModel> {
    const seeds = seedEndpoints(cluster);
    if (seeds.length === 0) return buildClusterModel(cluster, undefined, 'No node of this cluster has a running task.', hosts);
    try {
      const { router, pool } = await this.connectionsFor(cluster);
      const topology = joinSwarm(await readTopology(router, seeds, { pool }), cluster);
      pool.retain([...seeds, ...topology.nodes.map((n) => n.endpoint)]);
      return buildClusterModel(cluster, topology, undefined, hosts);
    } catch (err) {
      this.logger.warn(`reading cluster ${cluster.name}: ${describeError(err)}`);
      return buildClusterModel(cluster, undefined, describeError(err), hosts);
    }
  }

  async dispose(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(close));
  }
}

async function close(held: Held): Promise<void> {
  const c = await held.connections;
  await c.pool.close();
  await c.router.dispose();
}
