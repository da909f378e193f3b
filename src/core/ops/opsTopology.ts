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
import { type CancellationToken, sleep } from '../lifecycle';
import { type AdminPool } from '../redis/adminConnection';
import { type Endpoint } from '../routes/endpoint';
import { type Router } from '../routes/router';

/** Findings that stop a slot move (the rest, like a missing replica, do not). */
const BLOCKING = new Set(['open-slots', 'coverage', 'config-disagree', 'slot-multiple-owners', 'unreachable', 'no-node']);

export class ClusterNotReadyError extends ConflictError {
  constructor(readonly findings: readonly Finding[]) {
    super(`Please fix your cluster problems first (redis-swarm fix): ${findings.map((f) => f.message).join(' ')}`);
    this.name = 'ClusterNotReadyError';
  }
}
export const isClusterNotReadyError = (x: unknown): x is ClusterNotReadyError => x instanceof ClusterNotReadyError;

export async function readOpsTopology(router: Router, pool: AdminPool, seeds: readonly Endpoint[]): Promise<ClusterTopology> {
  return readTopology(router, seeds, { pool });
}

/** The problems that stop moving slots (none: ready). */
export function blockingFindings(topology: ClusterTopology): Finding[] {
  return checkCluster(topology).findings.filter((f) => f.severity === 'error' && BLOCKING.has(f.code));
}

/** Throws ClusterNotReadyError naming every problem that blocks moving slots. */
export function requireReadyForMoves(topology: ClusterTopology): void {
  const blocking = blockingFindings(topology);
  if (blocking.length > 0) throw new ClusterNotReadyError(blocking);
}

/**
 * How long a cluster may take to settle before an operation calls it broken: right after a
 * deploy, a failover or another window's move, nodes answer late, slots close and gossip
 * spreads the new epochs within seconds (seen: "No node could be asked" seconds after a deploy
 * that a retry a moment later did not see).
 */
export const SETTLE_TIMEOUT_MS = 15_000;
const SETTLE_POLL_MS = 500;

/**
 * The topology an operation starts from: read again (bounded) while it shows a problem that
 * blocks moves, so a cluster still converging is waited for instead of reported as broken.
 * Returns the last read; requireReadyForMoves on it then names what is still wrong.
 */
export async function readSettledTopology(
  router: Router,
  pool: AdminPool,
  seeds: readonly Endpoint[],
  options: { settleMs?: number; token?: CancellationToken } = {},
): Promise<ClusterTopology> {
  const deadline = Date.now() + (options.settleMs ?? SETTLE_TIMEOUT_MS);
  for (;;) {
    const topology = await readTopology(router, seeds, { pool });
    if (blockingFindings(topology).length === 0 || Date.now() >= deadline || options.token?.isCancellationRequested) return topology;
    await sleep(SETTLE_POLL_MS, options.token);
  }
}

/**
 * Runs `plan` again (bounded) while it refuses a cluster that is not ready for moves: for
 * operations whose planner reads the topology itself (add-node, del-node), so a cluster still
 * converging after a deploy or a failover is waited for instead of reported as broken. The last
 * refusal is thrown when the cluster does not settle in time.
 */
export async function whileConverging<T>(plan: () => Promise<T>, options: { settleMs?: number; token?: CancellationToken } = {}): Promise<T> {
  const deadline = Date.now() + (options.settleMs ?? SETTLE_TIMEOUT_MS);
  for (;;) {
    try {
      return await plan();
    } catch (err) {
      if (!isClusterNotReadyError(err) || Date.now() >= deadline || options.token?.isCancellationRequested) throw err;
    }
    await sleep(SETTLE_POLL_MS, options.token);
  }
}
