/**
 * `create --cluster NAME`: forms a cluster from the node services on the swarm, with the same
 * planner and engine as `create host:port …`, through the cluster's router.
 */
import { type ApplyResult, applyCreate, inspectNodes } from '../cluster/applyCreate';
import { type CreatePlan, planCreate } from '../cluster/planCreate';
import { type CancellationToken, type ProgressReporter } from '../lifecycle';
import { AdminPool } from '../redis/adminConnection';
import { type ClusterAccess } from './clusterAccess';
import { swarmCreateInputs } from './swarmNodes';
import { type SwarmCluster } from './discover';
import { loginOptions } from './auth';

/**
 * The replicas per master to form a cluster with: the ones asked for, else the layout deploy
 * recorded (a service label), else none (as redis-cli's default).
 */
export function createReplicas(cluster: SwarmCluster, asked?: number): { replicas: number; source: 'asked' | 'deployed' | 'default' } {
  if (asked !== undefined) return { replicas: asked, source: 'asked' };
  if (cluster.replicas !== undefined) return { replicas: cluster.replicas, source: 'deployed' };
  return { replicas: 0, source: 'default' };
}

export function planSwarmCreate(access: ClusterAccess, replicas: number): CreatePlan {
  return planCreate(swarmCreateInputs(access.cluster), replicas);
}

export function adminPoolFor(access: ClusterAccess): AdminPool {
  return new AdminPool(access.router, loginOptions(access.credentials));
}

export async function formSwarmCluster(
  access: ClusterAccess,
  plan: CreatePlan,
  ctx: { progress?: ProgressReporter; token?: CancellationToken } = {},
): Promise<ApplyResult> {
  const pool = adminPoolFor(access);
  try {
    const ids = await inspectNodes(pool, plan.nodes.map((n) => n.input));
    return await applyCreate(pool, plan, ids, ctx);
  } finally {
    await pool.close();
  }
}
