/**
 * Where a connection to a task starts, seen from the one engine the user connected to. The
 * Docker API can exec only into containers of its own node, so:
 * - a task on the connected node: exec into its own container and dial 127.0.0.1 (as always);
 * - a task on another node: exec into a container ON the connected node that is attached to the
 *   cluster's overlay network (another task of the cluster there, else the cluster's relay
 *   service, made on demand) and dial the task's overlay address.
 * Only the Docker API is used, so this works over unix://, tcp:// and ssh:// alike, and the
 * overlay addresses are dialled only from inside the swarm, never from this machine.
 */
import type Docker from 'dockerode';
import { NoRouteError } from '../errors';
import { type CancellationToken } from '../lifecycle';
import { type SwarmCluster, type SwarmRedisNode, runningNodes } from './discover';
import { ensureRelayContainer } from './relayService';

export interface Hop {
  /** The container the relay runs in (on the connected node). */
  readonly containerId: string;
  /** The address it dials: 127.0.0.1 inside the task's own container, else the task's overlay IP. */
  readonly host: string;
}

/** Pure: the hop to `node` given the connected node's ID, or undefined when a relay service is needed. */
export function pickHop(cluster: SwarmCluster, node: SwarmRedisNode, localNodeId: string | undefined): Hop | 'relay' {
  const task = node.task;
  if (!task?.containerId || task.state !== 'running') {
    throw new NoRouteError(
      `No route to ${node.service}:${node.port}: it has no running task (${task ? `task ${task.state}${task.error ? `: ${task.error}` : ''}` : 'no task'}).`,
    );
  }
  // Not in a swarm we can see (or the task's node is ours): the container is local.
  if (localNodeId === undefined || task.swarmNode === '' || task.swarmNode === localNodeId) {
    return { containerId: task.containerId, host: '127.0.0.1' };
  }
  if (!task.ip) throw new NoRouteError(`No route to ${node.service}:${node.port}: its task on another node has no overlay address yet.`);
  const local = runningNodes(cluster).find((n) => n.task?.swarmNode === localNodeId);
  if (local?.task?.containerId) return { containerId: local.task.containerId, host: task.ip };
  return 'relay';
}

/** The connected node and its relays, cached for one router's life. */
export class LocalHops {
  private nodeId?: Promise<string | undefined>;
  private readonly relays = new Map<string, Promise<string>>();

  constructor(private readonly docker: Docker) {}

  /** The swarm node ID of the engine we are connected to (`docker info` Swarm.NodeID). */
  localNodeId(): Promise<string | undefined> {
    this.nodeId ??= this.docker.info().then(
      (info: { Swarm?: { NodeID?: string } }) => info.Swarm?.NodeID || undefined,
      () => undefined,
    );
    return this.nodeId;
  }

  async hopTo(cluster: SwarmCluster, node: SwarmRedisNode, token?: CancellationToken): Promise<Hop> {
    const local = await this.localNodeId();
    const hop = pickHop(cluster, node, local);
    if (hop !== 'relay') return hop;
    return { containerId: await this.relayContainer(cluster, local as string, token), host: node.task?.ip as string };
  }

  /** A container on the connected node on the cluster's network: one of its tasks, else its relay. */
  async localContainer(cluster: SwarmCluster, token?: CancellationToken): Promise<string | undefined> {
    const local = await this.localNodeId();
    const running = runningNodes(cluster);
    const here = running.find((n) => local === undefined || n.task?.swarmNode === local);
    if (here?.task?.containerId) return here.task.containerId;
    if (local === undefined || running.length === 0) return undefined;
    return this.relayContainer(cluster, local, token);
  }

  private relayContainer(cluster: SwarmCluster, nodeId: string, token?: CancellationToken): Promise<string> {
    let relay = this.relays.get(cluster.name);
    if (!relay) {
      relay = ensureRelayContainer(this.docker, cluster, nodeId, token);
      this.relays.set(cluster.name, relay);
      // A failed start is tried again by the next caller, not remembered.
      relay.catch(() => this.relays.delete(cluster.name));
    }
    return relay;
  }

  /** Forgets a relay container that stopped answering (its task restarted elsewhere). */
  forgetRelay(cluster: string): void {
    this.relays.delete(cluster);
  }
}
