import * as vscode from 'vscode';
import { type CommandDef } from './commandContext';

/** `redisSwarm.addCliToPath`: `redis-swarm` in every new integrated terminal. */
export const addCliToPathCommand: CommandDef = {
  id: 'redisSwarm.addCliToPath',
  async run(ctx) {
    const dir = await ctx.cliPath.enable();
    const open = vscode.l10n.t('Open Terminal');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('New terminals now find redis-swarm (in {0}); terminals already open show a warning to relaunch them. Try: redis-swarm doctor', dir),
      open,
    );
    if (choice === open) {
      const terminal = vscode.window.createTerminal({ name: 'redis-swarm' });
      terminal.show();
      terminal.sendText('redis-swarm --help', false);
    }
    return dir;
  },
};

/** `redisSwarm.removeCliFromPath`: undoes Add to PATH for new terminals. */
export const removeCliFromPathCommand: CommandDef = {
  id: 'redisSwarm.removeCliFromPath',
  async run(ctx) {
    await ctx.cliPath.disable();
    void vscode.window.showInformationMessage(vscode.l10n.t('New terminals no longer have redis-swarm on their PATH.'));
  },
};
