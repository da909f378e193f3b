/**
 * Scale out: a new node service for a cluster on the swarm, made from the spec of an existing
 * node service (image, config, secret, network, restart policy, placement) with its own name
 * and labels (the next node index), its own volume `<name>-<i>-data`, and the next published
 * port when the cluster publishes. Then it meets the cluster and becomes a master (empty until
 * a rebalance gives it slots) or a replica (of the given master, or of the master that needs
 * one most: the fewest replicas, then the most slots).
 */
import Docker from 'dockerode';
import { parseClusterNodes } from '../cluster/nodesParser';
import { readTopology } from '../cluster/readTopology';
import { ClusterNode, ClusterTopology, countSlots } from '../cluster/topology';
import { Engine } from '../docker/engine';
import { BadInputError, CancelledError, RedisSwarmError, TimeoutError } from '../errors';
import { CancellationToken, neverCancelled, ProgressReporter, silentProgress } from '../lifecycle';
import { AdminPool, replyText } from '../redis/adminConnection';
import { Endpoint } from '../routes/endpoint';
import { serviceName, volumeName } from '../swarm/deployOptions';
import { findSwarmCluster, runningNodes, SwarmCluster } from '../swarm/discover';
import { LABEL_NODE_INDEX } from '../swarm/labels';
import { SwarmRouter } from '../swarm/swarmRouter';

/** How long the new task may take to run, and the new node to join (ms). */
export const ADD_NODE_TASK_TIMEOUT_MS = 90_000;
export const ADD_NODE_JOIN_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

export interface AddNodeRequest {
  /** 'master', or 'replica' with an optional master ID (prefix); default: the master that needs one most. */
  readonly role: 'master' | 'replica';
  readonly masterId?: string;
}

export interface AddNodeResult {
  readonly service: string;
  readonly index: number;
  readonly nodeId: string;
  readonly endpoint: Endpoint;
  readonly masterId?: string;
}

interface ServiceSpec {
  Name?: string;
  Labels?: Record<string, string>;
  TaskTemplate?: {
    ContainerSpec?: { Command?: string[]; Args?: string[]; Hostname?: string; Labels?: Record<string, string>; Mounts?: { Type?: string; Source?: string; Target?: string }[] };
    Networks?: { Target: string; Aliases?: string[] }[];
  };
  EndpointSpec?: { Ports?: { PublishedPort?: number; TargetPort?: number }[] };
}

/** The master that needs a replica most: fewest replicas, then most slots (redis-cli's add-node picks the fewest). */
export function masterNeedingReplica(topology: ClusterTopology): ClusterNode | undefined {
  const masters = topology.nodes.filter((n) => n.role === 'master' && !n.flags.fail && countSlots(n.slots) > 0);
  const replicas = (m: ClusterNode): number => topology.nodes.filter((r) => r.role === 'replica' && r.masterId === m.id && !r.flags.fail).length;
  return [...masters].sort((a, b) => replicas(a) - replicas(b) || countSlots(b.slots) - countSlots(a.slots))[0];
}

/** The new service's spec: a copy of `template` with the new name, index, volume and port. */
export function specForNewNode(template: ServiceSpec, cluster: SwarmCluster, index: number): ServiceSpec {
  const spec = JSON.parse(JSON.stringify(template)) as ServiceSpec;
  const oldName = template.Name ?? '';
  const name = serviceName(cluster.name, index);
  spec.Name = name;
  spec.Labels = { ...(spec.Labels ?? {}), [LABEL_NODE_INDEX]: String(index) };
  const c = spec.TaskTemplate?.ContainerSpec;
  if (c) {
    c.Labels = { ...(c.Labels ?? {}), [LABEL_NODE_INDEX]: String(index) };
    // Per-node settings on the command line name the node (`--cluster-announce-hostname redis-3`).
    for (const list of [c.Command, c.Args]) if (list) list.forEach((a, i) => { if (a === oldName) list[i] = name; });
    if (c.Hostname !== undefined) c.Hostname = name;
    for (const m of c.Mounts ?? []) if (m.Type === 'volume' && m.Target === '/data') m.Source = volumeName(cluster.name, index);
  }
  for (const n of spec.TaskTemplate?.Networks ?? []) if (n.Aliases) n.Aliases = n.Aliases.map((a) => (a === oldName ? name : a));
  // Published ports follow deploy's rule: node i on base + i - 1.
  const first = cluster.nodes.find((n) => n.publishedPort !== undefined);
  for (const p of spec.EndpointSpec?.Ports ?? []) {
    if (p.PublishedPort !== undefined && first?.publishedPort !== undefined) p.PublishedPort = first.publishedPort - (first.index - 1) + (index - 1);
  }
  return spec;
}

export async function addNode(
  engine: Engine,
  clusterName: string,
  router: SwarmRouter,
  pool: AdminPool,
  req: AddNodeRequest,
  ctx: { progress?: ProgressReporter; token?: CancellationToken } = {},
): Promise<AddNodeResult> {
  const progress = ctx.progress ?? silentProgress;
  const token = ctx.token ?? neverCancelled;
  const docker = engine.docker;
  const cluster = await findSwarmCluster(docker, clusterName);
  if (!cluster.managed) throw new BadInputError(`Cluster "${clusterName}" was not deployed by redis-swarm; add its nodes by hand (docker service create) and CLUSTER MEET.`);
  const seeds = runningNodes(cluster).map((n) => ({ host: n.service, port: n.port }));
  router.update(cluster);
  const topology = await readTopology(router, seeds, { pool });
  let master: ClusterNode | undefined;
  if (req.role === 'replica') {
    master = req.masterId !== undefined ? topology.nodes.find((n) => n.id === req.masterId || n.id.startsWith(req.masterId ?? '~')) : masterNeedingReplica(topology);
    if (!master || master.role !== 'master') throw new BadInputError(req.masterId !== undefined ? `No master ${req.masterId} in cluster "${clusterName}".` : 'No master with slots to replicate.');
  }
  const template = cluster.nodes.find((n) => n.task?.state === 'running') ?? cluster.nodes[0];
  if (!template) throw new RedisSwarmError('not-found', `Cluster "${clusterName}" has no node service to copy.`);
  const index = Math.max(...cluster.nodes.map((n) => n.index)) + 1;
  const inspected = (await docker.getService(template.serviceId).inspect()) as { Spec: ServiceSpec };
  const spec = specForNewNode(inspected.Spec, cluster, index);
  const name = spec.Name as string;
  progress.report({ message: `creating service ${name}` });
  await docker.createService(spec as Docker.CreateServiceOptions);
  try {
    const fresh = await waitRunning(docker, clusterName, name, token);
    router.update(fresh);
    const node = fresh.nodes.find((n) => n.service === name);
    const ep = { host: name, port: node?.port ?? template.port };
    progress.report({ message: `${name} meets the cluster` });
    const known = topology.nodes.filter((n) => !n.flags.fail && !n.flags.noaddr && n.endpoint.host !== '');
    const meetVia = known[0] as ClusterNode;
    await pool.command(ep, ['CLUSTER', 'MEET', meetVia.endpoint.host, meetVia.endpoint.port, meetVia.busPort]);
    const nodeId = await waitJoined(pool, ep, known.length + 1, token);
    if (master) {
      progress.report({ message: `${name} replicates ${master.hostname ?? master.id.slice(0, 8)}` });
      // The new node must know its master (gossip) before REPLICATE accepts the ID.
      await retry(() => pool.command(ep, ['CLUSTER', 'REPLICATE', master.id]), token);
    }
    return { service: name, index, nodeId, endpoint: ep, ...(master ? { masterId: master.id } : {}) };
  } catch (err) {
    // A node that never joined is taken away again rather than left half-added.
    progress.report({ message: `adding ${name} failed; removing it` });
    await docker.getService(name).remove().catch(() => undefined);
    throw err;
  }
}

async function waitRunning(docker: Docker, clusterName: string, service: string, token: CancellationToken): Promise<SwarmCluster> {
  const deadline = Date.now() + ADD_NODE_TASK_TIMEOUT_MS;
  for (;;) {
    if (token.isCancellationRequested) throw new CancelledError();
    const c = await findSwarmCluster(docker, clusterName);
    const n = c.nodes.find((x) => x.service === service);
    if (n?.task?.state === 'running' && n.task.ip && n.task.containerId) return c;
    if (Date.now() > deadline) throw new TimeoutError(`The task of ${service} did not start within ${ADD_NODE_TASK_TIMEOUT_MS / 1000} s${n?.task?.error ? ` (${n.task.error})` : ''}.`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Waits until the new node knows `expected` nodes, none of them still in handshake. */
async function waitJoined(pool: AdminPool, ep: Endpoint, expected: number, token: CancellationToken): Promise<string> {
  const deadline = Date.now() + ADD_NODE_JOIN_TIMEOUT_MS;
  for (;;) {
    if (token.isCancellationRequested) throw new CancelledError();
    const view = parseClusterNodes(replyText(await pool.command(ep, ['CLUSTER', 'NODES'])));
    const ready = view.nodes.filter((n) => !n.flags.handshake && !n.flags.noaddr).length;
    if (ready >= expected) return view.self.id;
    if (Date.now() > deadline) throw new TimeoutError(`The new node knows ${ready} of ${expected} nodes after ${ADD_NODE_JOIN_TIMEOUT_MS / 1000} s: is the cluster bus reachable on the overlay network?`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function retry<T>(f: () => Promise<T>, token: CancellationToken): Promise<T> {
  const deadline = Date.now() + ADD_NODE_JOIN_TIMEOUT_MS;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline || token.isCancellationRequested) throw err;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
