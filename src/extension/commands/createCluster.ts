import * as vscode from 'vscode';
import { formatPlan } from '../../core/cluster/formatPlan';
import { BadInputError } from '../../core/errors';
import { type ClusterModel } from '../../core/model/clusterModel';
import { withClusterLock } from '../../core/ops/clusterLock';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { MIN_MASTERS } from '../../core/swarm/deployOptions';
import { runningNodes } from '../../core/swarm/discover';
import { adminPoolFor, createReplicas, formSwarmCluster, planSwarmCreate } from '../../core/swarm/formCluster';
import { type CommandDef } from './commandContext';
import { resolveCluster } from './pickCluster';

/** Replica counts that fit `nodes` with at least MIN_MASTERS masters. */
export function replicaChoices(nodes: number): number[] {
  const out: number[] = [];
  for (let r = 0; nodes / (r + 1) >= MIN_MASTERS; r++) if (nodes % (r + 1) === 0) out.push(r);
  return out;
}

const isUnformed = (c: ClusterModel): boolean => c.shards.length === 0;

/**
 * `redisSwarm.createCluster` on a set of node services that is not a cluster yet: choose the
 * replicas per master, read the plan (redis-cli's layout), confirm, then form it with progress.
 */
export const createClusterCommand: CommandDef = {
  id: 'redisSwarm.createCluster',
  async run(ctx, arg) {
    const cluster = await resolveCluster(ctx, arg, { title: vscode.l10n.t('Create Cluster from Services'), filter: isUnformed });
    if (!cluster) return undefined;
    if (!isUnformed(cluster)) throw new BadInputError(vscode.l10n.t('Cluster "{0}" is formed already ({1} slots assigned).', cluster.name, cluster.slotsCovered));
    const running = runningNodes(cluster.swarm).length;
    const choices = replicaChoices(running);
    if (choices.length === 0) {
      throw new BadInputError(vscode.l10n.t('Cluster "{0}" has {1} node(s) with a running task; a cluster needs at least {2}.', cluster.name, running, MIN_MASTERS));
    }
    // The layout deploy was asked for comes first (a quick pick highlights its first item).
    const deployed = createReplicas(cluster.swarm).replicas;
    const ordered = choices.includes(deployed) && cluster.swarm.replicas !== undefined ? [deployed, ...choices.filter((r) => r !== deployed)] : choices;
    const replicas = await vscode.window.showQuickPick(
      ordered.map((r) => ({
        label: String(r),
        description: r === cluster.swarm.replicas ? vscode.l10n.t('{0} masters with {1} replica(s) each (as deployed)', running / (r + 1), r) : vscode.l10n.t('{0} masters with {1} replica(s) each', running / (r + 1), r),
        r,
      })),
      { title: vscode.l10n.t('Create Cluster {0}: replicas per master', cluster.name), placeHolder: vscode.l10n.t('Replicas per master') },
    );
    if (!replicas) return undefined;
    const login = await ctx.passwords.get(cluster.name);
    const access = await openClusterAccess(cluster.name, {
      ...ctx.engines.targetOptions(),
      logger: ctx.logger,
      ...(login !== undefined ? { login } : {}),
    });
    try {
      const plan = planSwarmCreate(access, replicas.r);
      const text = formatPlan(plan);
      ctx.output.info(`plan for ${cluster.name}:\n${text}`);
      const createButton = vscode.l10n.t('Create Cluster');
      const go = await vscode.window.showInformationMessage(
        vscode.l10n.t('Form Redis cluster "{0}" from {1} node services?', cluster.name, plan.nodes.length),
        { modal: true, detail: text },
        createButton,
      );
      if (go !== createButton) return undefined;
      // Nodes not in a cluster yet still take a named client: the lock lives on every node given.
      const lockPool = adminPoolFor(access);
      try {
        await withClusterLock({ cluster: cluster.name, pool: lockPool, nodes: access.seeds }, 'create', async () =>
          vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Forming Redis cluster {0}', cluster.name), cancellable: true },
            (progress, token) => formSwarmCluster(access, plan, { progress, token }),
          ),
        );
      } finally {
        await lockPool.close();
      }
      ctx.logger.info(`cluster ${cluster.name} formed`);
      void vscode.window.showInformationMessage(vscode.l10n.t('Redis cluster {0} is formed: {1} masters.', cluster.name, plan.masters.length));
      return cluster.name;
    } finally {
      await access.dispose();
      ctx.refresh.request(`create ${cluster.name}`);
    }
  },
};
