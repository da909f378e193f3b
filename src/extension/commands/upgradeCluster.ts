import * as vscode from 'vscode';
import { listRedisImages } from '../../core/docker/images';
import { upgradeCluster } from '../../core/rolling/rollOps';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.upgradeCluster`: pick a local Redis image, then the rolling upgrade (optionally failing back). */
export const upgradeClusterCommand: CommandDef = {
  id: 'redisSwarm.upgradeCluster',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], vscode.l10n.t('Upgrade'));
    if (!cluster) return;
    const current = new Set(cluster.swarm.nodes.map((n) => n.image));
    const images = await listRedisImages(ctx.engines.get().docker);
    const pick = await vscode.window.showQuickPick(
      images.map((i) => ({ label: i.tag, description: (i.redisVersion ? vscode.l10n.t('Redis {0}', i.redisVersion) : vscode.l10n.t('version unknown')) + (current.has(i.tag) ? vscode.l10n.t(' · current') : '') })),
      { title: vscode.l10n.t('Upgrade {0} to which image? (it is checked before anything changes)', cluster.name) },
    );
    if (!pick) return;
    const layout = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Keep the new layout'), description: vscode.l10n.t('each old master ends as a replica of the node it failed over to'), failBack: false },
        { label: vscode.l10n.t('Fail back'), description: vscode.l10n.t('the original masters are masters again at the end'), failBack: true },
      ],
      { title: vscode.l10n.t('After the upgrade') },
    );
    if (!layout) return;
    await runRoll(ctx, cluster, vscode.l10n.t('Upgrade to {0}', pick.label), (access, pool, o) => upgradeCluster(access, pool, pick.label, { ...o, failBack: layout.failBack }));
  },
};
