import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { applyConfigSet, planConfigSet } from '../../core/rolling/configChange';
import { confWords } from '../../core/rolling/confText';
import { formatConfigPlan } from '../../core/rolling/formatRoll';
import { type CommandDef } from './commandContext';
import { pickRollCluster, rollAccess, runRoll } from './rollSupport';

/** `redisSwarm.changeConfig`: `NAME VALUE …` typed in, the diff shown, then set live where possible and rolled onto a new config version. */
export const changeConfigCommand: CommandDef = {
  id: 'redisSwarm.changeConfig',
  async run(ctx, ...args) {
    const cluster = await pickRollCluster(ctx, args[0], vscode.l10n.t('Change Configuration'));
    if (!cluster) return;
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Change the redis.conf of {0}', cluster.name),
      prompt: vscode.l10n.t('Settings as NAME VALUE pairs, e.g. maxmemory 256mb maxmemory-policy allkeys-lru'),
    });
    if (!text) return;
    const words = confWords(text);
    if (words.length === 0 || words.length % 2 !== 0) throw new BadInputError(vscode.l10n.t('Give NAME VALUE pairs (quote a value that has spaces).'));
    const pairs: [string, string][] = [];
    for (let i = 0; i < words.length; i += 2) pairs.push([words[i] as string, words[i + 1] as string]);
    const { access, pool } = await rollAccess(ctx, cluster);
    const plan = await planConfigSet(access, pool, pairs);
    const apply = vscode.l10n.t('Apply and Roll');
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Change the configuration of {0}?', cluster.name), { modal: true, detail: formatConfigPlan(plan) }, apply);
    if (ok !== apply) return;
    ctx.logger.info(formatConfigPlan(plan).trim());
    await runRoll(ctx, cluster, vscode.l10n.t('Change configuration'), async (a, p, o) => (await applyConfigSet(a, p, plan, o)).roll);
  },
};
