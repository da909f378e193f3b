import * as vscode from 'vscode';
import { restartCluster } from '../../core/rolling/rollOps';
import { type TreeNode } from '../tree/nodes';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.restartCluster`: a rolling restart of a cluster, or of one node when run on a master or replica. */
export const restartClusterCommand: CommandDef = {
  id: 'redisSwarm.restartCluster',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], vscode.l10n.t('Restart'));
    if (!cluster) return;
    const item = args[0] as TreeNode | undefined;
    const node = item?.kind === 'master' || item?.kind === 'replica' ? item.node.service?.service : undefined;
    const what = node ?? vscode.l10n.t('every node of {0}', cluster.name);
    const restart = vscode.l10n.t('Restart');
    const ok = await vscode.window.showWarningMessage(
      vscode.l10n.t('Restart {0}?', what),
      { modal: true, detail: vscode.l10n.t('Replicas first, one at a time; a master is failed over to an in-sync replica before it restarts. Every slot keeps serving.') },
      restart,
    );
    if (ok !== restart) return;
    await runRoll(ctx, cluster, node ? vscode.l10n.t('Restart {0}', node) : vscode.l10n.t('Restart nodes'), (access, pool, o) => restartCluster(access, pool, node, o));
  },
};
