/**
 * What a command is and what it may use. Command files import only this module, and the table
 * in registry.ts imports the commands: the dependency points one way, so no command file is
 * part of an import cycle through the table.
 */
import * as vscode from 'vscode';
import { Logger } from '../../core/lifecycle';
import { EngineProvider } from '../engineProvider';
import { ModelStore } from '../modelStore';
import { ClusterPasswords } from '../passwords';
import { RefreshManager } from '../refreshManager';
import { ServiceLogViewer } from '../serviceLogs';
import { SlotMapPanels } from '../slotMap/slotMapPanel';
import { TerminalHistory } from '../terminal/terminalHistory';

/** What commands may use; passed in, never held in a module of globals. */
export interface CommandContext {
  readonly engines: EngineProvider;
  /** The one source of cluster data for views and commands (the last SwarmModel read). */
  readonly store: ModelStore;
  /** Cluster passwords the user gave, in SecretStorage. */
  readonly passwords: ClusterPasswords;
  /** Output channels following `docker service logs`. */
  readonly serviceLogs: ServiceLogViewer;
  /** The open slot map webviews, one per cluster. */
  readonly slotMaps: SlotMapPanels;
  /** The cluster terminals' command history, kept across sessions. */
  readonly history: TerminalHistory;
  readonly refresh: RefreshManager;
  readonly output: vscode.LogOutputChannel;
  readonly logger: Logger;
}

export interface CommandDef {
  readonly id: string;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}
