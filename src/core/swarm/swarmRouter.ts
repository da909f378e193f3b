/**
 * Routes to the nodes of a cluster on the swarm. An announced endpoint (the service hostname
 * `redis-3:6379`, or the task's overlay IP) maps to a published host port when the node has
 * one, else to a tunnel through the Docker API. Nothing else is ever tried: an overlay address
 * is for the nodes' own bus, not for this host.
 */
import { type Engine } from '../docker/engine';
import { NoRouteError } from '../errors';
import { type Logger, nullLogger } from '../lifecycle';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type Route, type Router, isLoopbackHost } from '../routes/router';
import { type SwarmCluster, type SwarmRedisNode, announcedName } from './discover';
import { type Tunnel, openTunnel } from './tunnel';
import { readClusterTls } from './clusterTls';
import { type TlsClientConfig } from '../tls/clientTls';

export interface SwarmRouterOptions {
  /** Use tunnels even where a port is published (tests of the tunnel path use it). */
  readonly forceTunnel?: boolean;
  readonly logger?: Logger;
  /** TLS settings that replace the cluster's own (the user's `--tls …` flags). */
  readonly tls?: TlsClientConfig;
}

export class SwarmRouter implements Router {
  private readonly tunnels = new Map<string, Promise<Tunnel>>();
  private readonly logger: Logger;
  /** A TLS cluster's client settings, read once from a node when first needed. */
  private clusterTls: Promise<TlsClientConfig | undefined> | undefined;

  constructor(
    private readonly engine: Engine,
    private cluster: SwarmCluster,
    private readonly options: SwarmRouterOptions = {},
  ) {
    this.logger = options.logger ?? nullLogger;
  }

  /** Takes a fresh discovery (tasks restart with new IPs and containers). */
  update(cluster: SwarmCluster): void {
    // Deployed again under the same name, with a new CA: read its TLS settings anew.
    if (cluster.tlsCa !== this.cluster.tlsCa || cluster.tls !== this.cluster.tls) this.clusterTls = undefined;
    this.cluster = cluster;
  }

  get swarmCluster(): SwarmCluster {
    return this.cluster;
  }

  nodeFor(ep: Endpoint): SwarmRedisNode | undefined {
    return this.cluster.nodes.find(
      (n) => n.port === ep.port && (n.service === ep.host || announcedName(n) === ep.host || (n.task?.ip !== undefined && n.task.ip === ep.host)),
    );
  }

  async resolve(announced: Endpoint): Promise<Route> {
    const route = await this.route(announced);
    const tls = await this.tlsConfig();
    if (!tls) return route;
    // The name the node's certificate carries: its announced host name, also when it is
    // announced by an overlay IP (which changes with every task and no certificate names).
    const node = this.nodeFor(announced);
    return { ...route, tls: { client: tls, serverName: node ? announcedName(node) : announced.host } };
  }

  /** The client TLS settings: the user's, else a TLS cluster's own; undefined for a plain cluster. */
  tlsConfig(): Promise<TlsClientConfig | undefined> {
    if (this.options.tls) return Promise.resolve(this.options.tls);
    if (!this.cluster.tls) return Promise.resolve(undefined);
    if (!this.clusterTls) {
      const reading = readClusterTls(this.engine, this.cluster);
      this.clusterTls = reading;
      // A failed read (no node running yet) is tried again on the next connection.
      reading.catch(() => {
        if (this.clusterTls === reading) this.clusterTls = undefined;
      });
    }
    return this.clusterTls;
  }

  private async route(announced: Endpoint): Promise<Route> {
    if (isLoopbackHost(announced.host)) return { kind: 'direct', target: announced };
    const node = this.nodeFor(announced);
    if (!node) {
      throw new NoRouteError(
        `No route to ${formatEndpoint(announced)}: it is not a node of cluster "${this.cluster.name}" on this swarm ` +
          `(nodes: ${this.cluster.nodes.map((n) => `${n.service}${n.task?.ip ? `/${n.task.ip}` : ''}:${n.port}`).join(', ')}).`,
      );
    }
    const publishedHost = this.publishedHost();
    if (node.publishedPort && publishedHost && !this.options.forceTunnel) {
      return { kind: 'published', target: { host: publishedHost, port: node.publishedPort } };
    }
    const containerId = node.task?.state === 'running' ? node.task.containerId : undefined;
    if (!containerId) {
      throw new NoRouteError(
        `No route to ${formatEndpoint(announced)}: service ${node.service} has no running task ` +
          `(${node.task ? `task ${node.task.state}${node.task.error ? `: ${node.task.error}` : ''}` : 'no task'}).`,
      );
    }
    let tunnel = this.tunnels.get(containerId);
    if (!tunnel) {
      tunnel = openTunnel(this.engine.docker, containerId, node.port, { logger: this.logger });
      this.tunnels.set(containerId, tunnel);
      tunnel.then(
        (t) => this.logger.debug(`tunnel ${formatEndpoint(t.local)} -> ${node.service} (${containerId.slice(0, 12)}):${node.port}`),
        () => this.tunnels.delete(containerId),
      );
    }
    return { kind: 'tunnel', target: (await tunnel).local };
  }

  /**
   * Where published ports answer: loopback for a local engine; the engine's host for a remote
   * tcp:// or ssh:// one (mode=host ports are on the swarm node, which for a single manager is
   * that host). Undefined when it cannot be known.
   */
  private publishedHost(): string | undefined {
    const host = this.engine.target.host;
    if (host.startsWith('unix://')) return '127.0.0.1';
    try {
      const url = new URL(host);
      return isLoopbackHost(url.hostname) ? '127.0.0.1' : url.hostname;
    } catch {
      return undefined;
    }
  }

  async dispose(): Promise<void> {
    const all = [...this.tunnels.values()];
    this.tunnels.clear();
    await Promise.all(all.map((t) => t.then((x) => x.close(), () => undefined)));
  }
}
