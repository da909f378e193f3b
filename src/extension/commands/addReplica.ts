import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { applyAddNode, formatAddNodePlan, planAddNode } from '../../core/ops/addNode';
import { type TreeNode } from '../tree/nodes';
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
    const node = args[0] as TreeNode | undefined;
    if (node?.kind !== 'cluster' && node?.kind !== 'master') throw new BadInputError(vscode.l10n.t('Run "Add Replica" on a cluster or a master in the Redis Swarm view.'));
    const cluster = node.cluster;
    const masterId = node.kind === 'master' ? node.node.node.id : undefined;
    const result = await runClusterOperation(ctx, cluster, vscode.l10n.t('Add replica'), async (c, progress, token) => {
      const scale = { engine: ctx.engines.get(), router: c.router, pool: c.pool, progress, token, logger: ctx.logger };
      const prepared = await planAddNode(scale, cluster.name, { role: 'replica', ...(masterId !== undefined ? { masterOf: masterId } : {}) });
      ctx.logger.info(formatAddNodePlan(prepared.plan).trim());
      return applyAddNode(scale, prepared);
    });
    const text = vscode.l10n.t('{0} is a replica of {1} ({2} s).', result.service, result.masterId?.slice(0, 8) ?? '?', Math.round(result.elapsedMs / 1000));
    if (result.ok && result.placementWarning !== undefined) void vscode.window.showWarningMessage(vscode.l10n.t('{0} {1}', text, result.placementWarning));
    else if (result.ok) void vscode.window.showInformationMessage(text);
    else void vscode.window.showWarningMessage(vscode.l10n.t('{0} The check found: {1}', text, result.findings.map((f) => f.message).join(' ')));
  },
};
