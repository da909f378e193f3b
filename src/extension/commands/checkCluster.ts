import * as vscode from 'vscode';
import { checkCluster } from '../../core/cluster/check';
import { formatCheck } from '../../core/cluster/formatCheck';
import { readTopology } from '../../core/cluster/readTopology';
import { BadInputError } from '../../core/errors';
import { seedEndpoints } from '../../core/swarm/discover';
import { joinSwarm } from '../../core/swarm/joinTopology';
import { type CommandDef } from './commandContext';
import { resolveCluster } from './pickCluster';

/** What Check returns, for callers such as tests. */
export interface CheckOutcome {
  readonly cluster: string;
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly text: string;
}

/**
 * `redisSwarm.checkCluster`: reads every node's own view through the store's reader (its routes
 * and open connections), checks it like `redis-cli --cluster check` and more, prints the report
 * in the "Redis Swarm" channel and sums it up in a notification of matching severity.
 */
export const checkClusterCommand: CommandDef = {
  id: 'redisSwarm.checkCluster',
  async run(ctx, arg): Promise<CheckOutcome | undefined> {
    const cluster = await resolveCluster(ctx, arg, { title: vscode.l10n.t('Check Cluster'), filter: (c) => c.shards.length > 0 || c.health !== 'unformed' });
    if (!cluster) return undefined;
    const seeds = seedEndpoints(cluster.swarm);
    if (seeds.length === 0) throw new BadInputError(vscode.l10n.t('Cluster "{0}" has no node with a running task to ask.', cluster.name));
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking {0}', cluster.name) },
      async () => {
        const { router, pool } = await ctx.store.getReader().connectionsFor(cluster.swarm);
        const topology = joinSwarm(await readTopology(router, seeds, { pool }), cluster.swarm);
        const report = checkCluster(topology, { cluster: cluster.swarm });
        const text = formatCheck(topology, report);
        return {
          cluster: cluster.name,
          ok: report.ok,
          errors: report.findings.filter((f) => f.severity === 'error').length,
          warnings: report.findings.filter((f) => f.severity === 'warning').length,
          text,
        };
      },
    );
    ctx.output.info(`Check of cluster ${cluster.name}:\n${outcome.text}`);
    const summary =
      outcome.errors > 0
        ? vscode.l10n.t('Cluster {0}: {1} error(s), {2} warning(s).', cluster.name, outcome.errors, outcome.warnings)
        : outcome.warnings > 0
          ? vscode.l10n.t('Cluster {0}: no error, {1} warning(s).', cluster.name, outcome.warnings)
          : vscode.l10n.t('Cluster {0} is healthy.', cluster.name);
    const show = outcome.errors > 0 ? vscode.window.showErrorMessage : outcome.warnings > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(summary, vscode.l10n.t('Show Report')).then((choice) => {
      if (choice) ctx.output.show(true);
    });
    ctx.refresh.request('check');
    return outcome;
  },
};
