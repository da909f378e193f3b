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
    const node = await resolveNode(ctx, args[0], { title: 'Remove which node?', kinds: ['master', 'replica'], none: 'Run "Remove Node" on a master or a replica in the Redis Swarm view.' });
    if (!node) return;
    const cluster = node.cluster;
    const target = node.node;
    const service = target.service?.service;
    if (!service) throw new BadInputError(`Node ${target.node.id.slice(0, 8)} runs in no service of ${cluster.name}; nothing to remove.`);
    const fate =
      node.kind === 'master'
        ? `${node.shard.slotCount > 0 ? `Its ${node.shard.slotCount} slot(s) and their keys move to the other masters first` : 'It holds no slots'}` +
          `${node.shard.replicas.length > 0 ? `; its ${node.shard.replicas.length} replica(s) are re-pointed to other masters` : ''}.`
        : 'It holds no slots; its master keeps serving them.';
    const choice = await vscode.window.showWarningMessage(
      `Remove ${service} from cluster ${cluster.name}?`,
      { modal: true, detail: `${fate} Then every node forgets it and service ${service} is removed; its volume is kept.` },
      'Remove Node',
    );
    if (choice !== 'Remove Node') return;
    const result = await runClusterOperation(ctx, cluster, `Remove ${service}`, async (c, progress, token) => {
      const scale = { engine: ctx.engines.get(), router: c.router, pool: c.pool, progress, token, logger: ctx.logger, settings: moveSettingsFromConfig(), onProgress: moveProgressMessages(progress) };
      const prepared = await whileConverging(() => planDelNode(scale, cluster.name, { node: target.node.id }), { token });
      ctx.logger.info(formatDelNodePlan(prepared.plan, prepared.topology).trim());
      return applyDelNode(scale, prepared);
    });
    ctx.logger.info(formatDelNodeResult(result).trim());
    if (result.ok) void vscode.window.showInformationMessage(`${service} was removed from ${cluster.name}.`);
    else void vscode.window.showWarningMessage(`${service}: ${result.findings.map((f) => f.message).join(' ') || 'see the log'}`);
  },
};
