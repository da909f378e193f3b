import * as vscode from 'vscode';
import { resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';

/** `redisSwarm.openSlotMap`: the cluster of the tree node it was run on, or one picked from the palette. */
export const openSlotMapCommand: CommandDef = {
  id: 'redisSwarm.openSlotMap',
  async run(ctx, ...args) {
    const cluster = await resolveCluster(ctx, args[0], { title: vscode.l10n.t('Open the slot map of…') });
    if (!cluster) return;
    ctx.slotMaps.open(cluster.name);
  },
};
