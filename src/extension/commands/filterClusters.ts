import * as vscode from 'vscode';
import { type CommandDef } from './commandContext';

/** `redisSwarm.filterClusters`: narrows the tree to clusters whose name or state matches. */
export const filterClustersCommand: CommandDef = {
  id: 'redisSwarm.filterClusters',
  async run(ctx, ...args) {
    const given = typeof args[0] === 'string' ? args[0] : undefined;
    const text =
      given ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter Clusters'),
        prompt: vscode.l10n.t('Show only clusters whose name or state contains these words (e.g. "cache", "fail", "not formed"); empty shows all'),
        value: ctx.tree.currentFilter ?? '',
      }));
    if (text === undefined) return undefined;
    ctx.tree.setFilter(text);
    return ctx.tree.currentFilter;
  },
};

/** `redisSwarm.clearFilter`: every cluster again. */
export const clearFilterCommand: CommandDef = {
  id: 'redisSwarm.clearFilter',
  run(ctx) {
    ctx.tree.setFilter(undefined);
  },
};
