/**
 * The pure decisions of scale out and scale in (no I/O), so they are unit-tested and shown in
 * the plan before anything changes:
 * - which index (service `<name>-<i>`, volume `<name>-<i>-data`) a new node gets;
 * - which master a new replica serves: the one with the fewest replicas (redis-cli's add-node
 *   picks clusterManagerNodeWithLeastReplicas), then the one sharing no swarm node with it
 *   (anti-affinity: a machine lost must not take a master and its replica), then the most slots;
 * - where the replicas of a master being removed go, by the same rule, one at a time.
 */
import { ClusterNode, ClusterTopology, countSlots } from '../cluster/topology';
import { BadInputError } from '../errors';
import { serviceName, volumeName } from '../swarm/deployOptions';

/** A master that can take a replica, as the pickers see it. */
export interface MasterCandidate {
  readonly id: string;
  readonly label: string;
  readonly slotCount: number;
  /** Healthy replicas it has now. */
  readonly replicas: number;
  /** Swarm nodes (machines) the master and its replicas run on. */
  readonly swarmNodes: readonly string[];
}

/** The name a node goes by in plans: its announced hostname (the service), else host:port. */
export function nodeLabel(n: ClusterNode): string {
  return `${n.hostname ?? n.swarm?.service ?? `${n.endpoint.host}:${n.endpoint.port}`} (${n.id.slice(0, 8)})`;
}

const healthy = (n: ClusterNode): boolean => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && !n.flags.noaddr;

/** Healthy masters holding slots, with their replica counts, except the ones in `exclude`. */
export function masterCandidates(topology: ClusterTopology, exclude: ReadonlySet<string> = new Set()): MasterCandidate[] {
  const nodes = topology.nodes.filter(healthy);
  return nodes
    .filter((m) => m.role === 'master' && countSlots(m.slots) > 0 && !exclude.has(m.id))
    .map((m) => {
      const reps = nodes.filter((r) => r.role === 'replica' && r.masterId === m.id && !exclude.has(r.id));
      const machines = [m, ...reps].flatMap((n) => (n.swarm?.swarmNode ? [n.swarm.swarmNode] : []));
      return { id: m.id, label: nodeLabel(m), slotCount: countSlots(m.slots), replicas: reps.length, swarmNodes: [...new Set(machines)] };
    });
}

/** The master a new replica on `swarmNode` (when known) should serve; undefined when there is none. */
export function pickMasterForReplica(candidates: readonly MasterCandidate[], swarmNode?: string): MasterCandidate | undefined {
  const shares = (c: MasterCandidate): number => (swarmNode !== undefined && c.swarmNodes.includes(swarmNode) ? 1 : 0);
  return [...candidates].sort(
    (a, b) => a.replicas - b.replicas || shares(a) - shares(b) || b.slotCount - a.slotCount || a.id.localeCompare(b.id),
  )[0];
}

export interface ReplicaMove {
  readonly replicaId: string;
  readonly replicaLabel: string;
  readonly masterId: string;
  readonly masterLabel: string;
}

/**
 * New masters for the replicas of a master that leaves: each in turn goes to the master that
 * needs one most, counting the replicas already given, so two replicas spread over two masters.
 */
export function planReplicaMoves(
  candidates: readonly MasterCandidate[],
  replicas: readonly { readonly id: string; readonly label: string; readonly swarmNode?: string }[],
): ReplicaMove[] {
  const pool = candidates.map((c) => ({ ...c, swarmNodes: [...c.swarmNodes] }));
  const moves: ReplicaMove[] = [];
  for (const r of replicas) {
    const m = pickMasterForReplica(pool, r.swarmNode);
    if (!m) throw new BadInputError(`No other master with slots can take the replica ${r.label}.`);
    moves.push({ replicaId: r.id, replicaLabel: r.label, masterId: m.id, masterLabel: m.label });
    const at = pool.findIndex((c) => c.id === m.id);
    pool[at] = { ...m, replicas: m.replicas + 1, swarmNodes: r.swarmNode !== undefined ? [...m.swarmNodes, r.swarmNode] : [...m.swarmNodes] };
  }
  return moves;
}

/**
 * The next node index: one above the highest in use, skipping any whose service or volume
 * name is taken. A volume del-node kept holds the old node's nodes.conf: a new node started
 * on it would come back as the forgotten node and tell the cluster about it again.
 */
export function nextNodeIndex(cluster: string, indexes: readonly number[], takenNames: ReadonlySet<string>): number {
  let i = Math.max(0, ...indexes) + 1;
  while (takenNames.has(serviceName(cluster, i)) || takenNames.has(volumeName(cluster, i))) i++;
  return i;
}

/** A node by full ID, unique ID prefix (4+ characters), announced hostname / service name, or host:port. */
export function findClusterNode(topology: ClusterTopology, text: string): ClusterNode {
  const nodes = topology.nodes;
  const exact = nodes.find((n) => n.id === text || n.hostname === text || n.swarm?.service === text || `${n.endpoint.host}:${n.endpoint.port}` === text);
  if (exact) return exact;
  const byPrefix = text.length >= 4 ? nodes.filter((n) => n.id.startsWith(text.toLowerCase())) : [];
  if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
  if (byPrefix.length > 1) throw new BadInputError(`"${text}" matches ${byPrefix.length} node IDs; give more of the ID.`);
  throw new BadInputError(`No node "${text}" in the cluster (give a node ID, a service name or host:port; \`check\` lists them).`);
}
