/**
 * The cluster as an operation sees it before it starts: every node's own view, and the checks
 * redis-cli makes before a reshard or rebalance (clusterManagerCheckCluster): no open slot,
 * every slot covered once, all nodes agreeing. An operation on a cluster that fails them would
 * only make things worse; `fix` comes first.
 */
import { checkCluster, type Finding } from '../cluster/check';
import { readTopology } from '../cluster/readTopology';
import { type ClusterTopology } from '../cluster/topology';
import { ConflictError } from '../errors';
import { type AdminPool } from '../redis/adminConnection';
import { type Endpoint } from '../routes/endpoint';
import { type Router } from '../routes/router';

/** Findings that stop a slot move (the rest, like a missing replica, do not). */
const BLOCKING = new Set(['open-slots', 'coverage', 'config-disagree', 'slot-multiple-owners', 'unreachable', 'no-node']);

export class ClusterNotReadyError extends ConflictError {
  constructor(readonly findings: readonly Finding[]) {
    super(`Please fix your cluster problems first (\`fix\`): ${findings.map((f) => f.message).join(' ')}`);
    this.name = 'ClusterNotReadyError';
  }
}
export const isClusterNotReadyError = (x: unknown): x is ClusterNotReadyError => x instanceof ClusterNotReadyError;

export async function readOpsTopology(router: Router, pool: AdminPool, seeds: readonly Endpoint[]): Promise<ClusterTopology> {
  return readTopology(router, seeds, { pool });
}

/** Throws ClusterNotReadyError naming every problem that blocks moving slots. */
export function requireReadyForMoves(topology: ClusterTopology): void {
  const blocking = checkCluster(topology).findings.filter((f) => f.severity === 'error' && BLOCKING.has(f.code));
  if (blocking.length > 0) throw new ClusterNotReadyError(blocking);
}
