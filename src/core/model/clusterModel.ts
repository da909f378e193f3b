/**
 * The model every view draws from (the VS Code tree, the slot map, the status bar, the CLI's
 * status): plain objects built from Docker's view of the swarm and each cluster's own view,
 * joined. Views never talk to Docker or Redis; they render these.
 */
import { type EngineStatus } from '../docker/engine';
import { checkCluster, type Finding } from '../cluster/check';
import { type ClusterNode, type ClusterTopology, type ReportedView, type SlotRange, countSlots } from '../cluster/topology';
import { type SwarmCluster, type SwarmRedisNode, announcedName } from '../swarm/discover';
import { type SwarmHost } from '../swarm/swarmHosts';

export const TOTAL_SLOTS = 16384;

/**
 * Redis's own cluster_state decides between ok and fail: ok when every node that answers says
 * cluster_state:ok, fail when one says otherwise. degraded: Redis says ok, but check (heal's
 * diagnosis included) finds something wrong, such as lost redundancy (a master without a live
 * replica, a failed node still known, a node that does not answer). unformed: the services run
 * but no slot is assigned yet (deployed, not created); unreachable: no node could be asked.
 * starting: no node could be asked yet because the swarm is still starting its tasks (a task
 * not running yet, or running for less than STARTING_GRACE_MS): a deploy in progress, not a
 * fault.
 */
export type ClusterHealth = 'ok' | 'degraded' | 'fail' | 'unformed' | 'unreachable' | 'starting';

/**
 * How long after its task started a node that does not answer counts as starting rather than
 * unreachable: Redis loads its data and opens its port within seconds of the container start.
 */
export const STARTING_GRACE_MS = 30_000;

/** The words every view uses for a state (the tree, the pickers, the status bar). */
export const HEALTH_WORDS: Readonly<Record<ClusterHealth, string>> = {
  ok: 'ok',
  degraded: 'degraded',
  fail: 'fail',
  unformed: 'not formed',
  unreachable: 'unreachable',
  starting: 'starting',
};

/** Worst first: the order the status bar and pickers rank clusters by. */
export const HEALTH_RANK: Readonly<Record<ClusterHealth, number>> = {
  fail: 0,
  unreachable: 1,
  degraded: 2,
  starting: 3,
  unformed: 4,
  ok: 5,
};

/**
 * Whether the swarm is still starting the cluster's tasks at `now`: some service's task is
 * meant to run but does not yet, or started less than STARTING_GRACE_MS ago.
 */
export function tasksStarting(swarm: SwarmCluster, now: number): boolean {
  return swarm.nodes.some((n) => {
    const t = n.task;
    if (!t) return true;
    if (t.desiredState !== 'running') return false;
    if (t.state !== 'running') return !['failed', 'rejected', 'complete', 'shutdown', 'orphaned', 'remove'].includes(t.state);
    const since = t.since !== undefined ? Date.parse(t.since) : NaN;
    return Number.isFinite(since) && now - since < STARTING_GRACE_MS;
  });
}

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
  /** The swarm node (machine) its task runs on, when the engine could list the nodes. */
  readonly host?: SwarmHost;
}

export interface ShardModel {
  readonly master: NodeModel;
  readonly replicas: readonly NodeModel[];
  readonly slots: readonly SlotRange[];
  readonly slotCount: number;
  /** check's warning when replicas of this master run on its own swarm node (losing it takes both). */
  readonly sharedHost?: Finding;
}

export interface ClusterModel {
  readonly name: string;
  readonly swarm: SwarmCluster;
  readonly health: ClusterHealth;
  readonly shards: readonly ShardModel[];
  /** Nodes the cluster knows that are neither a master with slots nor its replica. */
  readonly others: readonly NodeModel[];
  readonly slotsCovered: number;
  /** What check reports (warnings and errors only): the reasons the cluster is degraded or failing. */
  readonly findings: readonly Finding[];
  readonly topology?: ClusterTopology;
  /** Why the cluster could not be read, in one sentence. */
  readonly error?: string;
  /** The swarm's nodes (machines), when the engine could list them. */
  readonly hosts?: readonly SwarmHost[];
}

export interface SwarmModel {
  readonly engine: EngineStatus;
  readonly clusters: readonly ClusterModel[];
  /** The swarm's nodes (machines), empty when the engine is not a manager. */
  readonly hosts?: readonly SwarmHost[];
  /** Milliseconds since the epoch when it was read. */
  readonly readAt: number;
}

export function buildClusterModel(
  swarm: SwarmCluster,
  topology: ClusterTopology | undefined,
  error?: string,
  hosts: readonly SwarmHost[] = [],
  now: number = Date.now(),
): ClusterModel {
  if (!topology || topology.views.length === 0) {
    const health: ClusterHealth = tasksStarting(swarm, now) ? 'starting' : 'unreachable';
    return {
      name: swarm.name,
      swarm,
      health,
      shards: [],
      others: [],
      slotsCovered: 0,
      findings: [],
      ...(error ? { error } : {}),
      ...(topology ? { topology } : {}),
      ...(hosts.length > 0 ? { hosts } : {}),
    };
  }
  const reports = new Map(topology.views.map((v) => [v.view.self.id, v]));
  const failedSomewhere = new Set(
    topology.views.flatMap((v) => v.view.nodes.filter((n) => n.flags.fail || n.flags.pfail).map((n) => n.id)),
  );
  const model = (n: ClusterNode, masterOffset?: number): NodeModel => {
    const report = reports.get(n.id);
    const service = swarm.nodes.find(
      (s) => s.port === n.endpoint.port && (announcedName(s) === n.hostname || (s.task?.ip !== undefined && s.task.ip === n.endpoint.host)),
    );
    const lag =
      n.role === 'replica' && masterOffset !== undefined && report?.replOffset !== undefined ? Math.max(0, masterOffset - report.replOffset) : undefined;
    const linkUp = n.role !== 'replica' || report?.masterLinkStatus === 'up';
    const hostId = service?.task?.swarmNode || n.swarm?.swarmNode;
    const host = hostId ? hosts.find((h) => h.id === hostId) : undefined;
    return {
      ...(host ? { host } : {}),
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
  // The same check the `check` verb and Check Cluster run, with the swarm's services known.
  const findings = checkCluster(topology, swarm.nodes.length > 0 ? { cluster: swarm } : {}).findings.filter((f) => f.severity !== 'info');
  const shards: ShardModel[] = masters.map((m) => {
    const offset = reports.get(m.id)?.replOffset;
    const sharedHost = findings.find((f) => f.code === 'replica-same-placement' && f.nodeIds?.[0] === m.id);
    return {
      master: model(m),
      replicas: topology.nodes.filter((n) => n.masterId === m.id).map((r) => model(r, offset)),
      slots: m.slots,
      slotCount: countSlots(m.slots),
      ...(sharedHost ? { sharedHost } : {}),
    };
  });
  const inShards = new Set(shards.flatMap((s) => [s.master.node.id, ...s.replicas.map((r) => r.node.id)]));
  const others = topology.nodes.filter((n) => !inShards.has(n.id)).map((n) => model(n));
  const slotsCovered = shards.reduce((sum, s) => sum + s.slotCount, 0);
  const health = clusterHealth(topology, slotsCovered, findings);
  return { name: swarm.name, swarm, health, shards, others, slotsCovered, findings, topology, ...(error ? { error } : {}), ...(hosts.length > 0 ? { hosts } : {}) };
}

/** The cluster's state: Redis's own cluster_state, degraded when check finds a fault besides. */
export function clusterHealth(topology: ClusterTopology, slotsCovered: number, findings: readonly Finding[]): ClusterHealth {
  if (topology.views.length === 0) return 'unreachable';
  if (slotsCovered === 0) return 'unformed';
  if (topology.views.some((v) => v.clusterState !== 'ok')) return 'fail';
  // A cluster deployed without replicas has lost no redundancy: its masters' "no replica"
  // warnings stay findings, but do not make it degraded.
  const withoutReplicas = !topology.nodes.some((n) => n.role === 'replica');
  // All nodes on one host is a warning about where the swarm put them, worth reading, but the
  // cluster itself lacks nothing: it does not make the cluster degraded.
  return findings.some((f) => f.severity !== 'info' && f.code !== 'single-placement' && !(withoutReplicas && f.code === 'no-replica')) ? 'degraded' : 'ok';
}
