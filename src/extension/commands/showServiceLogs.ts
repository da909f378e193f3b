import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type CommandDef } from './commandContext';
import { isTreeNode, resolveCluster } from './pickCluster';

/** `redisSwarm.showServiceLogs` on a master, replica or service: follows its service's logs. */
export const showServiceLogsCommand: CommandDef = {
  id: 'redisSwarm.showServiceLogs',
  async run(ctx, arg) {
    let service: string | undefined;
    if (isTreeNode(arg)) {
      if (arg.kind === 'master' || arg.kind === 'replica') service = arg.node.service?.service ?? arg.node.node.swarm?.service;
      else if (arg.kind === 'service') service = arg.service?.service ?? arg.node?.service?.service;
      if (!service) throw new BadInputError(vscode.l10n.t('No swarm service was found behind this node.'));
    } else if (typeof arg === 'string') {
      service = arg;
    } else {
      const cluster = await resolveCluster(ctx, undefined, { title: vscode.l10n.t('Show Service Logs') });
      if (!cluster) return undefined;
      const pick = await vscode.window.showQuickPick(
        cluster.swarm.nodes.map((n) => ({ label: n.service, description: n.task?.state ?? vscode.l10n.t('no task') })),
        { title: vscode.l10n.t('Show Service Logs ({0})', cluster.name), placeHolder: vscode.l10n.t('Node service') },
      );
      service = pick?.label;
    }
    if (!service) return undefined;
    await ctx.serviceLogs.show(service);
    return service;
  },
};
