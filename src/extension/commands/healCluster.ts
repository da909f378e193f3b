import * as vscode from 'vscode';
import { formatRanges } from '../../core/cluster/topology';
import { formatHealOutcome, formatHealPlan, healSummary } from '../../core/heal/formatHeal';
import { healCluster, openHealSession } from '../../core/heal/healCluster';
import { DEFAULT_GRACE_SECONDS } from '../../core/heal/planHeal';
import { resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';

/**
 * `redisSwarm.healCluster` ("Heal Cluster", on a cluster in the tree or from the palette): shows
 * the plan, applies it under a cancellable progress notification, and warns naming the slot
 * ranges whose data is gone when cache mode gave lost slots up.
 */
export const healClusterCommand: CommandDef = {
  id: 'redisSwarm.healCluster',
  async run(ctx, ...args) {
    // The same picker as every command: worst first, each cluster with its state.
    const picked = await resolveCluster(ctx, args[0], { title: vscode.l10n.t('Heal which cluster?'), none: vscode.l10n.t('No Redis cluster on this swarm to heal.') });
    if (!picked) return;
    const clusterName = picked.name;
    const graceMs = (vscode.workspace.getConfiguration('redisSwarm').get<number>('heal.graceSeconds') ?? DEFAULT_GRACE_SECONDS) * 1000;
    const login = await ctx.passwords.get(clusterName);
    const session = await openHealSession(ctx.engines.get(), clusterName, { ...(login !== undefined ? { login } : {}), logger: ctx.logger });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Healing {0}', clusterName), cancellable: true },
        (progress, token) =>
          healCluster(session, {
            graceMs,
            token,
            progress,
            logger: ctx.logger,
            onPlan: (plan, d) => ctx.output.info(formatHealPlan(d, plan).trimEnd()),
            confirm: async (plan, d) => {
              const text = formatHealPlan(d, plan);
              const apply = vscode.l10n.t('Apply');
              const choice = await vscode.window.showWarningMessage(
                vscode.l10n.t('Heal {0}: {1} step(s).', clusterName, plan.actions.length),
                { modal: true, detail: text },
                apply,
              );
              return choice === apply;
            },
          }),
      );
      ctx.refresh.request(`healed ${clusterName}`);
      if (result.declined) return;
      if (result.lostRanges.length > 0) {
        void vscode.window.showWarningMessage(vscode.l10n.t('{0}: slots {1} lost their data; they are served again, empty (cache mode).', clusterName, formatRanges(result.lostRanges)));
      }
      // The verdict is check's, and a timeout says what was not done (core/heal/formatHeal.ts).
      ctx.output.info(formatHealOutcome(result).trimEnd());
      const summary = healSummary(clusterName, result);
      if (summary.severity === 'info') void vscode.window.showInformationMessage(summary.text);
      else void vscode.window.showWarningMessage(summary.text, vscode.l10n.t('Show Log')).then((c) => (c ? ctx.output.show(true) : undefined));
    } finally {
      await session.dispose();
    }
  },
};
