import * as vscode from 'vscode';
import { EngineProvider } from './engineProvider';
import { createLogger } from './logger';
import { TopologyTreeProvider } from './tree/topologyTreeProvider';
import { registerCommands } from './commands/registry';
import { RefreshManager } from './refreshManager';
import { TreeNode } from './tree/nodes';

/**
 * What `activate` returns (`vscode.extensions.getExtension(...).exports`). Only the
 * extension-host tests use it: they read the tree through the same provider the view uses,
 * instead of scraping the UI.
 */
export interface RedisSwarmApi {
  readonly topology: vscode.TreeDataProvider<TreeNode>;
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

  const tree = new TopologyTreeProvider(engines, logger);
  const view = vscode.window.createTreeView('redisSwarm.topology', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view);

  const refresh = new RefreshManager(view, () => tree.reload(), logger);
  context.subscriptions.push(refresh);
  engines.onDidChangeEngine(() => refresh.request('Docker engine settings changed'), undefined, context.subscriptions);

  registerCommands(context, { engines, tree, refresh, output, logger });
  return { topology: tree };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
