/**
 * Scale in: takes one node out of a cluster on the swarm, as redis-cli's del-node does, with the
 * steps redis-cli leaves to the user done first:
 * 1. a master's replicas are re-pointed (CLUSTER REPLICATE) to the masters that need one most,
 *    before its slots move: once a master has lost its last slot, Redis would otherwise move
 *    all of them to whichever master took that slot (cluster-allow-replica-migration);
 * 2. a master's slots move away: a rebalance with weight 0 for it (planRebalance drains it);
 * 3. every other node forgets it, all at once (CLUSTER FORGET; each bans the ID for 60 s, so no
 *    node gossips it back to one that already forgot it), then the node itself is reset
 *    (CLUSTER RESET: it forgets the others and stops gossiping);
 * 4. its service is removed (its volume too only when asked).
 * A replica skips 1 and 2. Plan (planDelNode), act (applyDelNode), then check.
 */
import { type ClusterNode, type ClusterTopology, countSlots } from '../cluster/topology';
import { type Finding } from '../cluster/check';
import { BadInputError, CancelledError, ConflictError, isCancelledError, describeError } from '../errors';
import { neverCancelled, nullLogger, silentProgress } from '../lifecycle';
import { replyText } from '../redis/adminConnection';
import { volumeName } from '../swarm/deployOptions';
import { removeClusterObjects } from '../swarm/destroy';
import { type MoveReport } from './mover';
import { type RebalancePlan } from './planRebalance';
import { applyRebalance, planRebalanceOn } from './rebalance';
import { findClusterNode, nodeLabel } from '../cluster/nodeNames';
import { masterCandidates, planReplicaMoves, type ReplicaMove } from './planScale';
import { blockingFindings, forgetEverywhere, notSettled, readFresh, type ScaleContext, waitUntil } from './scaleSupport';

/** The setting that lets a master without slots become a replica (Redis 7). */
const REPLICA_MIGRATION = 'cluster-allow-replica-migration';

export interface DelNodeRequest {
  /** The node: ID, unique ID prefix, service name or host:port. */
  readonly node: string;
  /** Remove its volume too (its data and nodes.conf). */
  readonly volumes?: boolean;
}

export interface DelNodePlan {
  readonly cluster: string;
  readonly nodeId: string;
  readonly label: string;
  readonly service: string;
  readonly role: 'master' | 'replica';
  readonly slotCount: number;
  /** The drain of a master's slots (weight 0), when it holds any. */
  readonly drain?: RebalancePlan;
  readonly replicaMoves: readonly ReplicaMove[];
  /** Nodes that will be told to forget it. */
  readonly forgetOn: readonly string[];
  readonly volume: string;
  readonly removeVolume: boolean;
  readonly warnings: readonly string[];
}

export interface PreparedDelNode {
  readonly plan: DelNodePlan;
  readonly topology: ClusterTopology;
}

export interface DelNodeResult {
  readonly nodeId: string;
  readonly service: string;
  readonly drain?: MoveReport;
  readonly replicaMoves: readonly ReplicaMove[];
  /** Nodes that could not be told to forget (unreachable); they may still list it. */
  readonly forgetFailed: readonly { readonly node: string; readonly error: string }[];
  readonly volumeRemoved: boolean;
  readonly findings: readonly Finding[];
  readonly ok: boolean;
  readonly elapsedMs: number;
}

/** The slot-draining plan must empty the node; planRebalance does for weight 0 (checked, not assumed). */
function drainPlan(topology: ClusterTopology, node: ClusterNode): RebalancePlan {
  const plan = planRebalanceOn(topology, { weights: new Map([[node.id, 0]]) });
  const away = plan.moves.filter((m) => m.sourceId === node.id).length;
  if (away !== countSlots(node.slots)) {
    throw new ConflictError(`The plan would move ${away} of the ${countSlots(node.slots)} slots of ${nodeLabel(node)}; reshard them away by hand (reshard --from ${node.id}).`);
  }
  return plan;
}

export async function planDelNode(ctx: ScaleContext, clusterName: string, req: DelNodeRequest): Promise<PreparedDelNode> {
  const { cluster, topology } = await readFresh(ctx, clusterName);
  if (!cluster.managed) throw new BadInputError(`Cluster "${clusterName}" was not deployed by redis-swarm; remove its nodes by hand (CLUSTER FORGET, docker service rm).`);
  // A stack's services live in its file: a service removed here would come back, empty and a stranger, at the next `docker stack deploy`.
  if (cluster.stack) throw new BadInputError(`Cluster "${clusterName}" belongs to stack "${cluster.stack}", whose services live in its stack file: del-node would remove a service the file still has, and the next docker stack deploy would bring it back empty; move its slots away (reshard), write the file again with fewer nodes (deploy --stack-file … --nodes N) and run docker stack deploy --prune.`);
  const node = findClusterNode(topology, req.node);
  const service = node.swarm?.service;
  const swarmNode = cluster.nodes.find((s) => s.service === service);
  if (service === undefined || !swarmNode) throw new BadInputError(`${nodeLabel(node)} runs in no service of cluster "${clusterName}"; nothing to remove.`);
  const warnings: string[] = [];
  const slotCount = countSlots(node.slots);
  let drain: RebalancePlan | undefined;
  let replicaMoves: ReplicaMove[] = [];
  if (node.role === 'master') {
    const others = masterCandidates(topology, new Set([node.id]));
    if (slotCount > 0) {
      if (node.flags.fail || node.flags.pfail) throw new BadInputError(`${nodeLabel(node)} is down and holds ${slotCount} slot(s): fail over to one of its replicas first (failover --force), or bring it back.`);
      if (others.length === 0) throw new BadInputError(`${nodeLabel(node)} is the only master with slots; its slots have nowhere to go.`);
      drain = drainPlan(topology, node);
      if (others.length < 3) warnings.push(`Only ${others.length} master(s) with slots will remain; Redis Cluster needs 3 to survive a master's failure.`);
    }
    const replicas = topology.nodes.filter((r) => r.role === 'replica' && r.masterId === node.id && !r.flags.fail && !r.flags.noaddr);
    if (replicas.length > 0 && others.length === 0) throw new BadInputError(`The replicas of ${nodeLabel(node)} have no other master to go to.`);
    replicaMoves = planReplicaMoves(
      others,
      replicas.map((r) => ({ id: r.id, label: nodeLabel(r), ...(r.swarm?.swarmNode ? { swarmNode: r.swarm.swarmNode } : {}) })),
    );
  } else if (node.masterId !== undefined) {
    const left = topology.nodes.filter((r) => r.role === 'replica' && r.masterId === node.masterId && r.id !== node.id && !r.flags.fail);
    if (left.length === 0) warnings.push(`Its master ${node.masterId.slice(0, 8)} will have no replica left.`);
  }
  const forgetOn = topology.nodes.filter((n) => n.id !== node.id && !n.flags.fail && !n.flags.noaddr).map((n) => n.id);
  return {
    plan: {
      cluster: clusterName,
      nodeId: node.id,
      label: nodeLabel(node),
      service,
      role: node.role,
      slotCount,
      ...(drain ? { drain } : {}),
      replicaMoves,
      forgetOn,
      volume: volumeName(clusterName, swarmNode.index),
      removeVolume: req.volumes === true,
      warnings,
    },
    topology,
  };
}

export function formatDelNodePlan(p: DelNodePlan, topology: ClusterTopology): string {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const name = (id: string): string => {
    const n = byId.get(id);
    return n ? nodeLabel(n) : id.slice(0, 8);
  };
  const lines = [`>>> Removing ${p.role} ${p.label} (service ${p.service}) from cluster ${p.cluster}`];
  for (const m of p.replicaMoves) lines.push(`    CLUSTER REPLICATE: ${m.replicaLabel} becomes a replica of ${m.masterLabel}`);
  if (p.drain) {
    lines.push(`    moving its ${p.slotCount} slot(s) away (rebalance with weight 0 for it):`);
    for (const s of p.drain.steps) lines.push(`      ${s.count} slot(s) from ${name(s.sourceId)} to ${name(s.targetId)}`);
  }
  lines.push(`    CLUSTER FORGET ${p.nodeId.slice(0, 8)} on ${p.forgetOn.length} node(s) at once, then CLUSTER RESET on it`);
  lines.push(`    docker service rm ${p.service}; volume ${p.volume} ${p.removeVolume ? 'removed' : 'kept (--volumes removes it)'}`);
  for (const w of p.warnings) lines.push(`[WARNING] ${w}`);
  return lines.join('\n') + '\n';
}

export async function applyDelNode(ctx: ScaleContext, prepared: PreparedDelNode): Promise<DelNodeResult> {
  const started = Date.now();
  const progress = ctx.progress ?? silentProgress;
  const token = ctx.token ?? neverCancelled;
  const { plan, topology } = prepared;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const target = byId.get(plan.nodeId) as ClusterNode;

  for (const m of plan.replicaMoves) {
    const r = byId.get(m.replicaId) as ClusterNode;
    progress.report({ message: `${m.replicaLabel} replicates ${m.masterLabel}` });
    await ctx.pool.command(r.endpoint, ['CLUSTER', 'REPLICATE', m.masterId]);
  }

  let drain: MoveReport | undefined;
  if (plan.drain) {
    const drained = await drainSlots(ctx, prepared, plan.drain, target);
    drain = drained.report;
    if (drained.notDrained !== undefined) {
      // Still holding slots: forgetting it now would lose them. Stop here, nothing removed.
      return { nodeId: plan.nodeId, service: plan.service, drain, replicaMoves: plan.replicaMoves, forgetFailed: [], volumeRemoved: false, findings: [{ severity: 'error', code: 'not-drained', section: 'coverage', message: `${plan.label} still holds slots (${drained.notDrained}); it was not removed.` }], ok: false, elapsedMs: Date.now() - started };
    }
  }
  if (token.isCancellationRequested) throw new CancelledError(`Cancelled before ${plan.label} was forgotten; its slots (if any) have moved, the node is still in the cluster.`);

  const failed = await forgetAndReset(ctx, plan, target);
  progress.report({ message: `removing service ${plan.service}${plan.removeVolume ? ` and volume ${plan.volume}` : ''}` });
  await removeClusterObjects(ctx.engine.docker, { services: [plan.service], volumes: plan.removeVolume ? [plan.volume] : [], configs: [], secrets: [], networks: [] });
  const findings = await checkAfterDel(ctx, plan);
  return {
    nodeId: plan.nodeId,
    service: plan.service,
    ...(drain ? { drain } : {}),
    replicaMoves: plan.replicaMoves,
    forgetFailed: failed.map((f) => ({ node: nodeLabel(f.node), error: f.error })),
    volumeRemoved: plan.removeVolume,
    findings,
    ok: findings.length === 0 && failed.length === 0,
    elapsedMs: Date.now() - started,
  };
}

/**
 * Moves the master's slots away (the rebalance with weight 0 for it). Returns the report, and
 * why it is not drained when slots are left (its replica-migration setting is given back then).
 */
async function drainSlots(ctx: ScaleContext, prepared: PreparedDelNode, drainPlan: RebalancePlan, target: ClusterNode): Promise<{ report: MoveReport; notDrained?: string }> {
  const progress = ctx.progress ?? silentProgress;
  const { plan, topology } = prepared;
  // A master that loses its last slot turns itself into a replica of the node that took it
  // (cluster.c, cluster-allow-replica-migration), even while SETSLOT NODE for the rest of a
  // window is still to come, which it then refuses ("Please use SETSLOT only with masters").
  // The node leaves anyway: keep it an empty master until it is forgotten.
  const migration = await ctx.pool.command(target.endpoint, ['CONFIG', 'GET', REPLICA_MIGRATION]);
  const before = Array.isArray(migration) && migration[1] !== undefined ? replyText(migration[1]) : 'yes';
  await ctx.pool.command(target.endpoint, ['CONFIG', 'SET', REPLICA_MIGRATION, 'no']);
  progress.report({ message: `moving ${plan.slotCount} slot(s) away from ${plan.label}` });
  const drain = await applyRebalance(
    { pool: ctx.pool, ...(ctx.settings ? { settings: ctx.settings } : {}), token: ctx.token ?? neverCancelled, logger: ctx.logger ?? nullLogger, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) },
    topology,
    drainPlan,
  );
  const left = drain.failed.length + drain.conflicts.length + drain.notStarted.length;
  if (left === 0) return { report: drain };
  await ctx.pool.command(target.endpoint, ['CONFIG', 'SET', REPLICA_MIGRATION, before]).catch(() => undefined);
  const first = drain.failed[0]?.error ?? drain.conflicts[0]?.message;
  const why = drain.cancelled ? 'the move was cancelled' : `${drain.failed.length + drain.conflicts.length} slot(s) could not move${first ? `, first: ${first}` : ''}`;
  return { report: drain, notDrained: why };
}

/** CLUSTER FORGET on every node at once, then CLUSTER RESET on the node; returns the nodes that could not be told. */
async function forgetAndReset(ctx: ScaleContext, plan: DelNodePlan, target: ClusterNode): Promise<{ node: ClusterNode; error: string }[]> {
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  // Who to tell: every node as the cluster is now (replicas moved; the drained master may now be a replica).
  progress.report({ message: `forgetting ${plan.label} on every node` });
  const now = await readFresh(ctx, plan.cluster);
  const others = now.topology.nodes.filter((n) => n.id !== plan.nodeId && !n.flags.fail && !n.flags.noaddr && !n.flags.handshake);
  const stillReplicas = others.filter((n) => n.masterId === plan.nodeId);
  if (stillReplicas.length > 0) {
    // A replica that joined it meanwhile: a node cannot forget its own master.
    throw new ConflictError(`${stillReplicas.map(nodeLabel).join(', ')} still replicate ${plan.label}; run del-node again to re-point them.`);
  }
  const failed = await forgetEverywhere(ctx.pool, others, plan.nodeId);
  for (const f of failed) logger.warn(`CLUSTER FORGET on ${nodeLabel(f.node)}: ${f.error}`);
  try {
    await ctx.pool.command(target.endpoint, ['CLUSTER', 'RESET', 'SOFT']);
  } catch (err) {
    // A node that is down cannot gossip either; its service goes next anyway.
    logger.warn(`CLUSTER RESET on ${plan.label}: ${describeError(err)}`);
  }
  return failed;
}

/** Waits (bounded) until no node lists the removed one and the rest agree; what `check` still finds. */
async function checkAfterDel(ctx: ScaleContext, plan: DelNodePlan): Promise<Finding[]> {
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  progress.report({ message: 'checking the cluster' });
  const checked = await waitUntil(ctx, plan.cluster, 'the cluster to settle', (r) => {
    const knowing = r.topology.views.filter((v) => v.view.nodes.some((n) => n.id === plan.nodeId));
    return knowing.length > 0 ? `${knowing.length} node(s) still list ${plan.label}` : notSettled(r.topology);
  }).catch(async (err: unknown) => {
    if (isCancelledError(err)) throw err;
    logger.warn(describeError(err));
    return readFresh(ctx, plan.cluster);
  });
  const findings = blockingFindings(checked.topology);
  const stillKnown = checked.topology.views.filter((v) => v.view.nodes.some((n) => n.id === plan.nodeId));
  if (stillKnown.length > 0) {
    findings.push({ severity: 'error', code: 'not-forgotten', section: 'health', message: `${stillKnown.length} node(s) still list ${plan.label}; run CLUSTER FORGET ${plan.nodeId} on them.` });
  }
  return findings;
}

export function formatDelNodeResult(r: DelNodeResult): string {
  const lines = [`[${r.ok ? 'OK' : 'ERR'}] ${r.service} (${r.nodeId.slice(0, 8)}) ${r.findings.some((f) => f.code === 'not-drained') ? 'was NOT removed' : 'removed'} in ${r.elapsedMs} ms.`];
  if (r.drain) lines.push(`    moved ${r.drain.moved.length} slot(s) and ${r.drain.keysMoved} key(s) away first.`);
  for (const f of r.forgetFailed) lines.push(`[WARNING] ${f.node} could not be told to forget it: ${f.error}`);
  for (const f of r.findings) lines.push(`[ERR] ${f.message}`);
  return lines.join('\n') + '\n';
}
