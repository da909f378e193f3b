import * as vscode from 'vscode';
import { EngineProvider } from './engineProvider';
import { createLogger } from './logger';
import { TopologyTreeProvider } from './tree/topologyTreeProvider';
import { registerCommands } from './commands/registry';
import { registerSlotMaps } from './slotMap/slotMapPanel';
import { TerminalHistory } from './terminal/terminalHistory';
import { RefreshManager } from './refreshManager';
import { type TreeNode } from './tree/nodes';
import { ModelStore } from './modelStore';
import { ClusterPasswords } from './passwords';
import { ClusterStatusBar } from './statusBar';
import { ChangeNotifier } from './changeNotifier';
import { ServiceLogViewer } from './serviceLogs';
import { HealWatcher } from './healWatcher';
import { CliOnPath } from './cliOnPath';
import { FirstRunContextKeys } from './firstRun/contextKeys';
import { LoadMonitor } from './loadMonitor';
import { registerDashboards } from './dashboard/dashboardPanel';
import { ExpectedChanges } from '../core/model/expectedChanges';

/**
 * What `activate` returns (`vscode.extensions.getExtension(...).exports`). Only the
 * extension-host tests use it: they read the tree through the same provider the view uses,
 * instead of scraping the UI.
 */
export interface RedisSwarmApi {
  readonly topology: vscode.TreeDataProvider<TreeNode>;
  /** The model the views draw from; tests call `store.refresh()` to wait for a fresh read. */
  readonly store: ModelStore;
  /** What the cluster status bar item shows. */
  readonly statusBarItem: Pick<vscode.StatusBarItem, 'text' | 'tooltip' | 'command'>;
}

/**
 * Activation wires the pieces together and does no I/O itself: the tree asks for data only
 * when its view is shown, so activation stays cheap.
 */
export function activate(context: vscode.ExtensionContext): RedisSwarmApi {
  const output = vscode.window.createOutputChannel('Redis Swarm', { log: true });
  context.subscriptions.push(output);
  const logger = createLogger(output);

  const engines = new EngineProvider(logger);
  context.subscriptions.push(engines);

  const passwords = new ClusterPasswords(context.secrets);
  const store = new ModelStore(engines, logger, (cluster) => passwords.get(cluster));
  context.subscriptions.push(store);

  // Before the tree: the welcome views' context keys must follow the very first read.
  context.subscriptions.push(new FirstRunContextKeys(store));
  // The tree view is created first (the load monitor polls while it is visible), then its provider.
  let monitor: LoadMonitor | undefined;
  const tree = new TopologyTreeProvider(store, logger, { latest: (cluster, endpoint) => monitor?.latest(cluster, endpoint) });
  const view = vscode.window.createTreeView('redisSwarm.topology', { treeDataProvider: tree, showCollapseAll: true });
  monitor = new LoadMonitor(store, view, logger);
  context.subscriptions.push(tree, view, monitor);

  // A filter on shows in the view's message (with the count it hides) and its Clear button.
  tree.onDidChangeTreeData(
    () => {
      view.message = tree.filterSummary();
      void vscode.commands.executeCommand('setContext', 'redisSwarm.filtered', tree.currentFilter !== undefined);
    },
    undefined,
    context.subscriptions,
  );
  const refresh = new RefreshManager(view, store, engines, logger);
  context.subscriptions.push(refresh);

  const statusBar = new ClusterStatusBar(store, context.workspaceState);
  const expected = new ExpectedChanges();
  const notifier = new ChangeNotifier(store, logger, expected);
  context.subscriptions.push(statusBar, notifier);

  const serviceLogs = new ServiceLogViewer(engines);
  context.subscriptions.push(serviceLogs);

  const slotMaps = registerSlotMaps(context, store, logger);
  const dashboards = registerDashboards(context, store, monitor, logger);
  const history = new TerminalHistory(context.globalState);
  const cliPath = new CliOnPath(context, logger);
  void cliPath.restore();
  registerCommands(context, { engines, store, passwords, serviceLogs, slotMaps, dashboards, history, refresh, cliPath, output, logger, expected, statusBar, tree });
  context.subscriptions.push(HealWatcher.start(engines, passwords, logger));
  return { topology: tree, store, statusBarItem: statusBar.item };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
