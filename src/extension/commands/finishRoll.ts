import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { resumeRoll, rollbackRoll } from '../../core/rolling/rollOps';
import { type CommandDef } from './commandContext';
import { pickRollCluster, runRoll } from './rollSupport';

/** `redisSwarm.finishRoll`: resume the unfinished upgrade, restart or config change, or roll it (or the last one) back. */
export const finishRollCommand: CommandDef = {
  id: 'redisSwarm.finishRoll',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], 'Resume or Roll Back');
    if (!cluster) return;
    const roll = cluster.swarm.roll;
    const pick = await vscode.window.showQuickPick(
      [
        ...(roll ? [{ label: 'Resume', description: `finish the ${roll.kind} started ${roll.startedAt}`, back: false }] : []),
        { label: 'Roll Back', description: roll ? `undo the unfinished ${roll.kind}` : 'undo the last upgrade or configuration change', back: true },
      ],
      { title: `${cluster.name}: resume or roll back` },
    );
    if (!pick) return;
    if (!pick.back && !roll) throw new BadInputError(`${cluster.name} has nothing to resume.`);
    await runRoll(ctx, cluster, pick.back ? 'Roll back' : 'Resume', (access, pool, o) => (pick.back ? rollbackRoll(access, pool, o) : resumeRoll(access, pool, o)));
  },
};
