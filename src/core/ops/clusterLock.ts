/**
 * One operation at a time per cluster, within a process: heal (and its watcher) and the
 * day-2 operations (reshard, rebalance, scale, failover) each take the cluster's lock, so the
 * watcher never fights a reshard in progress. Another process's operation shows up as open
 * slots or a node in handshake, which heal's planner already treats as "in progress, wait".
 */
import { RedisSwarmError } from '../errors';

const held = new Map<string, string>();

export function operationInProgress(cluster: string): string | undefined {
  return held.get(cluster);
}

/** Runs `body` holding the cluster's lock; refuses at once when another operation holds it. */
export async function withClusterLock<T>(cluster: string, operation: string, body: () => Promise<T>): Promise<T> {
  const current = held.get(cluster);
  if (current !== undefined) {
    throw new RedisSwarmError('conflict', `Cluster "${cluster}" is busy: ${current} is in progress. Try again when it has finished.`);
  }
  held.set(cluster, operation);
  try {
    return await body();
  } finally {
    held.delete(cluster);
  }
}
