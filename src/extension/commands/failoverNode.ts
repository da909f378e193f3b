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
    if (node?.kind !== 'replica') throw new BadInputError('Run "Failover" on a replica in the Redis Swarm view.');
    const replica = node.node.node;
    const masterHealthy = node.shard.master.healthy;
    let mode: FailoverMode = 'default';
    if (!masterHealthy) {
      // A default failover needs the master's cooperation; offer the two that do not.
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Force', description: 'no handshake with the master; masters still vote', mode: 'force' as const },
          { label: 'Takeover', description: 'no vote either: for a minority partition', mode: 'takeover' as const },
        ],
        { title: `The master of ${formatEndpoint(replica.endpoint)} looks down. Fail over anyway?` },
      );
      if (!pick) return;
      mode = pick.mode;
    }
    const result = await runClusterOperation(ctx, node.cluster, 'Failover', (c, progress, token) =>
      failover(c.pool, replica.endpoint, { mode, progress, token }),
    );
    ctx.logger.info(`failover: ${result.newMasterId.slice(0, 8)} is master in ${result.elapsedMs} ms (was replica of ${result.oldMasterId.slice(0, 8)})`);
    void vscode.window.showInformationMessage(
      `${replica.hostname ?? formatEndpoint(replica.endpoint)} is now a master` +
        (result.oldMasterConfirmed ? `; ${formatEndpoint(result.oldMasterEndpoint)} is its replica.` : ' (its old master did not answer).'),
    );
  },
};
