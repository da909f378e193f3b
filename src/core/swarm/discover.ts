/**
 * Finds the Redis nodes of a cluster on the swarm: our deployments by label, hand-made ones
 * (`redis-1` … `redis-6`, as the usual recipe names them) by name prefix and image. Each
 * node's current address comes from its task's network attachment, never from DNS.
 */
import Docker from 'dockerode';
import { RedisSwarmError } from '../errors';
import { Endpoint } from '../routes/endpoint';
import {
  LABEL_AUTH_SECRET,
  LABEL_CLUSTER,
  LABEL_MANAGED,
  LABEL_MODE,
  LABEL_NODE_INDEX,
  LABEL_PORT,
  LABEL_REPLICAS,
} from './labels';
import { ClusterMode } from './deployOptions';

export const DEFAULT_REDIS_PORT = 6379;

export interface SwarmTask {
  readonly id: string;
  readonly state: string;
  readonly desiredState: string;
  readonly swarmNode: string;
  readonly containerId?: string;
  /** The task's address on the cluster's overlay network. */
  readonly ip?: string;
  readonly error?: string;
  readonly since?: string;
}

export interface SwarmRedisNode {
  readonly service: string;
  readonly serviceId: string;
  readonly index: number;
  readonly image: string;
  /** Redis's port inside the container. */
  readonly port: number;
  /** Host port published in mode=host, when there is one. */
  readonly publishedPort?: number;
  /** The running task (or the newest one when none runs). */
  readonly task?: SwarmTask;
}

export interface SwarmCluster {
  readonly name: string;
  /** Deployed by redis-swarm (labelled), or found by name and image. */
  readonly managed: boolean;
  readonly mode: ClusterMode;
  readonly authSecret?: string;
  /** Replicas per master deploy was asked for (absent for hand-made clusters and older deployments). */
  readonly replicas?: number;
  readonly nodes: readonly SwarmRedisNode[];
}

type ServiceInfo = Docker.Service & {
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    TaskTemplate?: { ContainerSpec?: { Image?: string; Args?: string[]; Command?: string[] }; Networks?: { Target: string }[] };
    EndpointSpec?: { Ports?: { TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] };
  };
  Endpoint?: { Ports?: { TargetPort?: number; PublishedPort?: number; PublishMode?: string }[] };
};

interface TaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string; Timestamp?: string; ContainerStatus?: { ContainerID?: string } };
  NetworksAttachments?: { Network?: { ID?: string; Spec?: { Name?: string; Ingress?: boolean } }; Addresses?: string[] }[];
}

/** A hand-made node service: `<prefix>-<n>` running an image whose name says redis. */
const HAND_MADE = /^(.+)-(\d+)$/;

function imageName(ref: string): string {
  // Strip the digest swarm pins (`redis:7@sha256:…`); keep repository and tag.
  return ref.split('@')[0] ?? ref;
}

function isRedisImage(ref: string): boolean {
  const repo = imageName(ref).split(':')[0] ?? '';
  return /(^|\/)redis[^/]*$/i.test(repo);
}

export async function listSwarmClusters(docker: Docker): Promise<SwarmCluster[]> {
  const services = (await docker.listServices()) as ServiceInfo[];
  const groups = new Map<string, { managed: boolean; services: ServiceInfo[] }>();
  for (const s of services) {
    const labels = s.Spec?.Labels ?? {};
    const name = s.Spec?.Name ?? '';
    let cluster: string | undefined;
    let managed = false;
    if (labels[LABEL_MANAGED] === 'true' && labels[LABEL_CLUSTER]) {
      cluster = labels[LABEL_CLUSTER];
      managed = true;
    } else {
      const m = HAND_MADE.exec(name);
      if (m && isRedisImage(s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '')) cluster = m[1];
    }
    if (!cluster) continue;
    const key = `${managed ? 'm' : 'h'}:${cluster}`;
    const g = groups.get(key) ?? { managed, services: [] };
    g.services.push(s);
    groups.set(key, g);
  }
  // A labelled cluster hides a hand-made group of the same name.
  const clusters: SwarmCluster[] = [];
  const tasks = (await docker.listTasks()) as TaskInfo[];
  for (const [key, g] of groups) {
    const name = key.slice(2);
    if (!g.managed && groups.has(`m:${name}`)) continue;
    clusters.push(buildCluster(name, g.managed, g.services, tasks));
  }
  return clusters.sort((a, b) => a.name.localeCompare(b.name));
}

export async function findSwarmCluster(docker: Docker, name: string): Promise<SwarmCluster> {
  const all = await listSwarmClusters(docker);
  const found = all.find((c) => c.name === name);
  if (!found) {
    const known = all.map((c) => c.name);
    throw new RedisSwarmError(
      'not-found',
      `No Redis cluster "${name}" on this swarm: no services labelled ${LABEL_CLUSTER}=${name} and none named ${name}-1, ${name}-2, … ` +
        `running a redis image.${known.length > 0 ? ` Known: ${known.join(', ')}.` : ' Deploy one with `redis-swarm deploy`.'}`,
    );
  }
  return found;
}

function buildCluster(name: string, managed: boolean, services: ServiceInfo[], tasks: TaskInfo[]): SwarmCluster {
  const first = services[0]?.Spec?.Labels ?? {};
  const nodes = services
    .map((s) => buildNode(s, tasks))
    .sort((a, b) => a.index - b.index);
  const authSecret = first[LABEL_AUTH_SECRET];
  const replicas = Number(first[LABEL_REPLICAS] ?? NaN);
  return {
    name,
    managed,
    mode: first[LABEL_MODE] === 'cache' ? 'cache' : 'persistent',
    ...(authSecret ? { authSecret } : {}),
    ...(Number.isInteger(replicas) && replicas >= 0 ? { replicas } : {}),
    nodes,
  };
}

function buildNode(s: ServiceInfo, allTasks: TaskInfo[]): SwarmRedisNode {
  const spec = s.Spec ?? {};
  const labels = spec.Labels ?? {};
  const name = spec.Name ?? s.ID;
  const index = Number(labels[LABEL_NODE_INDEX] ?? HAND_MADE.exec(name)?.[2] ?? 0);
  const port = Number(labels[LABEL_PORT] ?? portFromArgs(spec.TaskTemplate?.ContainerSpec) ?? DEFAULT_REDIS_PORT);
  const ports = spec.EndpointSpec?.Ports ?? s.Endpoint?.Ports ?? [];
  const published = ports.find((p) => p.TargetPort === port && p.PublishedPort);
  const networkIds = new Set((spec.TaskTemplate?.Networks ?? []).flatMap((n) => (n.Target ? [n.Target] : [])));
  const task = currentTask(allTasks.filter((t) => t.ServiceID === s.ID), networkIds);
  return {
    service: name,
    serviceId: s.ID,
    index,
    image: imageName(spec.TaskTemplate?.ContainerSpec?.Image ?? ''),
    port,
    ...(published?.PublishedPort ? { publishedPort: published.PublishedPort } : {}),
    ...(task ? { task } : {}),
  };
}

/** `redis-server conf --port 7000` or `redis-server --port 7000`: the port given on the command line. */
function portFromArgs(spec: { Args?: string[]; Command?: string[] } | undefined): number | undefined {
  const argv = [...(spec?.Command ?? []), ...(spec?.Args ?? [])];
  const at = argv.indexOf('--port');
  const v = at >= 0 ? Number(argv[at + 1]) : NaN;
  return Number.isInteger(v) ? v : undefined;
}

/** The running task if any, else the newest: a restarting node shows why it is not running. */
function currentTask(tasks: TaskInfo[], networkIds: Set<string>): SwarmTask | undefined {
  const sorted = [...tasks].sort((a, b) => (b.UpdatedAt ?? '').localeCompare(a.UpdatedAt ?? ''));
  const t = sorted.find((x) => x.Status?.State === 'running' && x.DesiredState === 'running') ?? sorted[0];
  if (!t) return undefined;
  const attachments = (t.NetworksAttachments ?? []).filter((a) => a.Network?.Spec?.Ingress !== true);
  const preferred = attachments.find((a) => a.Network?.ID && networkIds.has(a.Network.ID)) ?? attachments[0];
  const ip = preferred?.Addresses?.[0]?.split('/')[0];
  return {
    id: t.ID,
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    swarmNode: t.NodeID ?? '',
    ...(t.Status?.ContainerStatus?.ContainerID ? { containerId: t.Status.ContainerStatus.ContainerID } : {}),
    ...(ip ? { ip } : {}),
    ...(t.Status?.Err ? { error: t.Status.Err } : {}),
    ...(t.Status?.Timestamp ? { since: t.Status.Timestamp } : {}),
  };
}

/** Nodes whose task runs and has an address: the ones a cluster operation can use. */
export function runningNodes(cluster: SwarmCluster): SwarmRedisNode[] {
  return cluster.nodes.filter((n) => n.task?.state === 'running' && n.task.containerId && n.task.ip);
}

/** Where to start reading a cluster's topology: its running nodes by service name. */
export function seedEndpoints(cluster: SwarmCluster): Endpoint[] {
  return runningNodes(cluster).map((n) => ({ host: n.service, port: n.port }));
}
