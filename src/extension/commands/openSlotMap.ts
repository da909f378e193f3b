import * as vscode from 'vscode';
import { hasSlots, resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';

/** `redisSwarm.openSlotMap`: the cluster of the tree node it was run on, or one picked from the palette. */
export const openSlotMapCommand: CommandDef = {
  id: 'redisSwarm.openSlotMap',
  async run(ctx, ...args) {
    // Only clusters with slots have a map to show; a cluster not formed yet is not offered.
    const cluster = await resolveCluster(ctx, args[0], {
      title: vscode.l10n.t('Open the slot map of…'),
      filter: hasSlots,
      none: vscode.l10n.t('No Redis cluster with slots on the connected swarm: form one first ("Redis Swarm: Create Cluster from Services").'),
    });
    if (!cluster) return;
    ctx.slotMaps.open(cluster.name);
  },
};
