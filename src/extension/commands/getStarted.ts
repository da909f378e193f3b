import * as vscode from 'vscode';
import { type CommandDef } from './commandContext';

/** The walkthrough's id as `workbench.action.openWalkthrough` wants it: publisher.name#id. */
export const WALKTHROUGH_ID = 'redis-swarm.redis-swarm#redisSwarm.firstCluster';

/** `redisSwarm.getStarted`: opens the walkthrough from nothing to a first cluster. */
export const getStartedCommand: CommandDef = {
  id: 'redisSwarm.getStarted',
  async run() {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  },
};
