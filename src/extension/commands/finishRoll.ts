import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { resumeRoll, rollbackRoll } from '../../core/rolling/rollOps';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.finishRoll`: resume the unfinished upgrade, restart or config change, or roll it (or the last one) back. */
export const finishRollCommand: CommandDef = {
  id: 'redisSwarm.finishRoll',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], vscode.l10n.t('Resume or Roll Back'));
    if (!cluster) return;
    const roll = cluster.swarm.roll;
    const pick = await vscode.window.showQuickPick(
      [
        ...(roll ? [{ label: vscode.l10n.t('Resume'), description: vscode.l10n.t('finish the {0} started {1}', roll.kind, roll.startedAt), back: false }] : []),
        { label: vscode.l10n.t('Roll Back'), description: roll ? vscode.l10n.t('undo the unfinished {0}', roll.kind) : vscode.l10n.t('undo the last upgrade or configuration change'), back: true },
      ],
      { title: vscode.l10n.t('{0}: resume or roll back', cluster.name) },
    );
    if (!pick) return;
    if (!pick.back && !roll) throw new BadInputError(vscode.l10n.t('{0} has nothing to resume.', cluster.name));
    await runRoll(ctx, cluster, pick.back ? vscode.l10n.t('Roll back') : vscode.l10n.t('Resume'), (access, pool, o) => (pick.back ? rollbackRoll(access, pool, o) : resumeRoll(access, pool, o)));
  },
};
