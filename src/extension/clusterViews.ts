/**
 * The slot map webviews and the cluster terminals' history, set up once per activation by
 * `registerSlotMapAndTerminal` (one line in extension.ts). The two commands reach them through
 * the ModelStore they were given (`clusterViewsOf(ctx.store)`): CommandContext belongs to the
 * command table, and a WeakMap keyed by the store keeps one set per activation without a
 * module-level singleton.
 */
import * as vscode from 'vscode';
import { Logger } from '../core/lifecycle';
import { ModelStore } from './modelStore';
import { SLOT_MAP_VIEW_TYPE } from './slotMap/protocol';
import { SlotMapPanels } from './slotMap/slotMapPanel';
import { TerminalHistory } from './terminal/terminalHistory';

export interface ClusterViews {
  readonly slotMaps: SlotMapPanels;
  readonly history: TerminalHistory;
}

const byStore = new WeakMap<ModelStore, ClusterViews>();

export function registerSlotMapAndTerminal(context: vscode.ExtensionContext, store: ModelStore, logger: Logger): void {
  const slotMaps = new SlotMapPanels(context.extensionUri, store, logger);
  context.subscriptions.push(
    slotMaps,
    // Brings slot maps back after a reload; `onWebviewPanel:redisSwarm.slotMap` activates us.
    vscode.window.registerWebviewPanelSerializer(SLOT_MAP_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => slotMaps.restore(panel, state),
    }),
    { dispose: () => byStore.delete(store) },
  );
  byStore.set(store, { slotMaps, history: new TerminalHistory(context.globalState) });
}

export function clusterViewsOf(store: ModelStore): ClusterViews {
  const views = byStore.get(store);
  if (!views) throw new Error('The slot map and cluster terminal are not set up (registerSlotMapAndTerminal was not called in activate).');
  return views;
}
