/**
 * What the rolling commands (Upgrade, Restart, Change Configuration, Resume or Roll Back) share:
 * the cluster picked in the tree or the palette, its connections from the ModelStore as the
 * core's ClusterAccess, and a progress notification whose Cancel button stops the roll between
 * steps (every master keeps serving; the roll is recorded and can be resumed). The core takes
 * the cluster's lock itself, so these do not go through runClusterOperation (which takes it too).
 */
import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterModel } from '../../core/model/clusterModel';
import { type RollResult } from '../../core/rolling/applyRoll';
import { formatRollResult } from '../../core/rolling/formatRoll';
import { type RollOptions } from '../../core/rolling/rollOps';
import { type AdminPool } from '../../core/redis/adminConnection';
import { type ClusterAccess } from '../../core/swarm/clusterAccess';
import { seedEndpoints } from '../../core/swarm/discover';
import { clusterOf, type TreeNode } from '../tree/nodes';
import { type CommandContext } from './commandContext';
import { clusterByName, connectionsOf } from './opsSupport';

/** The cluster of the tree item, else one the user picks. */
export async function pickRollCluster(ctx: CommandContext, arg: unknown, verb: string): Promise<ClusterModel | undefined> {
  const fromTree = clusterOf(arg as TreeNode | undefined);
  if (fromTree) return fromTree;
  const names = ctx.store.current?.clusters.filter((c) => c.swarm.managed).map((c) => c.name) ?? [];
  if (names.length === 0) throw new BadInputError(vscode.l10n.t('No cluster deployed by redis-swarm to {0}. Refresh the Redis Swarm view first.', verb));
  const name = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: vscode.l10n.t('{0}: which cluster?', verb) });
  return name === undefined ? undefined : clusterByName(ctx, name);
}

/** The cluster's connections from the ModelStore (which owns and closes them), as the core's ClusterAccess. */
export async function rollAccess(ctx: CommandContext, cluster: ClusterModel): Promise<{ access: ClusterAccess; pool: AdminPool }> {
  const c = await connectionsOf(ctx, cluster);
  const access: ClusterAccess = {
    engine: ctx.engines.get(),
    cluster: cluster.swarm,
    router: c.router,
    seeds: seedEndpoints(cluster.swarm),
    discover: {},
    dispose: async () => undefined,
  };
  return { access, pool: c.pool };
}

/** Runs a roll with the cluster's connections, in a cancellable notification; reports and refreshes. */
export async function runRoll(
  ctx: CommandContext,
  cluster: ClusterModel,
  title: string,
  body: (access: ClusterAccess, pool: AdminPool, options: RollOptions) => Promise<RollResult>,
): Promise<RollResult | undefined> {
  const { access, pool } = await rollAccess(ctx, cluster);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0} ({1})', title, cluster.name), cancellable: true },
      (progress, token) => body(access, pool, { progress, token, logger: ctx.logger }),
    );
    ctx.logger.info(formatRollResult(cluster.name, result).trim());
    void vscode.window.showInformationMessage(formatRollResult(cluster.name, result).split('\n')[0]?.replace(/^\[OK\] /, '') ?? vscode.l10n.t('Done.'));
    return result;
  } finally {
    ctx.refresh.request(title);
    void ctx.store.refresh();
  }
}
