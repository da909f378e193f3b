/**
 * Routes to the nodes of a cluster on the swarm. An announced endpoint (the service hostname
 * `redis-3:6379`, or the task's overlay IP) maps to a published host port when the node has
 * one and it answers at the address of the swarm node running the task, else to a tunnel
 * through the Docker API (from the task's own container, or from a container on the connected
 * node for a task elsewhere: localHop.ts). Nothing else is ever tried: an overlay address is
 * for the nodes' own bus, not for this host.
 */
import * as net from 'node:net';
import { type Engine } from '../docker/engine';
import { NoRouteError } from '../errors';
import { type Logger, nullLogger } from '../lifecycle';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type Route, type Router, isLoopbackHost } from '../routes/router';
import { type SwarmCluster, type SwarmRedisNode, announcedName } from './discover';
import { LocalHops } from './localHop';
import { type Tunnel, openTunnel } from './tunnel';

/** How long a published port has to accept a connection before the tunnel is used instead (ms). */
export const PUBLISHED_PROBE_TIMEOUT_MS = 1_500;

export interface SwarmRouterOptions {
  /** Use tunnels even where a port is published (tests of the tunnel path use it). */
  readonly forceTunnel?: boolean;
  readonly logger?: Logger;
}

export class SwarmRouter implements Router {
  private readonly tunnels = new Map<string, Promise<Tunnel>>();
  private readonly logger: Logger;
  readonly hops: LocalHops;
  /** Swarm node ID -> the address the swarm knows it by (published ports live there). */
  private nodeAddrs?: Promise<Map<string, string>>;
  /** Published endpoints already tried: whether they answered. */
  private readonly probes = new Map<string, Promise<boolean>>();

  constructor(
    private readonly engine: Engine,
    private cluster: SwarmCluster,
    private readonly options: SwarmRouterOptions = {},
  ) {
    this.logger = options.logger ?? nullLogger;
    this.hops = new LocalHops(engine.docker);
  }

  /** Takes a fresh discovery (tasks restart with new IPs and containers, on other nodes). */
  update(cluster: SwarmCluster): void {
    this.cluster = cluster;
    this.nodeAddrs = undefined;
    this.probes.clear();
    // The relay's task may have restarted too: look its container up again when next needed.
    this.hops.forgetRelay(cluster.name);
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
    if (isLoopbackHost(announced.host)) return { kind: 'direct', target: announced };
    const node = this.nodeFor(announced);
    if (!node) {
      throw new NoRouteError(
        `No route to ${formatEndpoint(announced)}: it is not a node of cluster "${this.cluster.name}" on this swarm ` +
          `(nodes: ${this.cluster.nodes.map((n) => `${n.service}${n.task?.ip ? `/${n.task.ip}` : ''}:${n.port}`).join(', ')}).`,
      );
    }
    if (node.publishedPort && !this.options.forceTunnel) {
      const target = await this.answeringPublished(node);
      if (target) return { kind: 'published', target };
    }
    return { kind: 'tunnel', target: (await this.tunnelTo(node)).local };
  }

  /** A tunnel to the node (shared by every caller): from its own container or a relay on the connected node. */
  async tunnelTo(node: SwarmRedisNode, localPort?: number): Promise<Tunnel> {
    const hop = await this.hops.hopTo(this.cluster, node);
    const open = (): Promise<Tunnel> =>
      openTunnel(this.engine.docker, hop.containerId, node.port, { logger: this.logger, host: hop.host, ...(localPort !== undefined ? { localPort } : {}) });
    // A chosen local port is the caller's own listener (port-forward), never shared.
    if (localPort !== undefined) return open();
    const key = `${hop.containerId}>${hop.host}:${node.port}`;
    let tunnel = this.tunnels.get(key);
    if (!tunnel) {
      tunnel = open();
      this.tunnels.set(key, tunnel);
      tunnel.then(
        (t) => this.logger.debug(`tunnel ${formatEndpoint(t.local)} -> ${node.service} via ${hop.containerId.slice(0, 12)} to ${hop.host}:${node.port}`),
        () => this.tunnels.delete(key),
      );
    }
    return tunnel;
  }

  /**
   * A published port that accepts a connection: at the address of the swarm node that runs the
   * task (a mode=host port lives there), then where the engine is for a task on the connected
   * node (or on a node whose address the swarm does not give). Undefined when none answers, so
   * the caller tunnels instead.
   */
  private async answeringPublished(node: SwarmRedisNode): Promise<Endpoint | undefined> {
    const port = node.publishedPort as number;
    const hosts: string[] = [];
    const swarmNode = node.task?.swarmNode;
    const addr = swarmNode ? (await this.swarmNodeAddrs()).get(swarmNode) : undefined;
    if (addr) hosts.push(addr);
    const local = await this.hops.localNodeId();
    const engineHost = this.publishedHost();
    // The engine's own host serves the ports of its own node's tasks; it is also the best guess
    // when the swarm names no address for the task's node.
    if (engineHost && (local === undefined || swarmNode === local || !addr) && !hosts.includes(engineHost)) hosts.push(engineHost);
    for (const host of hosts) {
      const key = `${host}:${port}`;
      let probe = this.probes.get(key);
      if (!probe) {
        probe = accepts(host, port);
        this.probes.set(key, probe);
      }
      if (await probe) return { host, port };
      this.logger.debug(`published port ${key} of ${node.service} does not answer; trying the next way`);
    }
    return undefined;
  }

  private swarmNodeAddrs(): Promise<Map<string, string>> {
    this.nodeAddrs ??= this.engine.docker.listNodes().then(
      (nodes) => new Map(nodes.flatMap((n) => {
        const addr = nodeAddress(n as SwarmNodeView);
        return n.ID && addr ? [[n.ID, addr] as [string, string]] : [];
      })),
      () => new Map<string, string>(),
    );
    return this.nodeAddrs;
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
    this.probes.clear();
    const all = [...this.tunnels.values()];
    this.tunnels.clear();
    await Promise.all(all.map((t) => t.then((x) => x.close(), () => undefined)));
  }
}

interface SwarmNodeView {
  Status?: { Addr?: string };
  ManagerStatus?: { Addr?: string };
}

/**
 * The address a swarm node is known by. A manager may report Status.Addr 0.0.0.0 (it listens on
 * every interface); its ManagerStatus.Addr (`ip:2377`) then names it.
 */
export function nodeAddress(n: SwarmNodeView): string | undefined {
  const status = n.Status?.Addr;
  if (status && status !== '0.0.0.0') return status;
  const manager = n.ManagerStatus?.Addr;
  if (!manager) return undefined;
  const host = manager.slice(0, manager.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
  return host && host !== '0.0.0.0' ? host : undefined;
}

/** Whether host:port accepts a TCP connection within PUBLISHED_PROBE_TIMEOUT_MS. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PUBLISHED_PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
