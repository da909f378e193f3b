import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { endpointOf } from '../../core/model/describeNodes';
import { type CommandDef } from './commandContext';
import { isTreeNode } from './pickCluster';

/** `redisSwarm.copyEndpoint` on a master or replica: the endpoint it announces (`redis-3:6379`). */
export const copyEndpointCommand: CommandDef = {
  id: 'redisSwarm.copyEndpoint',
  async run(_ctx, arg) {
    if (!isTreeNode(arg) || (arg.kind !== 'master' && arg.kind !== 'replica')) {
      throw new BadInputError(vscode.l10n.t('Run "Copy Endpoint" on a master or replica in the Redis Swarm view.'));
    }
    const endpoint = endpointOf(arg.node);
    await vscode.env.clipboard.writeText(endpoint);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', endpoint), 3000);
    return endpoint;
  },
};
