/**
 * What a command is and what it may use. Command files import only this module, and the table
 * in registry.ts imports the commands: the dependency points one way, so no command file is
 * part of an import cycle through the table.
 */
import type * as vscode from 'vscode';
import { type Logger } from '../../core/lifecycle';
import { type CliOnPath } from '../cliOnPath';
import { type ExpectedChanges } from '../../core/model/expectedChanges';
import { type EngineProvider } from '../engineProvider';
import { type ModelStore } from '../modelStore';
import { type ClusterPasswords } from '../passwords';
import { type RefreshManager } from '../refreshManager';
import { type ServiceLogViewer } from '../serviceLogs';
import { type SlotMapPanels } from '../slotMap/slotMapPanel';
import { type ClusterStatusBar } from '../statusBar';
import { type TopologyTreeProvider } from '../tree/topologyTreeProvider';
import { type DashboardPanels } from '../dashboard/dashboardPanel';
import { type TerminalHistory } from '../terminal/terminalHistory';

/** What commands may use; passed in, never held in a module of globals. */
export interface CommandContext {
  readonly engines: EngineProvider;
  /** The one source of cluster data for views and commands (the last SwarmModel read). */
  readonly store: ModelStore;
  /** Cluster passwords the user gave, in SecretStorage. */
  readonly passwords: ClusterPasswords;
  /** Output channels following `docker service logs`. */
  readonly serviceLogs: ServiceLogViewer;
  /** The open dashboards, one per cluster. */
  readonly dashboards: DashboardPanels;
  /** The open slot map webviews, one per cluster. */
  readonly slotMaps: SlotMapPanels;
  /** The cluster terminals' command history, kept across sessions. */
  readonly history: TerminalHistory;
  readonly refresh: RefreshManager;
  /** `redis-swarm` on the integrated terminals' PATH. */
  readonly cliPath: CliOnPath;
  /** Clusters an operation from this window is changing: their changes are not news. */
  readonly expected: ExpectedChanges;
  readonly statusBar: ClusterStatusBar;
  /** The sidebar tree (its filter). */
  readonly tree: TopologyTreeProvider;
  readonly output: vscode.LogOutputChannel;
  readonly logger: Logger;
}

export interface CommandDef {
  readonly id: string;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}
