/**
 * Which master a new replica serves: the one rule create's check, heal (spare nodes), add-node
 * (a new node) and del-node (the replicas of a master that leaves) share, so they cannot drift
 * apart.
 *
 * In order, the master that:
 * 1. the replica protects against losing a machine: it runs on no swarm node the master runs
 *    on, itself or through its replicas. A replica beside its master dies with it when the host
 *    goes, and a second replica beside a sibling adds nothing a host failure cannot take; so a
 *    replica elsewhere goes first even to a master that has one already (heal then moves a
 *    replica from a master with two to one with none, off that master's machine);
 * 2. has the fewest replicas (redis-cli's add-node picks clusterManagerNodeWithLeastReplicas);
 * 3. when no master can be protected: beside a sibling replica rather than beside the master
 *    (the master at least survives that machine);
 * 4. holds the most slots (the most data to protect);
 * 5. has the lowest node ID. The last tie-break makes the choice independent of the order the
 *    masters were listed in.
 * A replica on an unknown machine shares none. On a one-machine swarm rule 1 never separates
 * masters, and the rule is redis-cli's.
 */

/** A master that can take a replica, as the rule sees it. */
export interface ReplicaHost {
  readonly id: string;
  readonly slotCount: number;
  /** Replicas it has now. */
  readonly replicas: number;
  /**
   * Swarm nodes (machines) the master and its replicas run on, the master's own first ('' when
   * unknown): rule 3 tells the two apart by position.
   */
  readonly swarmNodes: readonly string[];
}

/** A replica to place: the swarm node it runs on, when known. */
export interface ReplicaToPlace {
  readonly swarmNode?: string;
}

/** How a replica on `swarmNode` would share machines with `m`: 0 not at all, 1 with a replica, 2 with the master. */
export function sharedMachine(m: ReplicaHost, swarmNode?: string): 0 | 1 | 2 {
  // Unknown (or '', the placeholder for a master's unknown machine) shares nothing.
  if (!swarmNode) return 0;
  const at = m.swarmNodes.indexOf(swarmNode);
  return at < 0 ? 0 : at === 0 ? 2 : 1;
}

/** Negative when `a` should get the replica before `b`. */
export function compareReplicaHosts(a: ReplicaHost, b: ReplicaHost, swarmNode?: string): number {
  return compareChoices(a, swarmNode, b, swarmNode) || b.slotCount - a.slotCount || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
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
 * Places replicas one at a time, each counted on its master before the next is placed, so two
 * replicas spread over two masters. Each step takes the best pair of any replica left and any
 * master (ties: the replica that can protect the fewest masters, then the one listed first), so
 * a replica listed early cannot take the one master a later replica alone could protect. The
 * result is in the order the replicas were given; empty when there is no master.
 */
export function placeReplicas<M extends ReplicaHost, R extends ReplicaToPlace>(masters: readonly M[], replicas: readonly R[]): ReplicaPlacement<M, R>[] {
  const pool = masters.map((master) => ({ master, id: master.id, slotCount: master.slotCount, replicas: master.replicas, swarmNodes: [...master.swarmNodes] }));
  if (pool.length === 0) return [];
  const left = replicas.map((replica, order) => ({ replica, order }));
  const placed: (ReplicaPlacement<M, R> & { order: number })[] = [];
  while (left.length > 0) {
    let at = -1;
    let host = pool[0] as (typeof pool)[number];
    let options = 0;
    left.forEach((r, i) => {
      const node = r.replica.swarmNode;
      const h = pickMasterForReplica(pool, node) as (typeof pool)[number];
      // The replica that can protect the fewest masters goes first among equal choices, so a
      // replica with choices does not take the one master another alone could protect.
      const o = pool.filter((m) => sharedMachine(m, node) === 0).length;
      const d = at < 0 ? -1 : compareChoices(h, node, host, left[at]?.replica.swarmNode) || o - options;
      if (d < 0) {
        at = i;
        host = h;
        options = o;
      }
    });
    const [{ replica, order }] = left.splice(at, 1) as [(typeof left)[number]];
    placed.push({ replica, master: host.master, order });
    if (replica.swarmNode !== undefined && !host.swarmNodes.includes(replica.swarmNode)) {
      // The master's own machine stays first (rule 3 reads it by position), '' when unknown.
      if (host.swarmNodes.length === 0) host.swarmNodes.push('');
      host.swarmNodes.push(replica.swarmNode);
    }
    host.replicas += 1;
  }
  return placed.sort((a, b) => a.order - b.order).map(({ replica, master }) => ({ replica, master }));
}

/** Two (master, replica's machine) choices compared by rules 1-3; negative when the first is better. */
function compareChoices(a: ReplicaHost, aNode: string | undefined, b: ReplicaHost, bNode: string | undefined): number {
  const sa = sharedMachine(a, aNode);
  const sb = sharedMachine(b, bNode);
  return Math.sign(sa) - Math.sign(sb) || a.replicas - b.replicas || sa - sb;
}
