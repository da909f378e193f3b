import * as vscode from 'vscode';
import { formatRanges } from '../../core/cluster/topology';
import { endpointOf } from '../../core/model/describeNodes';
import { failover, type FailoverMode } from '../../core/ops/failover';
import { failoverSummary } from '../../core/ops/formatOps';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';
import { confirmedByCaller, resolveNode } from './pickCluster';

/**
 * `redisSwarm.failover` on a replica (from the tree, or picked from the palette): it becomes
 * master, its master its replica. One modal confirmation names both services; the progress
 * stays in the status bar; one message says what happened, in service names. The change
 * notifier knows this cluster's change was asked for, so it raises no second warning.
 */
export const failoverCommand: CommandDef = {
  id: 'redisSwarm.failover',
  async run(ctx, ...args) {
    const node = await resolveNode(ctx, args[0], {
      title: vscode.l10n.t('Failover: promote which replica?'),
      kinds: ['replica'],
      none: vscode.l10n.t('Run "Failover" on a replica (in the Redis Swarm view, or pick one from the palette).'),
    });
    if (node?.kind !== 'replica') return undefined;
    const replica = node.node;
    const name = replica.service?.service ?? endpointOf(replica);
    const masterName = node.shard.master.service?.service ?? endpointOf(node.shard.master);
    const slots = formatRanges(node.shard.slots);
    let mode: FailoverMode = 'default';
    if (!node.shard.master.healthy) {
      // A default failover needs the master's cooperation; offer the two that do not.
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Force'), description: vscode.l10n.t('no handshake with the master; masters still vote'), mode: 'force' as const },
          { label: vscode.l10n.t('Takeover'), description: vscode.l10n.t('no vote either: for a minority partition'), mode: 'takeover' as const },
        ],
        { title: vscode.l10n.t('{0}, the master of {1}, looks down. Fail over anyway?', masterName, name) },
      );
      if (!pick) return undefined;
      mode = pick.mode;
    } else if (!confirmedByCaller(args)) {
      const failoverButton = vscode.l10n.t('Failover');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Fail over {0}: make {1} the master of slots {2}?', node.cluster.name, name, slots),
        { modal: true, detail: vscode.l10n.t('{0} becomes its replica. Clients see a short pause while the roles swap.', masterName) },
        failoverButton,
      );
      if (choice !== failoverButton) return undefined;
    }
    const result = await runClusterOperation(
      ctx,
      node.cluster,
      vscode.l10n.t('Failover to {0}', name),
      (c, progress, token) => failover(c.pool, replica.node.endpoint, { mode, progress, token }),
      { location: vscode.ProgressLocation.Window },
    );
    ctx.logger.info(`failover in ${node.cluster.name}: ${name} (${result.newMasterId.slice(0, 8)}) is master in ${result.elapsedMs} ms; ${masterName} (${result.oldMasterId.slice(0, 8)}) ${result.oldMasterConfirmed ? 'is its replica' : 'did not answer'}`);
    const text = failoverSummary({ newMaster: name, oldMaster: masterName, slots, oldMasterConfirmed: result.oldMasterConfirmed });
    void vscode.window.showInformationMessage(text);
    return text;
  },
};
