import * as vscode from 'vscode';
import { Logger } from '../../core/lifecycle';
import { EngineProvider } from '../engineProvider';
import { ModelStore } from '../modelStore';
import { ClusterPasswords } from '../passwords';
import { ServiceLogViewer } from '../serviceLogs';
import { RefreshManager } from '../refreshManager';
import { TopologyTreeProvider } from '../tree/topologyTreeProvider';
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
import { addReplicaCommand } from './addReplica';
import { removeNodeCommand } from './removeNode';

/** What commands may use; passed in, never held in a module of globals. */
export interface CommandContext {
  readonly engines: EngineProvider;
  /** The one source of cluster data for views and commands (the last SwarmModel read). */
  readonly store: ModelStore;
  /** Cluster passwords the user gave, in SecretStorage. */
  readonly passwords: ClusterPasswords;
  /** Output channels following `docker service logs`. */
  readonly serviceLogs: ServiceLogViewer;
  readonly tree: TopologyTreeProvider;
  readonly refresh: RefreshManager;
  readonly output: vscode.LogOutputChannel;
  readonly logger: Logger;
}

export interface CommandDef {
  readonly id: string;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}

/** Every command, registered from this one table. */
const commands: readonly CommandDef[] = [refreshCommand, showLogCommand, deployClusterCommand, createClusterCommand, checkClusterCommand, selectEngineCommand, destroyClusterCommand, copyNodeIdCommand, copyEndpointCommand, showServiceLogsCommand, failoverCommand, openSlotMapCommand, openTerminalCommand, healClusterCommand, moveSlotsCommand, rebalanceCommand, addReplicaCommand, removeNodeCommand];

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
          void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
            if (choice) ctx.output.show(true);
          });
          return undefined;
        }
      }),
    );
  }
}
