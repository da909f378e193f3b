import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { applyAddNode, formatAddNodePlan, planAddNode } from '../../core/ops/addNode';
import { whileConverging } from '../../core/ops/opsTopology';
import { type ClusterModel } from '../../core/model/clusterModel';
import { endpointOf } from '../../core/model/describeNodes';
import { hasSlots, isTreeNode, resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';

/**
 * `redisSwarm.addReplica` on a cluster (a replica for the master that needs one most) or on a
 * master (a replica of that master): a new node service like the others, joined and synced.
 * Adding is not destructive and a failure part-way removes what it made, so no confirmation.
 */
export const addReplicaCommand: CommandDef = {
  id: 'redisSwarm.addReplica',
  async run(ctx, ...args) {
    const arg = args[0];
    let cluster: ClusterModel;
    let masterId: string | undefined;
    if (isTreeNode(arg)) {
      if (arg.kind !== 'cluster' && arg.kind !== 'master') throw new BadInputError(vscode.l10n.t('Run "Add Replica" on a cluster or a master in the Redis Swarm view.'));
      cluster = arg.cluster;
      masterId = arg.kind === 'master' ? arg.node.node.id : undefined;
    } else {
      // From the palette: the cluster, then the master (or whichever needs a replica most).
      const picked = await resolveCluster(ctx, arg, {
        title: vscode.l10n.t('Add a replica to which cluster?'),
        filter: hasSlots,
        none: vscode.l10n.t('No Redis cluster with slots on the connected swarm to add a replica to.'),
      });
      if (!picked) return;
      cluster = picked;
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('The master that needs one most'), description: vscode.l10n.t('fewest replicas first'), id: undefined as string | undefined },
          ...cluster.shards.map((s) => ({
            label: s.master.service?.service ?? endpointOf(s.master),
            description: vscode.l10n.t('master · {0} slots · {1} replica(s)', s.slotCount, s.replicas.length),
            id: s.master.node.id as string | undefined,
          })),
        ],
        { title: vscode.l10n.t('Add a replica to {0}: of which master?', cluster.name) },
      );
      if (!pick) return;
      masterId = pick.id;
    }
    const result = await runClusterOperation(ctx, cluster, vscode.l10n.t('Add replica'), async (c, progress, token) => {
      const scale = { engine: ctx.engines.get(), router: c.router, pool: c.pool, progress, token, logger: ctx.logger };
      // A cluster still converging (just deployed, just failed over) is waited for, not called broken.
      const prepared = await whileConverging(() => planAddNode(scale, cluster.name, { role: 'replica', ...(masterId !== undefined ? { masterOf: masterId } : {}) }), { token });
      ctx.logger.info(formatAddNodePlan(prepared.plan).trim());
      return applyAddNode(scale, prepared);
    });
    const text = vscode.l10n.t('{0} is a replica of {1} ({2} s).', result.service, result.masterId?.slice(0, 8) ?? '?', Math.round(result.elapsedMs / 1000));
    if (result.ok && result.placementWarning !== undefined) void vscode.window.showWarningMessage(vscode.l10n.t('{0} {1}', text, result.placementWarning));
    else if (result.ok) void vscode.window.showInformationMessage(text);
    else void vscode.window.showWarningMessage(vscode.l10n.t('{0} The check found: {1}', text, result.findings.map((f) => f.message).join(' ')));
  },
};
