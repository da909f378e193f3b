/**
 * Scale out: a new node service for a cluster on the swarm, made from the spec of an existing
 * node service (image, command, config, secret, network, restart policy, placement) with its
 * own name, labels (the next node index), volume `<name>-<i>-data`, and the next published port
 * when the cluster publishes. Then, as redis-cli's add-node does: it meets the cluster (the new
 * node runs CLUSTER MEET with an existing node's overlay IP: node-to-node traffic; this host
 * reaches the new node only through the router), and becomes a replica (of the given master,
 * or of the master that needs one most) or an empty master, which a rebalance with empty
 * masters then fills.
 *
 * Plan (planAddNode), then act (applyAddNode), then check (the nodes agree, the replica's link
 * is up, `check` finds no error). A failure before the node holds data removes what was
 * created: the node is forgotten, its service and its volume removed.
 */
import type Docker from 'dockerode';
import { infoField } from '../cluster/nodesParser';
import { type ClusterTopology } from '../cluster/topology';
import { type Finding } from '../cluster/check';
import { hostPortsProblem } from '../swarm/deploy';
import { BadInputError, CancelledError, isCancelledError, TimeoutError, describeError, NotFoundError } from '../errors';
import { type CancellationToken, neverCancelled, nullLogger, silentProgress, sleep } from '../lifecycle';
import { replyText } from '../redis/adminConnection';
import { type Endpoint } from '../routes/endpoint';
import { serviceName, volumeName } from '../swarm/deployOptions';
import { missingImageProblem, probeImageOnNodes } from '../swarm/imageProbe';
import { findSwarmCluster, type SwarmCluster } from '../swarm/discover';
import { removeClusterObjects } from '../swarm/destroy';
import { type ContainerMounts, type NodeTlsObjects, nodeTlsMountsOf, tlsForNewNode, withNodeTls } from '../swarm/nodeTls';
import { LABEL_NODE_INDEX } from '../swarm/labels';
import { type MoveReport } from './mover';
import { requireReadyForMoves } from './opsTopology';
import { planNodesFrom } from './planReshard';
import { planRebalance, type RebalancePlan } from './planRebalance';
import { applyRebalance, planRebalanceOn } from './rebalance';
import { findClusterNode, nodeLabel } from '../cluster/nodeNames';
import { pickMasterForReplica, sharedMachine } from '../cluster/replicaPlacement';
import { masterCandidates, type MasterCandidate, nextNodeIndex } from './planScale';
import { blockingFindings, forgetEverywhere, notSettled, readFresh, requireSwarmRoutes, type ScaleContext, SCALE_POLL_MS, type SwarmRoutes, waitUntil } from './scaleSupport';

/** How long the new task may take to run (ms); the image is local, so seconds. */
export const ADD_NODE_TASK_TIMEOUT_MS = 90_000;
/** How long the new node may take to be known by every node, and to know them (ms). */
export const ADD_NODE_JOIN_TIMEOUT_MS = 60_000;
/** How long a new replica may take to sync (ms): repl-diskless-sync-delay alone is 5 s. */
export const ADD_NODE_SYNC_TIMEOUT_MS = 60_000;
/** Failed starts of the new task after which it is taken as not starting (a bad spec, a port taken). */
const TASK_FAILURES_BEFORE_GIVING_UP = 3;
/** Rounds of CLUSTER FORGET when a failed add is undone (each after a short wait). */
const UNDO_FORGET_ATTEMPTS = 3;
/** The placeholder ID of the node not yet created, in the rebalance preview. */
const NEW_NODE = '(new)';

export interface AddNodeRequest {
  /** 'master' (empty until a rebalance), or 'replica' (the default). */
  readonly role: 'master' | 'replica';
  /** For a replica: its master (ID, prefix, service or host:port); default: the master that needs one most. */
  readonly masterOf?: string;
  /** For a master: rebalance with empty masters afterwards. */
  readonly rebalance?: boolean;
}

export interface AddNodePlan {
  readonly cluster: string;
  readonly service: string;
  readonly index: number;
  readonly volume: string;
  readonly publishedPort?: number;
  /** The service whose spec is copied. */
  readonly template: string;
  readonly role: 'master' | 'replica';
  /** For a replica: the master, and whether the user named it. */
  readonly master?: { readonly id: string; readonly label: string; readonly replicas: number; readonly chosen: 'given' | 'fewest-replicas' };
  /** For a master with rebalance: how many slots the new master would get, as planned now. */
  readonly rebalanceSlots?: number;
  readonly warnings: readonly string[];
}

/** The plan, plus what applying it needs (kept out of the plan so the plan prints cleanly). */
export interface PreparedAddNode {
  readonly plan: AddNodePlan;
  readonly topology: ClusterTopology;
  readonly spec: ServiceSpec;
  /** Masters that could take the replica, for the anti-affinity pick once the task is placed. */
  readonly candidates: readonly MasterCandidate[];
}

export interface AddNodeResult {
  readonly service: string;
  readonly index: number;
  readonly nodeId: string;
  readonly endpoint: Endpoint;
  readonly role: 'master' | 'replica';
  readonly masterId?: string;
  readonly swarmNode?: string;
  /** Where the new replica landed protects less than it could, with the consequence. */
  readonly placementWarning?: string;
  /** The rebalance that followed (--rebalance), when it moved anything. */
  readonly rebalance?: { readonly plan: RebalancePlan; readonly report: MoveReport; readonly topology: ClusterTopology };
  /** `check` afterwards: errors and warnings still found. */
  readonly findings: readonly Finding[];
  /** Every step done and the check found no error. */
  readonly ok: boolean;
  readonly elapsedMs: number;
}

export interface ServiceSpec {
  Name?: string;
  Labels?: Record<string, string>;
  TaskTemplate?: {
    ContainerSpec?: {
      Image?: string;
      Command?: string[];
      Args?: string[];
      Hostname?: string;
      Labels?: Record<string, string>;
      Mounts?: { Type?: string; Source?: string; Target?: string }[];
      /** A TLS node's certificate and key mounts (a new node gets its own). */
      Configs?: ContainerMounts['Configs'];
      Secrets?: ContainerMounts['Secrets'];
    };
    Networks?: { Target: string; Aliases?: string[] }[];
    Placement?: { Constraints?: string[] };
  };
  EndpointSpec?: { Ports?: { PublishedPort?: number; TargetPort?: number }[] };
}

/** The master that needs a replica most in the topology (fewest replicas, then most slots). */
export function masterNeedingReplica(topology: ClusterTopology): MasterCandidate | undefined {
  return pickMasterForReplica(masterCandidates(topology));
}

/**
 * The new service's spec: a copy of `template` (node `templateIndex`) with the new name, index,
 * volume and port. Pure; `publishBase` is the cluster's first published port, when it publishes.
 */
export function specForNewNode(template: ServiceSpec, clusterName: string, index: number, publishBase?: number): ServiceSpec {
  const spec = JSON.parse(JSON.stringify(template)) as ServiceSpec;
  const oldName = template.Name ?? '';
  const name = serviceName(clusterName, index);
  spec.Name = name;
  spec.Labels = { ...(spec.Labels ?? {}), [LABEL_NODE_INDEX]: String(index) };
  const c = spec.TaskTemplate?.ContainerSpec;
  if (c) {
    c.Labels = { ...(c.Labels ?? {}), [LABEL_NODE_INDEX]: String(index) };
    // The one per-node setting on the command line names the node (`--cluster-announce-hostname redis-3`).
    for (const list of [c.Command, c.Args]) if (list) list.forEach((a, i) => { if (a === oldName) list[i] = name; });
    if (c.Hostname !== undefined) c.Hostname = name;
    for (const m of c.Mounts ?? []) if (m.Type === 'volume' && m.Target === '/data') m.Source = volumeName(clusterName, index);
  }
  for (const n of spec.TaskTemplate?.Networks ?? []) if (n.Aliases) n.Aliases = n.Aliases.map((a) => (a === oldName ? name : a));
  // Published ports follow deploy's rule: node i on base + i - 1.
  for (const p of spec.EndpointSpec?.Ports ?? []) {
    if (p.PublishedPort !== undefined && publishBase !== undefined) p.PublishedPort = publishBase + index - 1;
  }
  return spec;
}

/** The cluster's first published port (node 1's), when its nodes publish. */
function publishBaseOf(cluster: SwarmCluster): number | undefined {
  const n = cluster.nodes.find((x) => x.publishedPort !== undefined);
  return n?.publishedPort !== undefined ? n.publishedPort - (n.index - 1) : undefined;
}

/** Reads the cluster and Docker, checks, and decides everything; changes nothing. */
export async function planAddNode(ctx: ScaleContext, clusterName: string, req: AddNodeRequest): Promise<PreparedAddNode> {
  const docker = ctx.engine.docker;
  const cluster = await findSwarmCluster(docker, clusterName);
  if (!cluster.managed) throw new BadInputError(`Cluster "${clusterName}" was not deployed by redis-swarm; add its nodes by hand (docker service create) and CLUSTER MEET.`);
  // A stack's services live in its file: a service added beside them would be a stranger to the next `docker stack deploy`.
  if (cluster.stack) throw new BadInputError(`Cluster "${clusterName}" belongs to stack "${cluster.stack}", whose services live in its stack file: add-node would make a service the file does not have, so write the file again with more nodes (deploy --stack-file … --nodes N) and run docker stack deploy.`);
  if (req.role === 'replica' && req.rebalance === true) throw new BadInputError('--rebalance is for a new master (--master); a replica holds no slots.');
  if (req.role === 'master' && req.masterOf !== undefined) throw new BadInputError('Give --master or --replica-of, not both.');
  const { topology } = await readFresh(ctx, clusterName);
  // As redis-cli's add-node checks the cluster first: a node added to a broken cluster only adds trouble.
  requireReadyForMoves(topology);
  const warnings: string[] = [];

  const candidates = masterCandidates(topology);
  let master: AddNodePlan['master'];
  if (req.role === 'replica') {
    if (req.masterOf !== undefined) {
      const m = findClusterNode(topology, req.masterOf);
      if (m.role !== 'master') throw new BadInputError(`${nodeLabel(m)} is a replica; name a master for --replica-of.`);
      const c = candidates.find((x) => x.id === m.id);
      if (!c) throw new BadInputError(`${nodeLabel(m)} holds no slots or is not healthy; a replica of it would serve nothing.`);
      master = { id: c.id, label: c.label, replicas: c.replicas, chosen: 'given' };
    } else {
      const c = pickMasterForReplica(candidates);
      if (!c) throw new BadInputError('No healthy master with slots to replicate.');
      master = { id: c.id, label: c.label, replicas: c.replicas, chosen: 'fewest-replicas' };
    }
  }

  const [services, volumes] = await Promise.all([docker.listServices(), docker.listVolumes()]);
  const taken = new Set<string>([
    ...services.map((s) => (s as { Spec?: { Name?: string } }).Spec?.Name ?? ''),
    ...(volumes.Volumes ?? []).map((v) => v.Name),
  ]);
  const index = nextNodeIndex(clusterName, cluster.nodes.map((n) => n.index), taken);
  const skipped = index - (Math.max(0, ...cluster.nodes.map((n) => n.index)) + 1);
  if (skipped > 0) warnings.push(`${skipped} index(es) skipped: their service or volume name is taken (a volume kept by del-node keeps the old node's identity).`);

  const template = [...cluster.nodes].filter((n) => n.task?.state === 'running').sort((a, b) => a.index - b.index)[0] ?? cluster.nodes[0];
  if (!template) throw new NotFoundError(`Cluster "${clusterName}" has no node service to copy.`);
  const inspected = (await docker.getService(template.serviceId).inspect()) as { Spec: ServiceSpec };
  const base = publishBaseOf(cluster);
  const spec = specForNewNode(inspected.Spec, clusterName, index, base);
  const publishedPort = spec.EndpointSpec?.Ports?.find((p) => p.PublishedPort !== undefined)?.PublishedPort;
  if (publishedPort !== undefined) {
    // The same check as deploy's: published by a service (its spec or its endpoint), or held by a process here.
    const problem = await hostPortsProblem(ctx.engine, [publishedPort], services);
    if (problem) throw new BadInputError(`Cannot add ${serviceName(clusterName, index)}: ${problem}. Nothing was created.`);
  }

  const image = spec.TaskTemplate?.ContainerSpec?.Image;
  if (image) {
    // Swarm may place the new task on any node the template's constraints allow: each needs the image.
    const missing = missingImageProblem(image, await probeImageOnNodes(docker, image, { constraints: spec.TaskTemplate?.Placement?.Constraints ?? [] }));
    if (missing) throw new BadInputError(`Cannot add ${serviceName(clusterName, index)}: ${missing}. Nothing was created.`);
  }

  let rebalanceSlots: number | undefined;
  if (req.role === 'master' && req.rebalance === true) {
    // The rebalance as it would run now, with the new node as an empty master.
    const preview = planRebalance([...planNodesFrom(topology), { id: NEW_NODE, label: serviceName(clusterName, index), role: 'master', slots: [] }], { useEmptyMasters: true });
    rebalanceSlots = preview.moves.filter((m) => m.targetId === NEW_NODE).length;
  }
  if (req.role === 'master' && req.rebalance !== true) warnings.push('The new master holds no slots until you rebalance (`rebalance --use-empty-masters`) or reshard to it.');

  const plan: AddNodePlan = {
    cluster: clusterName,
    service: serviceName(clusterName, index),
    index,
    volume: volumeName(clusterName, index),
    ...(publishedPort !== undefined ? { publishedPort } : {}),
    template: template.service,
    role: req.role,
    ...(master ? { master } : {}),
    ...(rebalanceSlots !== undefined ? { rebalanceSlots } : {}),
    warnings,
  };
  return { plan, topology, spec, candidates };
}

export function formatAddNodePlan(p: AddNodePlan): string {
  const lines = [
    `>>> Adding node ${p.service} to cluster ${p.cluster}`,
    `    service ${p.service} (a copy of ${p.template}), volume ${p.volume}${p.publishedPort !== undefined ? `, host port ${p.publishedPort}` : ''}`,
    `    CLUSTER MEET from the new node to the cluster`,
  ];
  if (p.role === 'replica' && p.master) {
    const why =
      p.master.chosen === 'given'
        ? 'as asked'
        : `for now; once the task runs, the master it protects from losing a machine (not one on the task's swarm node) with the fewest replicas`;
    lines.push(`    CLUSTER REPLICATE: replica of ${p.master.label}, ${why}`);
  } else {
    lines.push('    an empty master');
    if (p.rebalanceSlots !== undefined) lines.push(`    then rebalance with empty masters: about ${p.rebalanceSlots} slot(s) move to it`);
  }
  for (const w of p.warnings) lines.push(`[WARNING] ${w}`);
  return lines.join('\n') + '\n';
}

/** What the add created so far: an undo needs it, the result reports it. */
interface AddedNode {
  nodeId?: string;
  ep?: Endpoint;
  swarmNode?: string;
  swarmHost?: string | undefined;
  masterId?: string;
  /** The replica shares a machine with its master or a sibling (said with the consequence). */
  warning?: string;
}

/** Creates the service, joins it, sets its role, optionally rebalances, then checks. */
export async function applyAddNode(ctx: ScaleContext, prepared: PreparedAddNode): Promise<AddNodeResult> {
  const started = Date.now();
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  const { plan } = prepared;
  const name = plan.service;
  const routes = requireSwarmRoutes(ctx.router);

  // A TLS cluster's new node gets a certificate naming it (a copy of a sibling's would not).
  const swarmCluster = await findSwarmCluster(ctx.engine.docker, plan.cluster, ctx.discover ?? {});
  let spec = prepared.spec;
  const container = spec.TaskTemplate?.ContainerSpec;
  let tls: NodeTlsObjects | undefined;
  if (swarmCluster.tls && container) {
    progress.report({ message: `issuing a TLS certificate for ${name}` });
    tls = await tlsForNewNode(ctx.engine, swarmCluster, name, await userCertificate(ctx, swarmCluster));
    if (tls) spec = { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: withNodeTls(container, tls) } };
  }
  progress.report({ message: `creating service ${name}` });
  await ctx.engine.docker.createService(spec as Docker.CreateServiceOptions);
  const added: AddedNode = {};
  try {
    await startAndMeet(ctx, prepared, routes, added);
    if (plan.role === 'replica' && plan.master) await becomeReplica(ctx, prepared, added);
  } catch (err) {
    // Not holding data yet: take the node away again rather than leave it half-added.
    logger.warn(`adding ${name} failed (${describeError(err)}); removing it`);
    progress.report({ message: `adding ${name} failed; removing what it created` });
    await undoAdd(ctx, plan, added.nodeId, added.ep).catch((e: unknown) => logger.error(`removing ${name} after the failure: ${describeError(e)}`));
    // Its certificate and key go with it (the service that mounted them is gone).
    if (tls) {
      await removeClusterObjects(ctx.engine.docker, { services: [], volumes: [], configs: [tls.config.name], secrets: [tls.secret.name], networks: [] }).catch((e: unknown) =>
        logger.error(`removing the TLS objects of ${name}: ${describeError(e)}`),
      );
    }
    throw err;
  }

  const rebalance = plan.role === 'master' && plan.rebalanceSlots !== undefined ? await rebalanceOntoNewMaster(ctx, plan.cluster) : undefined;
  const newId = added.nodeId as string;
  const findings = await checkAfterAdd(ctx, plan, newId);
  const moved = rebalance === undefined || (rebalance.report.failed.length + rebalance.report.conflicts.length + rebalance.report.notStarted.length === 0);
  return {
    service: name,
    index: plan.index,
    nodeId: newId,
    endpoint: added.ep as Endpoint,
    role: plan.role,
    ...(added.masterId !== undefined ? { masterId: added.masterId } : {}),
    ...(added.swarmNode !== undefined ? { swarmNode: added.swarmNode } : {}),
    ...(added.warning !== undefined ? { placementWarning: added.warning } : {}),
    ...(rebalance ? { rebalance } : {}),
    findings,
    ok: findings.length === 0 && moved,
    elapsedMs: Date.now() - started,
  };
}

/** The certificate a cluster deployed with the user's files mounts on every node. */
async function userCertificate(ctx: ScaleContext, cluster: SwarmCluster): Promise<string | undefined> {
  const first = cluster.nodes[0];
  if (cluster.tls !== 'files' || !first) return undefined;
  const spec = (await ctx.engine.docker.getService(first.service).inspect()) as { Spec?: { TaskTemplate?: { ContainerSpec?: ContainerMounts } } };
  const config = nodeTlsMountsOf(spec.Spec?.TaskTemplate?.ContainerSpec ?? {}).config;
  if (!config) return undefined;
  const data = ((await ctx.engine.docker.getConfig(config).inspect()) as { Spec?: { Data?: string } }).Spec?.Data ?? '';
  return Buffer.from(data, 'base64').toString('utf8');
}

/**
 * What add-node says when its new replica shares a machine with the master it serves (2) or with
 * another replica of it (1): --replica-of asked for that master, or no master runs elsewhere.
 */
export function replicaPlacementWarning(service: string, master: string, shared: 1 | 2, host: string, given: boolean): string {
  return (
    `${service} runs on the same swarm node (${host}) as ${shared === 2 ? `its master ${master}` : `another replica of ${master}`}` +
    `${given ? ', as --replica-of asked' : ', and no master can have a replica off that node'}: losing ${host} takes ` +
    `${shared === 2 ? 'the master and this replica at once' : 'both replicas at once'}. ` +
    'Add swarm nodes, or keep the service off it (docker service update --constraint-add), then run heal.'
  );
}

/** Waits for the new task, asks the node its ID, and has it meet the cluster until everyone knows everyone. */
async function startAndMeet(ctx: ScaleContext, prepared: PreparedAddNode, routes: SwarmRoutes, added: AddedNode): Promise<void> {
  const progress = ctx.progress ?? silentProgress;
  const { plan, topology } = prepared;
  const name = plan.service;
  const fresh = await waitRunning(ctx.engine.docker, plan.cluster, name, ctx.token ?? neverCancelled);
  routes.update(fresh);
  const node = fresh.nodes.find((n) => n.service === name);
  added.swarmNode = node?.task?.swarmNode || undefined;
  added.swarmHost = node?.task?.swarmHost;
  const newEp: Endpoint = { host: name, port: node?.port ?? 6379 };
  added.ep = newEp;
  const newId = replyText(await ctx.pool.command(newEp, ['CLUSTER', 'MYID']));
  added.nodeId = newId;

  // The new node meets one healthy node, at that node's overlay IP as Docker reports it now.
  const known = topology.nodes.filter((n) => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && !n.flags.noaddr);
  const current = new Map(fresh.nodes.map((n) => [n.service, n]));
  const via = known
    .map((n) => ({ n, s: n.swarm ? current.get(n.swarm.service) : undefined }))
    .find((x) => x.n.role === 'master' && x.s?.task?.state === 'running' && x.s.task.ip);
  if (!via?.s?.task?.ip) throw new NotFoundError('No running master of the cluster has an overlay address to meet.');
  progress.report({ message: `${name} meets the cluster (CLUSTER MEET ${via.s.service})` });
  await ctx.pool.command(newEp, ['CLUSTER', 'MEET', via.s.task.ip, via.n.endpoint.port, via.n.busPort]);
  await waitUntil(
    ctx,
    plan.cluster,
    `${name} to join`,
    ({ topology: t }) => {
      const self = t.views.find((v) => v.view.self.id === newId);
      if (!self) return `${name} cannot be read yet`;
      const missing = known.filter((k) => !self.view.nodes.some((n) => n.id === k.id && !n.flags.handshake && !n.flags.noaddr));
      if (missing.length > 0) return `${name} does not know ${missing.length} node(s) yet`;
      const unaware = t.views.filter((v) => !v.view.nodes.some((n) => n.id === newId && !n.flags.handshake && !n.flags.noaddr));
      return unaware.length > 0 ? `${unaware.length} node(s) do not know ${name} yet` : undefined;
    },
    ADD_NODE_JOIN_TIMEOUT_MS,
  );
}

/** Makes the joined node a replica of the planned master (placement breaks a tie) and waits for its link. */
async function becomeReplica(ctx: ScaleContext, prepared: PreparedAddNode, added: AddedNode): Promise<void> {
  const progress = ctx.progress ?? silentProgress;
  const { plan } = prepared;
  const name = plan.service;
  if (!plan.master) return;
  let target = plan.master.id;
  if (plan.master.chosen === 'fewest-replicas') {
    // Now that the task has a machine: the shared rule, a master it protects from losing that machine first.
    target = pickMasterForReplica(prepared.candidates, added.swarmNode)?.id ?? target;
  }
  added.masterId = target;
  const chosen = prepared.candidates.find((c) => c.id === target);
  const label = chosen?.label ?? target.slice(0, 8);
  const shared = chosen ? sharedMachine(chosen, added.swarmNode) : 0;
  if (shared !== 0) added.warning = replicaPlacementWarning(name, label, shared, added.swarmHost ?? added.swarmNode ?? '?', plan.master.chosen === 'given');
  const ep = added.ep as Endpoint;
  progress.report({ message: `${name} replicates ${label} (CLUSTER REPLICATE)` });
  await ctx.pool.command(ep, ['CLUSTER', 'REPLICATE', target]);
  progress.report({ message: `waiting for ${name} to sync with ${label}` });
  await waitLinkUp(ctx, ep, name);
}

/** `--rebalance` with empty masters once every node agrees; a failure from here on leaves the node. */
async function rebalanceOntoNewMaster(ctx: ScaleContext, clusterName: string): Promise<AddNodeResult['rebalance']> {
  const progress = ctx.progress ?? silentProgress;
  // The new master must appear in every view, with the same slot map, before slots move to it.
  progress.report({ message: 'waiting for the nodes to agree before the rebalance' });
  const { topology: now } = await waitUntil(ctx, clusterName, 'the nodes to agree on the configuration', (r) => notSettled(r.topology));
  const rplan = planRebalanceOn(now, { useEmptyMasters: true });
  if (!rplan.needed || rplan.moves.length === 0) return undefined;
  progress.report({ message: `rebalancing: ${rplan.moves.length} slot(s) in ${rplan.steps.length} step(s)` });
  // A failure from here on leaves the node: it may hold slots and keys now.
  const report = await applyRebalance(
    {
      pool: ctx.pool,
      ...(ctx.settings ? { settings: ctx.settings } : {}),
      token: ctx.token ?? neverCancelled,
      logger: ctx.logger ?? nullLogger,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    },
    now,
    rplan,
  );
  return { plan: rplan, report, topology: now };
}

/** Waits (bounded) for every node to know the new one and agree, then returns what `check` still finds. */
async function checkAfterAdd(ctx: ScaleContext, plan: AddNodePlan, newId: string): Promise<readonly Finding[]> {
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  progress.report({ message: 'checking the cluster' });
  const checked = await waitUntil(ctx, plan.cluster, 'the cluster to settle', (r) => {
    const unaware = r.topology.views.filter((v) => !v.view.nodes.some((n) => n.id === newId && !n.flags.handshake));
    return unaware.length > 0 ? `${unaware.length} node(s) do not know ${plan.service}` : notSettled(r.topology);
  }).catch(async (err: unknown) => {
    if (isCancelledError(err)) throw err;
    logger.warn(describeError(err));
    return readFresh(ctx, plan.cluster);
  });
  return blockingFindings(checked.topology);
}

export function formatAddNodeResult(r: AddNodeResult): string {
  const lines = [
    `[${r.ok ? 'OK' : 'ERR'}] ${r.service} (${r.nodeId.slice(0, 8)}) joined as ${r.role === 'replica' ? `replica of ${r.masterId?.slice(0, 8) ?? '?'}` : 'master'} in ${r.elapsedMs} ms.`,
  ];
  if (r.rebalance) lines.push(`    rebalance moved ${r.rebalance.report.moved.length} slot(s) and ${r.rebalance.report.keysMoved} key(s)${r.rebalance.report.cancelled ? ' (cancelled)' : ''}.`);
  if (r.placementWarning !== undefined) lines.push(`[WARNING] ${r.placementWarning}`);
  for (const f of r.findings) lines.push(`[ERR] ${f.message}`);
  return lines.join('\n') + '\n';
}

/**
 * Forgets the node (if it met anyone), removes its service, waits for its container, removes
 * its volume. The node is reset first so it stops introducing itself; a peer that learned of it
 * only after a FORGET (the handshake was in flight) is told again, a few times at most. The
 * reset gives the node a new ID, and a peer whose handshake with its address was in flight
 * learns that one: every ID announced under the service's name is forgotten, not only the first.
 */
async function undoAdd(ctx: ScaleContext, plan: AddNodePlan, nodeId: string | undefined, ep: Endpoint | undefined): Promise<void> {
  if (nodeId !== undefined) {
    if (ep) await ctx.pool.command(ep, ['CLUSTER', 'RESET', 'HARD']).catch(() => undefined);
    const isTheNode = (n: { id: string; hostname?: string | undefined }): boolean => n.id === nodeId || n.hostname === plan.service;
    for (let attempt = 0; attempt < UNDO_FORGET_ATTEMPTS; attempt++) {
      const { topology } = await readFresh(ctx, plan.cluster);
      const peers = topology.views.filter((v) => !isTheNode(v.view.self));
      const ids = new Set(peers.flatMap((v) => v.view.nodes.filter(isTheNode).map((n) => n.id)));
      if (ids.size === 0) break;
      for (const id of ids) await forgetEverywhere(ctx.pool, peers.filter((v) => v.view.nodes.some((n) => n.id === id)).map((v) => v.view.self), id);
      await sleep(SCALE_POLL_MS * 4);
    }
  }
  await removeClusterObjects(ctx.engine.docker, { services: [plan.service], volumes: [plan.volume], configs: [], secrets: [], networks: [] });
}

async function waitRunning(docker: Docker, clusterName: string, service: string, token: CancellationToken): Promise<SwarmCluster> {
  const deadline = Date.now() + ADD_NODE_TASK_TIMEOUT_MS;
  for (;;) {
    if (token.isCancellationRequested) throw new CancelledError(`Cancelled while ${service} was starting.`);
    const c = await findSwarmCluster(docker, clusterName);
    const n = c.nodes.find((x) => x.service === service);
    if (n?.task?.state === 'running' && n.task.ip && n.task.containerId) return c;
    // Swarm retries a task that cannot start forever; a few failures in a row mean it will not.
    const tasks = (await docker.listTasks({ filters: { service: [service] } })) as { Status?: { State?: string; Err?: string } }[];
    const failures = tasks.filter((t) => t.Status?.State === 'failed' || t.Status?.State === 'rejected');
    if (failures.length >= TASK_FAILURES_BEFORE_GIVING_UP || Date.now() > deadline) {
      const why = failures[0]?.Status?.Err ?? n?.task?.error;
      throw new TimeoutError(`The task of ${service} did not start${failures.length > 0 ? '' : ` within ${ADD_NODE_TASK_TIMEOUT_MS / 1000} s`}${why ? ` (${why})` : ''}. See "docker service ps ${service}".`);
    }
    await sleep(SCALE_POLL_MS, token);
  }
}

async function waitLinkUp(ctx: ScaleContext, ep: Endpoint, name: string): Promise<void> {
  const deadline = Date.now() + ADD_NODE_SYNC_TIMEOUT_MS;
  for (;;) {
    if (ctx.token?.isCancellationRequested) throw new CancelledError(`Cancelled while ${name} was syncing.`);
    const info = replyText(await ctx.pool.command(ep, ['INFO', 'replication']));
    const link = infoField(info, 'master_link_status');
    if (link === 'up') return;
    if (Date.now() > deadline) throw new TimeoutError(`${name} did not sync with its master within ${ADD_NODE_SYNC_TIMEOUT_MS / 1000} s (master_link_status:${link ?? '?'}).`);
    await sleep(SCALE_POLL_MS, ctx.token);
  }
}
