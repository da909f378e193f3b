import * as vscode from 'vscode';
import { initSwarm, swarmInitExplanation } from '../../core/docker/swarmInit';
import { DockerError } from '../../core/errors';
import { type CommandDef } from './commandContext';

/**
 * `redisSwarm.initSwarm`, offered by the welcome view when the engine is in no swarm: says what
 * `docker swarm init` does, asks, then runs it through the Docker API (no docker CLI needed).
 */
export const initSwarmCommand: CommandDef = {
  id: 'redisSwarm.initSwarm',
  async run(ctx) {
    const engine = ctx.engines.get();
    const go = vscode.l10n.t('Initialize Swarm');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Run docker swarm init?'), { modal: true, detail: swarmInitExplanation(engine) }, go);
    if (choice !== go) return undefined;
    let result = await initSwarm(engine);
    if ('advertiseAddrNeeded' in result) {
      const addr = await vscode.window.showInputBox({
        title: vscode.l10n.t('docker swarm init: advertise address'),
        prompt: vscode.l10n.t('Docker asks which address other swarm nodes should reach this engine at ({0}). Give an IP address or interface name; 127.0.0.1 keeps a one-machine swarm private.', result.advertiseAddrNeeded),
        placeHolder: '127.0.0.1',
        validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Give an address or an interface name.') : undefined),
      });
      if (addr === undefined) return undefined;
      result = await initSwarm(engine, addr.trim());
      if ('advertiseAddrNeeded' in result) throw new DockerError(result.advertiseAddrNeeded);
    }
    ctx.logger.info(`docker swarm init: this engine is now swarm node ${result.nodeId}, the manager of a one-node swarm.`);
    ctx.refresh.request('swarm initialised');
    void vscode.window.showInformationMessage(vscode.l10n.t('The Docker engine is now a one-node swarm manager. Deploy a Redis cluster next.'));
    return result.nodeId;
  },
};
