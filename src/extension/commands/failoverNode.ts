import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { failover, type FailoverMode } from '../../core/ops/failover';
import { formatEndpoint } from '../../core/routes/endpoint';
import { type TreeNode } from '../tree/nodes';
import { type CommandDef } from './commandContext';
import { runClusterOperation } from './opsSupport';

/** `redisSwarm.failover` on a replica of the tree: it becomes master, its master its replica. */
export const failoverCommand: CommandDef = {
  id: 'redisSwarm.failover',
  async run(ctx, ...args) {
    const node = args[0] as TreeNode | undefined;
    if (node?.kind !== 'replica') throw new BadInputError(vscode.l10n.t('Run "Failover" on a replica in the Redis Swarm view.'));
    const replica = node.node.node;
    const masterHealthy = node.shard.master.healthy;
    let mode: FailoverMode = 'default';
    if (!masterHealthy) {
      // A default failover needs the master's cooperation; offer the two that do not.
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Force'), description: vscode.l10n.t('no handshake with the master; masters still vote'), mode: 'force' as const },
          { label: vscode.l10n.t('Takeover'), description: vscode.l10n.t('no vote either: for a minority partition'), mode: 'takeover' as const },
        ],
        { title: vscode.l10n.t('The master of {0} looks down. Fail over anyway?', formatEndpoint(replica.endpoint)) },
      );
      if (!pick) return;
      mode = pick.mode;
    }
    const result = await runClusterOperation(ctx, node.cluster, vscode.l10n.t('Failover'), (c, progress, token) =>
      failover(c.pool, replica.endpoint, { mode, progress, token }),
    );
    ctx.logger.info(`failover: ${result.newMasterId.slice(0, 8)} is master in ${result.elapsedMs} ms (was replica of ${result.oldMasterId.slice(0, 8)})`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is now a master', replica.hostname ?? formatEndpoint(replica.endpoint)) +
        (result.oldMasterConfirmed ? vscode.l10n.t('; {0} is its replica.', formatEndpoint(result.oldMasterEndpoint)) : vscode.l10n.t(' (its old master did not answer).')),
    );
  },
};
