import * as vscode from 'vscode';
import { type CommandContext, type CommandDef } from './commandContext';
import { commandFailure } from './commandFailure';
import { refreshCommand } from './refresh';
import { showLogCommand } from './showLog';
import { rebalanceCommand } from './rebalanceCluster';
import { moveSlotsCommand } from './moveSlots';
import { deployClusterCommand } from './deployCluster';
import { createClusterCommand } from './createCluster';
import { checkClusterCommand } from './checkCluster';
import { selectEngineCommand } from './selectEngine';
import { destroyClusterCommand } from './destroyCluster';
import { copyNodeIdCommand } from './copyNodeId';
import { copyEndpointCommand } from './copyEndpoint';
import { showServiceLogsCommand } from './showServiceLogs';
import { failoverCommand } from './failoverNode';
import { openSlotMapCommand } from './openSlotMap';
import { openTerminalCommand } from './openTerminal';
import { healClusterCommand } from './healCluster';
import { activateHostCommand, drainHostCommand } from './drainHost';
import { addReplicaCommand } from './addReplica';
import { removeNodeCommand } from './removeNode';
import { upgradeClusterCommand } from './upgradeCluster';
import { restartClusterCommand } from './restartCluster';
import { changeConfigCommand } from './changeConfig';
import { finishRollCommand } from './finishRoll';

import { initSwarmCommand } from './initSwarm';
import { getStartedCommand } from './getStarted';
import { writeStackFileCommand } from './writeStackFile';
import { addCliToPathCommand, removeCliFromPathCommand } from './cliPath';
import { clearFilterCommand, filterClustersCommand } from './filterClusters';
import { pinClusterCommand } from './pinCluster';
import { openDashboardCommand } from './openDashboard';

/** Every command, registered from this one table. */
const commands: readonly CommandDef[] = [
  refreshCommand,
  showLogCommand,
  deployClusterCommand,
  createClusterCommand,
  checkClusterCommand,
  selectEngineCommand,
  destroyClusterCommand,
  copyNodeIdCommand,
  copyEndpointCommand,
  showServiceLogsCommand,
  failoverCommand,
  openSlotMapCommand,
  openTerminalCommand,
  healClusterCommand,
  moveSlotsCommand,
  rebalanceCommand,
  addReplicaCommand,
  removeNodeCommand,
  initSwarmCommand,
  getStartedCommand,
  writeStackFileCommand,
  addCliToPathCommand,
  removeCliFromPathCommand,
  upgradeClusterCommand,
  restartClusterCommand,
  changeConfigCommand,
  finishRollCommand,
  filterClustersCommand,
  clearFilterCommand,
  pinClusterCommand,
  openDashboardCommand,
  drainHostCommand,
  activateHostCommand,
];

export function registerCommands(extension: vscode.ExtensionContext, ctx: CommandContext): void {
  for (const def of commands) {
    extension.subscriptions.push(
      vscode.commands.registerCommand(def.id, async (...args: unknown[]) => {
        try {
          return await def.run(ctx, ...args);
        } catch (err) {
          // One handler reports every command's failure the same way; a Cancel is not one.
          const { severity, message } = commandFailure(err);
          if (severity === 'info') {
            ctx.logger.info(`${def.id}: ${message}`);
            void vscode.window.showInformationMessage(message);
            return undefined;
          }
          ctx.logger.error(`${def.id}: ${message}`);
          const showLog = vscode.l10n.t('Show Log');
          void vscode.window.showErrorMessage(message, showLog).then((choice) => {
            if (choice) ctx.output.show(true);
          });
          return undefined;
        }
      }),
    );
  }
}
