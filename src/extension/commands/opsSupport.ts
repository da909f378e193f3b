/**
 * What the operation commands (failover, move slots, rebalance, add replica, remove node) share:
 * the cluster's connections from the ModelStore, the cluster lock, a cancellable progress
 * notification, and a tree refresh afterwards. The work itself is in src/core/ops.
 */
import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type CancellationToken, type ProgressReporter } from '../../core/lifecycle';
import { type ClusterModel } from '../../core/model/clusterModel';
import { withClusterLock } from '../../core/ops/clusterLock';
import { type AdminPool } from '../../core/redis/adminConnection';
import { type SwarmRouter } from '../../core/swarm/swarmRouter';
import { seedEndpoints } from '../../core/swarm/discover';
import { type CommandContext } from './commandContext';

export interface OpsConnections {
  readonly router: SwarmRouter;
  readonly pool: AdminPool;
}

/** The cluster model by name (the slot map passes names), read fresh when not loaded yet. */
export async function clusterByName(ctx: CommandContext, name: string): Promise<ClusterModel> {
  let cluster = ctx.store.cluster(name);
  if (!cluster) {
    await ctx.store.refresh();
    cluster = ctx.store.cluster(name);
  }
  if (!cluster) throw new BadInputError(vscode.l10n.t('No cluster "{0}" on the connected swarm.', name));
  return cluster;
}

export function connectionsOf(ctx: CommandContext, cluster: ClusterModel): Promise<OpsConnections> {
  return ctx.store.getReader().connectionsFor(cluster.swarm);
}

/**
 * Runs `body` holding the cluster's lock, inside a progress notification whose Cancel button
 * cancels the core's token; refreshes the views afterwards, whatever happened.
 */
export async function runClusterOperation<T>(
  ctx: CommandContext,
  cluster: ClusterModel,
  title: string,
  body: (c: OpsConnections, progress: ProgressReporter, token: CancellationToken) => Promise<T>,
  options: { location?: vscode.ProgressLocation } = {},
): Promise<T> {
  const connections = await connectionsOf(ctx, cluster);
  const done = ctx.expected.begin(cluster.name);
  try {
    const lock = { cluster: cluster.name, pool: connections.pool, nodes: seedEndpoints(cluster.swarm) };
    return await withClusterLock(lock, title, async () =>
      await vscode.window.withProgress(
        { location: options.location ?? vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0} ({1})', title, cluster.name), cancellable: true },
        (progress, token) => body(connections, progress, token),
      ),
    );
  } finally {
    done();
    ctx.refresh.request(title);
    void ctx.store.refresh();
  }
}
