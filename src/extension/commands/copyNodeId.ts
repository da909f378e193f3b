import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type CommandDef } from './commandContext';
import { isTreeNode } from './pickCluster';

/** `redisSwarm.copyNodeId` on a master or replica: its 40-character cluster node ID. */
export const copyNodeIdCommand: CommandDef = {
  id: 'redisSwarm.copyNodeId',
  async run(_ctx, arg) {
    if (!isTreeNode(arg) || (arg.kind !== 'master' && arg.kind !== 'replica')) {
      throw new BadInputError(vscode.l10n.t('Run "Copy Node ID" on a master or replica in the Redis Swarm view.'));
    }
    await vscode.env.clipboard.writeText(arg.node.node.id);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied node ID {0}…', arg.node.node.id.slice(0, 8)), 3000);
    return arg.node.node.id;
  },
};
