/**
 * The model every view draws from (the VS Code tree, the slot map, the status bar, the CLI's
 * status): plain objects built from Docker's view of the swarm and each cluster's own view,
 * joined. Views never talk to Docker or Redis; they render these.
 */
import { EngineStatus } from '../docker/engine';
import { ClusterNode, ClusterTopology, ReportedView, SlotRange, countSlots } from '../cluster/topology';
import { SwarmCluster, SwarmRedisNode } from '../swarm/discover';

export const TOTAL_SLOTS = 16384;

/**
 * ok: every node answers cluster_state:ok; fail: some node says fail; unformed: the services run
 * but no slot is assigned yet (deployed, not created); unreachable: no node could be asked.
 */
export type ClusterHealth = 'ok' | 'fail' | 'unformed' | 'unreachable';

export interface NodeModel {
  readonly node: ClusterNode;
  /** The node's own report, when it could be asked. */
  readonly report?: ReportedView;
  /** The swarm service behind it, when there is one. */
  readonly service?: SwarmRedisNode;
  /** For a replica: bytes behind its master (master offset minus its own), when known. */
  readonly lagBytes?: number;
  /** Failed or possibly failed in some view, or its link is down. */
  readonly healthy: boolean;
}

export interface ShardModel {
  readonly master: NodeModel;
  readonly replicas: readonly NodeModel[];
  readonly slots: readonly SlotRange[];
  readonly slotCount: number;
}

export interface ClusterModel {
  readonly name: string;
  readonly swarm: SwarmCluster;
  readonly health: ClusterHealth;
  readonly shards: readonly ShardModel[];
  /** Nodes the cluster knows that are neither a master with slots nor its replica. */
  readonly others: readonly NodeModel[];
  readonly slotsCovered: number;
  readonly topology?: ClusterTopology;
  /** Why the cluster could not be read, in one sentence. */
  readonly error?: string;
}

export interface SwarmModel {
  readonly engine: EngineStatus;
  readonly clusters: readonly ClusterModel[];
  /** Milliseconds since the epoch when it was read. */
  readonly readAt: number;
}

export function buildClusterModel(swarm: SwarmCluster, topology: ClusterTopology | undefined, error?: string): ClusterModel {
  if (!topology || topology.views.length === 0) {
    return { name: swarm.name, swarm, health: 'unreachable', shards: [], others: [], slotsCovered: 0, ...(error ? { error } : {}), ...(topology ? { topology } : {}) };
  }
  const reports = new Map(topology.views.map((v) => [v.view.self.id, v]));
  const failedSomewhere = new Set(
    topology.views.flatMap((v) => v.view.nodes.filter((n) => n.flags.fail || n.flags.pfail).map((n) => n.id)),
  );
  const model = (n: ClusterNode, masterOffset?: number): NodeModel => {
    const report = reports.get(n.id);
    const service = swarm.nodes.find(
      (s) => s.port === n.endpoint.port && (s.service === n.hostname || (s.task?.ip !== undefined && s.task.ip === n.endpoint.host)),
    );
    const lag =
      n.role === 'replica' && masterOffset !== undefined && report?.replOffset !== undefined ? Math.max(0, masterOffset - report.replOffset) : undefined;
    const linkUp = n.role !== 'replica' || report?.masterLinkStatus === 'up';
    return {
      node: n,
      ...(report ? { report } : {}),
      ...(service ? { service } : {}),
      ...(lag !== undefined ? { lagBytes: lag } : {}),
      healthy: report !== undefined && !failedSomewhere.has(n.id) && linkUp,
    };
  };
  const masters = topology.nodes
    .filter((n) => n.role === 'master' && n.slots.length > 0)
    .sort((a, b) => (a.slots[0]?.start ?? 0) - (b.slots[0]?.start ?? 0));
  const shards: ShardModel[] = masters.map((m) => {
    const offset = reports.get(m.id)?.replOffset;
    return {
      master: model(m),
      replicas: topology.nodes.filter((n) => n.masterId === m.id).map((r) => model(r, offset)),
      slots: m.slots,
      slotCount: countSlots(m.slots),
    };
  });
  const inShards = new Set(shards.flatMap((s) => [s.master.node.id, ...s.replicas.map((r) => r.node.id)]));
  const others = topology.nodes.filter((n) => !inShards.has(n.id)).map((n) => model(n));
  const slotsCovered = shards.reduce((sum, s) => sum + s.slotCount, 0);
  const states = topology.views.map((v) => v.clusterState);
  const health: ClusterHealth =
    slotsCovered === 0 ? 'unformed' : states.every((s) => s === 'ok') && topology.unreachable.length === 0 ? 'ok' : 'fail';
  return { name: swarm.name, swarm, health, shards, others, slotsCovered, topology, ...(error ? { error } : {}) };
}
