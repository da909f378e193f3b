import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { formatHealOutcome, healSummary } from '../../core/heal/formatHeal';
import { drainHost, findSwarmHost, planDrain, setHostAvailability } from '../../core/heal/drainHost';
import { checkHealCluster, openHealSession } from '../../core/heal/healCluster';
import { DEFAULT_GRACE_SECONDS } from '../../core/heal/planHeal';
import { listSwarmHosts } from '../../core/swarm/swarmHosts';
import { clusterOf, type TreeNode } from '../tree/nodes';
import { type CommandContext, type CommandDef } from './commandContext';

/** The swarm node the command was run on, or one the user picks. */
async function pickHost(ctx: CommandContext, arg: TreeNode | undefined, title: string): Promise<string | undefined> {
  if (arg?.kind === 'host') return arg.host.hostname;
  const hosts = await listSwarmHosts(ctx.engines.get().docker);
  if (hosts.length === 0) throw new BadInputError(vscode.l10n.t('This engine lists no swarm nodes: connect to a swarm manager.'));
  return vscode.window.showQuickPick(hosts.map((h) => h.hostname), { title });
}

async function pickCluster(ctx: CommandContext, arg: TreeNode | undefined): Promise<string | undefined> {
  const named = clusterOf(arg)?.name;
  if (named !== undefined) return named;
  const names = ctx.store.current?.clusters.map((c) => c.name) ?? [];
  if (names.length === 0) throw new BadInputError(vscode.l10n.t('No Redis cluster on this swarm. Refresh the Redis Swarm view first.'));
  return names.length === 1 ? names[0] : vscode.window.showQuickPick(names, { title: vscode.l10n.t('Keep which cluster serving while the node drains?') });
}

/**
 * `redisSwarm.drainHost` (on a swarm node or a cluster in the tree): core heal/drainHost.ts, after
 * a modal confirmation that lists the failovers and the services that move.
 */
export const drainHostCommand: CommandDef = {
  id: 'redisSwarm.drainHost',
  async run(ctx, ...args) {
    const arg = args[0] as TreeNode | undefined;
    const hostName = await pickHost(ctx, arg, vscode.l10n.t('Drain which swarm node?'));
    if (hostName === undefined) return;
    const clusterName = await pickCluster(ctx, arg);
    if (clusterName === undefined) return;
    const login = await ctx.passwords.get(clusterName);
    const session = await openHealSession(ctx.engines.get(), clusterName, { ...(login !== undefined ? { login } : {}), logger: ctx.logger });
    try {
      const plan = await planDrain(session, hostName);
      if (plan.blockers.length > 0) throw new BadInputError(vscode.l10n.t('Not draining {0}: {1}.', hostName, plan.blockers.join('; ')));
      const detail = [
        ...plan.failovers.map((f) => `Fail master ${f.master.swarm?.service ?? f.master.id} over to ${f.replica.swarm?.service ?? f.replica.id} on ${f.replica.swarm?.swarmHost ?? '?'}.`),
        `Drain ${hostName}: ${plan.moving.join(', ') || 'nothing of the cluster'} move${plan.moving.length === 1 ? 's' : ''} elsewhere, then heal.`,
      ].join('\n');
      const drain = vscode.l10n.t('Drain');
      if ((await vscode.window.showWarningMessage(vscode.l10n.t('Drain {0} without refusing writes to {1}?', hostName, clusterName), { modal: true, detail }, drain)) !== drain) return;
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Draining {0}', hostName), cancellable: true }, (progress, token) =>
        drainHost(session, plan, { graceMs: (vscode.workspace.getConfiguration('redisSwarm').get<number>('heal.graceSeconds') ?? DEFAULT_GRACE_SECONDS) * 1000, token, progress, logger: ctx.logger }),
      );
      ctx.refresh.request(`drained ${hostName}`);
      ctx.output.info(formatHealOutcome(result.heal).trimEnd());
      const summary = healSummary(clusterName, result.heal);
      const done = vscode.l10n.t('{0} is drained. {1}', hostName, summary.text);
      void (summary.severity === 'info' ? vscode.window.showInformationMessage(done) : vscode.window.showWarningMessage(done));
    } finally {
      await session.dispose();
    }
  },
};

/** `redisSwarm.activateHost` (on a swarm node in the tree): takes tasks again; says when replicas could move back (heal --spread-hosts). */
export const activateHostCommand: CommandDef = {
  id: 'redisSwarm.activateHost',
  async run(ctx, ...args) {
    const arg = args[0] as TreeNode | undefined;
    const hostName = await pickHost(ctx, arg, vscode.l10n.t('Activate which swarm node?'));
    if (hostName === undefined) return;
    const engine = ctx.engines.get();
    await setHostAvailability(engine.docker, await findSwarmHost(engine.docker, hostName), 'active');
    ctx.refresh.request(`activated ${hostName}`);
    const offers: string[] = [];
    for (const c of ctx.store.current?.clusters ?? []) {
      const login = await ctx.passwords.get(c.name);
      const session = await openHealSession(engine, c.name, { ...(login !== undefined ? { login } : {}), logger: ctx.logger });
      try {
        for (const f of (await checkHealCluster(session)).findings.filter((x) => x.code === 'host-spread' || x.code === 'master-spread')) offers.push(`${c.name}: ${f.message}`);
      } catch (err) {
        ctx.logger.warn(`activate ${hostName}: could not check ${c.name}: ${String(err)}`);
      } finally {
        await session.dispose();
      }
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} takes tasks again.{1}', hostName, offers.length > 0 ? ` ${offers.join(' ')}` : ''));
  },
};
