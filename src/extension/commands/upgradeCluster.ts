import * as vscode from 'vscode';
import { listRedisImages } from '../../core/docker/images';
import { upgradeCluster } from '../../core/rolling/rollOps';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.upgradeCluster`: pick a local Redis image, then the rolling upgrade (optionally failing back). */
export const upgradeClusterCommand: CommandDef = {
  id: 'redisSwarm.upgradeCluster',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], 'Upgrade');
    if (!cluster) return;
    const current = new Set(cluster.swarm.nodes.map((n) => n.image));
    const images = await listRedisImages(ctx.engines.get().docker);
    const pick = await vscode.window.showQuickPick(
      images.map((i) => ({ label: i.tag, description: `${i.redisVersion ? `Redis ${i.redisVersion}` : 'version unknown'}${current.has(i.tag) ? ' · current' : ''}` })),
      { title: `Upgrade ${cluster.name} to which image? (it is checked before anything changes)` },
    );
    if (!pick) return;
    const layout = await vscode.window.showQuickPick(
      [
        { label: 'Keep the new layout', description: 'each old master ends as a replica of the node it failed over to', failBack: false },
        { label: 'Fail back', description: 'the original masters are masters again at the end', failBack: true },
      ],
      { title: 'After the upgrade' },
    );
    if (!layout) return;
    await runRoll(ctx, cluster, `Upgrade to ${pick.label}`, (access, pool, o) => upgradeCluster(access, pool, pick.label, { ...o, failBack: layout.failBack }));
  },
};
