/**
 * Which master a new replica serves: the one rule heal (spare nodes), add-node (a new node) and
 * del-node (the replicas of a master that leaves) share, so they cannot drift apart.
 *
 * In order, the master that:
 * 1. has the fewest replicas (redis-cli's add-node picks clusterManagerNodeWithLeastReplicas);
 * 2. runs on no swarm node the new replica runs on, itself or through its replicas
 *    (anti-affinity: losing one machine must not take a master and its replica);
 * 3. holds the most slots (the most data to protect);
 * 4. has the lowest node ID. The last tie-break makes the choice independent of the order the
 *    masters were listed in. (Heal used to take the first master listed, add-node the lowest
 *    ID; both now take the lowest ID.)
 */

/** A master that can take a replica, as the rule sees it. */
export interface ReplicaHost {
  readonly id: string;
  readonly slotCount: number;
  /** Replicas it has now. */
  readonly replicas: number;
  /** Swarm nodes (machines) the master and its replicas run on. */
  readonly swarmNodes: readonly string[];
}

/** A replica to place: the swarm node it runs on, when known. */
export interface ReplicaToPlace {
  readonly swarmNode?: string;
}

/** Negative when `a` should get the replica before `b`. */
export function compareReplicaHosts(a: ReplicaHost, b: ReplicaHost, swarmNode?: string): number {
  const shares = (m: ReplicaHost): number => (swarmNode !== undefined && m.swarmNodes.includes(swarmNode) ? 1 : 0);
  return a.replicas - b.replicas || shares(a) - shares(b) || b.slotCount - a.slotCount || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The master a new replica on `swarmNode` (when known) should serve; undefined when there is none. */
export function pickMasterForReplica<M extends ReplicaHost>(masters: readonly M[], swarmNode?: string): M | undefined {
  let best: M | undefined;
  for (const m of masters) if (best === undefined || compareReplicaHosts(m, best, swarmNode) < 0) best = m;
  return best;
}

export interface ReplicaPlacement<M, R> {
  readonly replica: R;
  readonly master: M;
}

/**
 * Places replicas one at a time, in the order given, each counted on its master before the next
 * is placed, so two replicas spread over two masters. Empty when there is no master.
 */
export function placeReplicas<M extends ReplicaHost, R extends ReplicaToPlace>(masters: readonly M[], replicas: readonly R[]): ReplicaPlacement<M, R>[] {
  const pool = masters.map((master) => ({ master, id: master.id, slotCount: master.slotCount, replicas: master.replicas, swarmNodes: [...master.swarmNodes] }));
  const placed: ReplicaPlacement<M, R>[] = [];
  for (const replica of replicas) {
    const host = pickMasterForReplica(pool, replica.swarmNode);
    if (!host) break;
    placed.push({ replica, master: host.master });
    host.replicas += 1;
    if (replica.swarmNode !== undefined) host.swarmNodes.push(replica.swarmNode);
  }
  return placed;
}
