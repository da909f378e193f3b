import * as vscode from 'vscode';
import { loggedProgress } from '../../core/progressLog';
import { formatPlan } from '../../core/cluster/formatPlan';
import { CancelledError, describeError, isCancelledError, RedisError } from '../../core/errors';
import { type CancellationToken, type ProgressReporter } from '../../core/lifecycle';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { deployCluster } from '../../core/swarm/deploy';
import { formSwarmCluster, planSwarmCreate } from '../../core/swarm/formCluster';
import { type CommandContext, type CommandDef } from './commandContext';
import { type Answers, DeployWizard, deployOptionsOf, deploySummary } from './deployWizard';

/**
 * `redisSwarm.deployCluster`: an eleven-step wizard (name, nodes, replicas, image, network, port,
 * mode, TLS, users, password, summary), then deploy and form under one cancellable progress notification.
 */
export const deployClusterCommand: CommandDef = {
  id: 'redisSwarm.deployCluster',
  async run(ctx) {
    const answers = await new DeployWizard(ctx).run();
    if (!answers) return undefined;
    const o = deployOptionsOf(answers);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deploying Redis cluster {0}', o.name), cancellable: true },
        (progress, token) => deployAndForm(ctx, answers, progress, token),
      );
    } finally {
      ctx.refresh.request(`deployed ${o.name}`);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Redis cluster {0} is deployed and formed: {1} nodes.', o.name, o.nodes));
    return o.name;
  },
};

export async function deployAndForm(ctx: CommandContext, answers: Readonly<Answers>, progress: ProgressReporter, token: CancellationToken): Promise<void> {
  const o = deployOptionsOf(answers);
  const log = (message: string): void => {
    ctx.logger.info(`deploy ${o.name}: ${message}`);
  };
  // State changes at info; a poll repeating the same words goes to trace.
  const steps: ProgressReporter = loggedProgress(progress, { info: log, trace: (m) => ctx.logger.trace(`deploy ${o.name}: ${m}`) });
  const engine = ctx.engines.get();
  log(`deploying ${deploySummary(answers).join('; ')}`);
  const deployed = await deployCluster(engine, o, { progress: steps, token, logger: ctx.logger });
  // Too few hosts for the replicas: said now, where the user looks, not only in the log.
  for (const w of deployed.spread.warnings) void vscode.window.showWarningMessage(w);
  // Before forming: the model reader then finds it in SecretStorage.
  if (o.password !== undefined) await ctx.passwords.store(o.name, { ...(o.acl ? { username: o.acl.operator } : {}), password: o.password });
  if (token.isCancellationRequested) throw new CancelledError(vscode.l10n.t('Cancelled after the services of {0} were deployed; form them with "Create Cluster from Services".', o.name));
  steps.report({ message: vscode.l10n.t('planning slots and replicas') });
  const access = await openClusterAccess(o.name, {
    ...ctx.engines.targetOptions(),
    logger: ctx.logger,
    ...(o.password !== undefined ? { login: { password: o.password } } : {}),
  });
  try {
    const plan = planSwarmCreate(access, o.replicas);
    ctx.output.info(`plan for ${o.name}:\n${formatPlan(plan)}`);
    steps.report({ message: vscode.l10n.t('forming the cluster ({0} masters)', plan.masters.length) });
    await formSwarmCluster(access, plan, { progress: steps, token });
    log('cluster formed; every node agrees');
  } catch (err) {
    if (isCancelledError(err)) throw err;
    throw new RedisError(vscode.l10n.t('The services of {0} were deployed, but forming the cluster failed: {1}', o.name, describeError(err)), { cause: err });
  } finally {
    await access.dispose();
  }
}
