import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { applyDelNode, formatDelNodePlan, formatDelNodeResult, planDelNode } from '../../core/ops/delNode';
import { whileConverging } from '../../core/ops/opsTopology';
import { resolveNode } from './pickCluster';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';
import { moveProgressMessages, moveSettingsFromConfig } from './opsSettings';

/**
 * `redisSwarm.removeNode` on a master or a replica: after a modal confirmation that names the
 * service and what happens to its slots and replicas, the node is drained, forgotten by every
 * node, and its service removed (its volume is kept).
 */
export const removeNodeCommand: CommandDef = {
  id: 'redisSwarm.removeNode',
  async run(ctx, ...args) {
    const node = await resolveNode(ctx, args[0], {
      title: vscode.l10n.t('Remove which node?'),
      kinds: ['master', 'replica'],
      none: vscode.l10n.t('Run "Remove Node" on a master or a replica in the Redis Swarm view.'),
    });
    if (!node) return;
    const cluster = node.cluster;
    const target = node.node;
    const service = target.service?.service;
    if (!service) throw new BadInputError(vscode.l10n.t('Node {0} runs in no service of {1}; nothing to remove.', target.node.id.slice(0, 8), cluster.name));
    const fate =
      node.kind === 'master'
        ? (node.shard.slotCount > 0 ? vscode.l10n.t('Its {0} slot(s) and their keys move to the other masters first.', node.shard.slotCount) : vscode.l10n.t('It holds no slots.')) +
          (node.shard.replicas.length > 0 ? ' ' + vscode.l10n.t('Its {0} replica(s) are re-pointed to other masters.', node.shard.replicas.length) : '')
        : vscode.l10n.t('It holds no slots; its master keeps serving them.');
    const removeButton = vscode.l10n.t('Remove Node');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove {0} from cluster {1}?', service, cluster.name),
      { modal: true, detail: vscode.l10n.t('{0} Then every node forgets it and service {1} is removed; its volume is kept.', fate, service) },
      removeButton,
    );
    if (choice !== removeButton) return;
    const result = await runClusterOperation(ctx, cluster, vscode.l10n.t('Remove {0}', service), async (c, progress, token) => {
      const scale = { engine: ctx.engines.get(), router: c.router, pool: c.pool, progress, token, logger: ctx.logger, settings: moveSettingsFromConfig(), onProgress: moveProgressMessages(progress) };
      const prepared = await whileConverging(() => planDelNode(scale, cluster.name, { node: target.node.id }), { token });
      ctx.logger.info(formatDelNodePlan(prepared.plan, prepared.topology).trim());
      return applyDelNode(scale, prepared);
    });
    ctx.logger.info(formatDelNodeResult(result).trim());
    if (result.ok) void vscode.window.showInformationMessage(vscode.l10n.t('{0} was removed from {1}.', service, cluster.name));
    else void vscode.window.showWarningMessage(vscode.l10n.t('{0}: {1}', service, result.findings.map((f) => f.message).join(' ') || vscode.l10n.t('see the log')));
  },
};
