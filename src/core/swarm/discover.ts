/**
 * Finds the Redis nodes of a cluster on the swarm: our deployments by label; hand-made ones
 * (`redis-1` … `redis-6`, as the usual recipe names them, or `cache-1` running valkey) by name
 * pattern and by what they run (recognise.ts), never by the image's name; services the user
 * names (`--services a,b,c`, or the label org.redis-swarm.cluster=NAME on a service) whatever
 * they run. Each node's current address comes from its task's network attachment, never from DNS.
 */
import type Docker from 'dockerode';
import { TLS_CA_PATH } from './deployTls';
import { BadInputError, NotFoundError } from '../errors';
import { type Endpoint } from '../routes/endpoint';
import {
  LABEL_ACL_USERS,
  LABEL_AUTH_SECRET,
  LABEL_OPERATOR_USER,
  LABEL_TLS,
  LABEL_CLUSTER,
  LABEL_MANAGED,
  LABEL_MODE,
  LABEL_NODE_INDEX,
  LABEL_PORT,
  LABEL_REPLICAS,
} from './labels';
import { type ClusterMode } from './deployOptions';
import { execCapture } from './exec';
import { LABEL_STACK_NAMESPACE } from './stackLabels';
import { CONF_PATH } from './redisConf';
import { LABEL_ROLL, decodeRoll } from '../rolling/rollRecord';
import { listSwarmHosts, type SwarmHost } from './swarmHosts';
import { effectiveArgv, isRedisPingReply, portFromArgv, recogniseArgv } from './recognise';

export const DEFAULT_REDIS_PORT = 6379;

export interface SwarmTask {
  readonly id: string;
  readonly state: string;
  readonly desiredState: string;
  readonly swarmNode: string;
  /** The swarm node's hostname, when the engine could list the nodes (a manager can). */
  readonly swarmHost?: string;
  readonly containerId?: string;
  /** The task's address on the cluster's overlay network. */
  readonly ip?: string;
  readonly error?: string;
  readonly since?: string;
}

export interface SwarmRedisNode {
  readonly service: string;
  /**
   * The name the node announces (cluster-announce-hostname) when it is not its service's: a node
   * of a stack deployed from a stack file is service `STACK_redis-1` and announces `redis-1`
   * (its network alias; Redis refuses `_` in hostnames). Compare with `announcedName(node)`.
   */
  readonly hostname?: string;
  readonly serviceId: string;
  readonly index: number;
  readonly image: string;
  /** Redis's port inside the container. */
  readonly port: number;
  /** Host port published in mode=host, when there is one. */
  readonly publishedPort?: number;
  /** The running task (or the newest one when none runs). */
  readonly task?: SwarmTask;
  /** The Docker config holding its redis.conf (deploy's, or a later version from `config set`). */
  readonly config?: string;
}

export interface SwarmCluster {
  readonly name: string;
  /** Deployed by redis-swarm (labelled), or made by hand (found by what it runs, or named by the user). */
  readonly managed: boolean;
  readonly mode: ClusterMode;
  readonly authSecret?: string;
  /** With ACL users (deploy --user/--acl): the operator user redis-swarm logs in as. */
  readonly operatorUser?: string;
  /** With ACL users: the application users' names (their passwords in secrets `<cluster>-user-<name>`). */
  readonly appUsers?: readonly string[];
  /** Deployed with TLS: `generated` certificates (redis-swarm's CA) or the user's `files`. */
  readonly tls?: 'generated' | 'files';
  /** The config holding a TLS cluster's CA certificate: a new one means clients must trust anew. */
  readonly tlsCa?: string;
  /** Replicas per master deploy was asked for (absent for hand-made clusters and older deployments). */
  readonly replicas?: number;
  /** The `docker stack deploy` stack its services belong to, when they do. */
  readonly stack?: string;
  /** An upgrade, restart or config change that was started and has not finished (rolling/rollRecord.ts). */
  readonly roll?: { readonly kind: string; readonly startedAt: string };
  readonly nodes: readonly SwarmRedisNode[];
  /** The swarm's nodes (machines) as the engine listed them, when it could (a manager). */
  readonly hosts?: readonly SwarmHost[];
}

type ServiceInfo = Docker.Service & {
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    TaskTemplate?: {
      ContainerSpec?: { Image?: string; Args?: string[]; Command?: string[]; Hostname?: string; Configs?: { File?: { Name?: string }; ConfigName?: string }[] };
      Networks?: { Target: string }[];
    };
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

/** A hand-made node service: `<prefix>-<n>` running a Redis server. */
const HAND_MADE = /^(.+)-(\d+)$/;
/** How long a node has to answer the PING that tells whether it is Redis (s). */
const PING_PROBE_TIMEOUT_S = 2;
/** A container that did not answer as Redis is asked again after this long: it may have been starting (ms). */
const PING_RETRY_MS = 30_000;

export interface DiscoverOptions {
  /**
   * The cluster's node services, named by the user (`--services a,b,c`) when the guess by name
   * and command is wrong: exactly these, whatever they run.
   */
  readonly services?: readonly string[];
}

function imageName(ref: string): string {
  // Strip the digest swarm pins (`redis:7@sha256:…`); keep repository and tag.
  return ref.split('@')[0] ?? ref;
}

/**
 * Each container's answer to the PING probe, per engine, so a tree refresh does not exec into
 * every `<name>-<n>` container again: a Redis container stays one; a container that did not
 * answer as Redis is asked again after PING_RETRY_MS. Entries of containers that are gone are
 * dropped at each listing.
 */
interface PingVerdict {
  readonly redis: boolean;
  readonly at: number;
}
const pingVerdicts = new WeakMap<Docker, Map<string, PingVerdict>>();

/** Whether a service that no label marks runs a Redis server: its command, its image's, or the node's answer. */
async function runsRedis(docker: Docker, s: ServiceInfo, tasks: readonly TaskInfo[], verdicts: Map<string, PingVerdict>): Promise<boolean> {
  const spec = s.Spec?.TaskTemplate?.ContainerSpec ?? {};
  if (recogniseArgv(effectiveArgv(spec)) === 'redis') return true;
  const image = await inspectImageConfig(docker, spec.Image ?? '');
  if (image && recogniseArgv(effectiveArgv(spec, image)) === 'redis') return true;
  // A wrapper script or an image we cannot see into: ask the running node itself.
  const running = tasks.find((t) => t.ServiceID === s.ID && t.Status?.State === 'running' && t.Status.ContainerStatus?.ContainerID);
  const containerId = running?.Status?.ContainerStatus?.ContainerID;
  if (!containerId) return false;
  const known = verdicts.get(containerId);
  if (known && (known.redis || Date.now() - known.at < PING_RETRY_MS)) return known.redis;
  const port = portFromArgv(effectiveArgv(spec, image)) ?? DEFAULT_REDIS_PORT;
  const redis = await pingThroughExec(docker, containerId, port);
  verdicts.set(containerId, { redis, at: Date.now() });
  return redis;
}

async function inspectImageConfig(docker: Docker, ref: string): Promise<{ Entrypoint?: string[] | null; Cmd?: string[] | null } | undefined> {
  // A locally built image has no repo digest: look it up by name and tag first.
  for (const r of [imageName(ref), ref]) {
    if (!r) continue;
    try {
      const info = (await docker.getImage(r).inspect()) as { Config?: { Entrypoint?: string[] | null; Cmd?: string[] | null } };
      return info.Config ?? {};
    } catch {
      // Not on this engine (another swarm node pulled it): the next name, or no answer.
    }
  }
  return undefined;
}

/** PING on the node's port from inside its container, over bash's /dev/tcp as the tunnels do. */
async function pingThroughExec(docker: Docker, containerId: string, port: number): Promise<boolean> {
  const script =
    `exec 3<>/dev/tcp/127.0.0.1/${port} || exit 1; printf 'PING\\r\\n' >&3; ` +
    `IFS= read -r -t ${PING_PROBE_TIMEOUT_S} line <&3; printf '%s' "$line"`;
  try {
    const reply = await execCapture(docker, containerId, ['bash', '-c', script]);
    return isRedisPingReply(reply.replace(/\r$/, ''));
  } catch {
    // No bash, nothing listening, or the container is on another engine: not recognised.
    return false;
  }
}

export async function listSwarmClusters(docker: Docker): Promise<SwarmCluster[]> {
  const [services, tasks, hosts] = (await Promise.all([docker.listServices(), docker.listTasks(), listSwarmHosts(docker)])) as [ServiceInfo[], TaskInfo[], SwarmHost[]];
  const verdicts = pingVerdicts.get(docker) ?? new Map<string, PingVerdict>();
  pingVerdicts.set(docker, verdicts);
  const live = new Set(tasks.flatMap((t) => (t.Status?.ContainerStatus?.ContainerID ? [t.Status.ContainerStatus.ContainerID] : [])));
  for (const id of [...verdicts.keys()]) if (!live.has(id)) verdicts.delete(id);

  const assigned = await Promise.all(
    services.map(async (s): Promise<{ cluster?: string; managed: boolean }> => {
      const labels = s.Spec?.Labels ?? {};
      const cluster = labels[LABEL_CLUSTER];
      if (labels[LABEL_MANAGED] === 'true' && cluster) return { cluster, managed: true };
      // The user said which cluster this service belongs to.
      if (cluster) return { cluster, managed: false };
      const m = HAND_MADE.exec(s.Spec?.Name ?? '');
      if (m && (await runsRedis(docker, s, tasks, verdicts))) return { cluster: m[1] as string, managed: false };
      return { managed: false };
    }),
  );
  const groups = new Map<string, { managed: boolean; services: ServiceInfo[] }>();
  for (const [i, s] of services.entries()) {
    const { cluster, managed } = assigned[i] ?? { managed: false };
    if (!cluster) continue;
    const key = `${managed ? 'm' : 'h'}:${cluster}`;
    const g = groups.get(key) ?? { managed, services: [] };
    g.services.push(s);
    groups.set(key, g);
  }
  // A labelled cluster hides a hand-made group of the same name.
  const clusters: SwarmCluster[] = [];
  for (const [key, g] of groups) {
    const name = key.slice(2);
    if (!g.managed && groups.has(`m:${name}`)) continue;
    clusters.push(buildCluster(name, g.managed, g.services, tasks, hosts));
  }
  return clusters.sort((a, b) => a.name.localeCompare(b.name));
}

export async function findSwarmCluster(docker: Docker, name: string, options: DiscoverOptions = {}): Promise<SwarmCluster> {
  if (options.services && options.services.length > 0) return namedCluster(docker, name, options.services);
  const all = await listSwarmClusters(docker);
  const found = all.find((c) => c.name === name);
  if (!found) {
    const known = all.map((c) => c.name);
    throw new NotFoundError(
      `No Redis cluster "${name}" on this swarm: no services labelled ${LABEL_CLUSTER}=${name} and none named ${name}-1, ${name}-2, … ` +
        `running a Redis server (name its services with --services a,b,c, or label each org.redis-swarm.cluster=${name}).${known.length > 0 ? ` Known: ${known.join(', ')}.` : ' Deploy one with `redis-swarm deploy`.'}`,
    );
  }
  return found;
}

/** The cluster made of exactly the services the user named, in the order given. */
async function namedCluster(docker: Docker, name: string, wanted: readonly string[]): Promise<SwarmCluster> {
  const services = (await docker.listServices()) as ServiceInfo[];
  const byName = new Map(services.map((s) => [s.Spec?.Name ?? '', s]));
  const missing = wanted.filter((w) => !byName.has(w));
  if (missing.length > 0) throw new BadInputError(`No service named ${missing.join(', ')} on this swarm ("docker service ls" lists them).`);
  const chosen = [...new Set(wanted)].map((w) => byName.get(w) as ServiceInfo);
  const managed = chosen.every((s) => s.Spec?.Labels?.[LABEL_MANAGED] === 'true' && s.Spec.Labels[LABEL_CLUSTER] === name);
  return buildCluster(name, managed, chosen, (await docker.listTasks()) as TaskInfo[], await listSwarmHosts(docker));
}

/** `swarmHosts` is empty on a worker's engine, which cannot list nodes. */
function buildCluster(name: string, managed: boolean, services: ServiceInfo[], tasks: TaskInfo[], swarmHosts: readonly SwarmHost[]): SwarmCluster {
  const hosts = new Map(swarmHosts.map((h) => [h.id, h.hostname]));
  const first = services[0]?.Spec?.Labels ?? {};
  const nodes = services
    .map((s, i) => buildNode(s, tasks, i + 1, hosts))
    .sort((a, b) => a.index - b.index || a.service.localeCompare(b.service));
  const authSecret = first[LABEL_AUTH_SECRET];
  const operatorUser = first[LABEL_OPERATOR_USER];
  const appUsers = (first[LABEL_ACL_USERS] ?? '').split(',').filter(Boolean);
  const tls = first[LABEL_TLS];
  const tlsCa = services[0]?.Spec?.TaskTemplate?.ContainerSpec?.Configs?.find((c) => c.File?.Name === TLS_CA_PATH)?.ConfigName;
  const stack = first[LABEL_STACK_NAMESPACE];
  const replicas = Number(first[LABEL_REPLICAS] ?? NaN);
  const roll = rollOf(services);
  return {
    name,
    managed,
    mode: first[LABEL_MODE] === 'cache' ? 'cache' : 'persistent',
    ...(authSecret ? { authSecret } : {}),
    ...(operatorUser ? { operatorUser, appUsers } : {}),
    ...(tls === 'generated' || tls === 'files' ? { tls, ...(tlsCa ? { tlsCa } : {}) } : {}),
    ...(Number.isInteger(replicas) && replicas >= 0 ? { replicas } : {}),
    ...(stack ? { stack } : {}),
    ...(roll ? { roll } : {}),
    nodes,
    ...(swarmHosts.length > 0 ? { hosts: swarmHosts } : {}),
  };
}

/** The unfinished roll any node service records (views show it; a label no one can read shows nothing). */
function rollOf(services: readonly ServiceInfo[]): SwarmCluster['roll'] {
  for (const s of services) {
    try {
      const r = decodeRoll(s.Spec?.Labels?.[LABEL_ROLL]);
      if (r) return { kind: r.kind, startedAt: r.startedAt };
    } catch {
      // Unreadable: `upgrade --resume` says so in words.
    }
  }
  return undefined;
}

function buildNode(s: ServiceInfo, allTasks: TaskInfo[], position: number, hosts: ReadonlyMap<string, string>): SwarmRedisNode {
  const spec = s.Spec ?? {};
  const labels = spec.Labels ?? {};
  const name = spec.Name ?? s.ID;
  // A node's number: its label, else its name's `-<n>`, else its place among the services given.
  const index = Number(labels[LABEL_NODE_INDEX] ?? HAND_MADE.exec(name)?.[2] ?? position) || position;
  const port = Number(labels[LABEL_PORT] ?? portFromArgv(effectiveArgv(spec.TaskTemplate?.ContainerSpec ?? {})) ?? DEFAULT_REDIS_PORT);
  const ports = spec.EndpointSpec?.Ports ?? s.Endpoint?.Ports ?? [];
  const published = ports.find((p) => p.TargetPort === port && p.PublishedPort);
  const networkIds = new Set((spec.TaskTemplate?.Networks ?? []).flatMap((n) => (n.Target ? [n.Target] : [])));
  const task = currentTask(allTasks.filter((t) => t.ServiceID === s.ID), networkIds, hosts);
  const announced = announcedHostname(spec.TaskTemplate?.ContainerSpec ?? {});
  const config = spec.TaskTemplate?.ContainerSpec?.Configs?.find((c) => c.File?.Name === CONF_PATH)?.ConfigName;
  return {
    service: name,
    ...(announced !== undefined && announced !== name ? { hostname: announced } : {}),
    serviceId: s.ID,
    index,
    image: imageName(spec.TaskTemplate?.ContainerSpec?.Image ?? ''),
    port,
    ...(published?.PublishedPort ? { publishedPort: published.PublishedPort } : {}),
    ...(task ? { task } : {}),
    ...(config !== undefined ? { config } : {}),
  };
}

/** The running task if any, else the newest: a restarting node shows why it is not running. */
function currentTask(tasks: TaskInfo[], networkIds: Set<string>, hosts: ReadonlyMap<string, string>): SwarmTask | undefined {
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
    ...(t.NodeID && hosts.has(t.NodeID) ? { swarmHost: hosts.get(t.NodeID) as string } : {}),
    ...(t.Status?.ContainerStatus?.ContainerID ? { containerId: t.Status.ContainerStatus.ContainerID } : {}),
    ...(ip ? { ip } : {}),
    ...(t.Status?.Err ? { error: t.Status.Err } : {}),
    ...(t.Status?.Timestamp ? { since: t.Status.Timestamp } : {}),
  };
}

/** The name a node announces to the cluster: its own setting, else its service's name. */
export function announcedName(node: SwarmRedisNode): string {
  return node.hostname ?? node.service;
}

/** The value of `--cluster-announce-hostname` on the node's command line, when it has one. */
function announcedHostname(spec: { Command?: string[]; Args?: string[] }): string | undefined {
  const argv = [...(spec.Command ?? []), ...(spec.Args ?? [])];
  const i = argv.indexOf('--cluster-announce-hostname');
  const value = i >= 0 ? argv[i + 1] : undefined;
  return value !== undefined && value !== '' ? value : undefined;
}

/** Nodes whose task runs and has an address: the ones a cluster operation can use. */
export function runningNodes(cluster: SwarmCluster): SwarmRedisNode[] {
  return cluster.nodes.filter((n) => n.task?.state === 'running' && n.task.containerId && n.task.ip);
}

/** Where to start reading a cluster's topology: its running nodes by service name. */
export function seedEndpoints(cluster: SwarmCluster): Endpoint[] {
  return runningNodes(cluster).map((n) => ({ host: n.service, port: n.port }));
}
