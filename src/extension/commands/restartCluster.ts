import * as vscode from 'vscode';
import { restartCluster } from '../../core/rolling/rollOps';
import { type TreeNode } from '../tree/nodes';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.restartCluster`: a rolling restart of a cluster, or of one node when run on a master or replica. */
export const restartClusterCommand: CommandDef = {
  id: 'redisSwarm.restartCluster',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], 'Restart');
    if (!cluster) return;
    const item = args[0] as TreeNode | undefined;
    const node = item?.kind === 'master' || item?.kind === 'replica' ? item.node.service?.service : undefined;
    const what = node ?? `every node of ${cluster.name}`;
    const ok = await vscode.window.showWarningMessage(
      `Restart ${what}?`,
      { modal: true, detail: 'Replicas first, one at a time; a master is failed over to an in-sync replica before it restarts. Every slot keeps serving.' },
      'Restart',
    );
    if (ok !== 'Restart') return;
    await runRoll(ctx, cluster, `Restart ${node ?? 'nodes'}`, (access, pool, o) => restartCluster(access, pool, node, o));
  },
};
