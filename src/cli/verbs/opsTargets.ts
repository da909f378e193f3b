/**
 * What the operation verbs (reshard, rebalance, fix, add-node, del-node, failover) share: the
 * cluster as `--cluster NAME` or one node's `host:port` (through clusterTargets.ts), and the
 * cluster lock. Node names as the user types them are the core's (cluster/nodeNames.ts
 * `findClusterNode`).
 */
import { BadInputError } from '../../core/errors';
import { withClusterLock } from '../../core/ops/clusterLock';
import { flagString, type ParsedArgs } from '../args';
import { readTargetTopology, type SeedTargets, seedTargetsFromArgs } from './clusterTargets';

export interface OpsTargets extends SeedTargets {
  /** Positionals after the seed (with --cluster, all of them). */
  readonly rest: readonly string[];
  /** The lock key: the cluster name, or the seed node. */
  readonly lockName: string;
}

/** `--cluster NAME [args…]` or `<host:port> [args…]`. */
export async function opsTargetsFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<OpsTargets> {
  const cluster = flagString(args, 'cluster');
  if (cluster !== undefined) {
    const t = await seedTargetsFromArgs({ flags: args.flags, positionals: [] }, env);
    return { ...t, rest: args.positionals, lockName: cluster };
  }
  const [seed, ...rest] = args.positionals;
  if (seed === undefined) throw new BadInputError('Name a node of the cluster as host:port (for example 127.0.0.1:7000), or the cluster with --cluster NAME.');
  const t = await seedTargetsFromArgs({ flags: args.flags, positionals: [seed] }, env);
  return { ...t, rest, lockName: seed };
}

/**
 * Runs the operation holding the cluster's lock, always disposing the targets. The lock lives on
 * every node that answers (a first read of the topology finds them from the seed); the body
 * reads the topology again, under the lock, for its plan.
 */
export async function withTargets<T>(t: OpsTargets, operation: string, body: () => Promise<T>): Promise<T> {
  try {
    const nodes = (await readTargetTopology(t)).views.map((v) => v.endpoint);
    return await withClusterLock({ cluster: t.lockName, pool: t.pool, nodes }, operation, body);
  } finally {
    await t.dispose();
  }
}
