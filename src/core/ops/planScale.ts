/**
 * The pure decisions of scale out and scale in (no I/O), so they are unit-tested and shown in
 * the plan before anything changes:
 * - which index (service `<name>-<i>`, volume `<name>-<i>-data`) a new node gets;
 * - which masters can take a replica (the rule that picks one is cluster/replicaPlacement.ts,
 *   shared with heal);
 * - where the replicas of a master being removed go, by that rule, one at a time.
 */
import { type ClusterNode, type ClusterTopology, countSlots } from '../cluster/topology';
import { nodeLabel } from '../cluster/nodeNames';
import { placeReplicas, type ReplicaHost } from '../cluster/replicaPlacement';
import { BadInputError } from '../errors';
import { serviceName, volumeName } from '../swarm/deployOptions';

/** A master that can take a replica, as the pickers see it. */
export interface MasterCandidate extends ReplicaHost {
  readonly label: string;
}

const healthy = (n: ClusterNode): boolean => !n.flags.fail && !n.flags.pfail && !n.flags.handshake && !n.flags.noaddr;

/** Healthy masters holding slots, with their replica counts, except the ones in `exclude`. */
export function masterCandidates(topology: ClusterTopology, exclude: ReadonlySet<string> = new Set()): MasterCandidate[] {
  const nodes = topology.nodes.filter(healthy);
  return nodes
    .filter((m) => m.role === 'master' && countSlots(m.slots) > 0 && !exclude.has(m.id))
    .map((m) => {
      const reps = nodes.filter((r) => r.role === 'replica' && r.masterId === m.id && !exclude.has(r.id));
      // The master's machine first ('' when unknown): the placement rule reads it by position.
      const machines = [m.swarm?.swarmNode ?? '', ...reps.flatMap((n) => (n.swarm?.swarmNode ? [n.swarm.swarmNode] : []))];
      return { id: m.id, label: nodeLabel(m), slotCount: countSlots(m.slots), replicas: reps.length, swarmNodes: [...new Set(machines)] };
    });
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
  const placed = placeReplicas(candidates, replicas);
  const homeless = replicas[placed.length];
  if (homeless) throw new BadInputError(`No other master with slots can take the replica ${homeless.label}.`);
  return placed.map(({ replica: r, master: m }) => ({ replicaId: r.id, replicaLabel: r.label, masterId: m.id, masterLabel: m.label }));
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
