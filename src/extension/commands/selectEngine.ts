import * as vscode from 'vscode';
import { listDockerContexts } from '../../core/docker/contexts';
import { DEFAULT_DOCKER_HOST } from '../../core/docker/target';
import { type CommandDef } from './commandContext';

interface EngineChoice extends vscode.QuickPickItem {
  readonly dockerHost?: string;
  readonly dockerContext?: string;
  readonly enter?: boolean;
}

const SCHEMES = /^(unix|tcp|ssh|npipe):\/\/\S+$/;

/**
 * `redisSwarm.selectEngine`: picks the Docker engine (the default socket, DOCKER_HOST, a Docker
 * context, or an address typed in) and writes the redisSwarm.dockerHost / dockerContext
 * settings; the engine provider reconnects and the tree follows.
 */
export const selectEngineCommand: CommandDef = {
  id: 'redisSwarm.selectEngine',
  async run(ctx) {
    const current = ctx.engines.targetOptions();
    const envHost = process.env['DOCKER_HOST'];
    const items: EngineChoice[] = [
      { label: vscode.l10n.t('$(sync) Automatic'), description: vscode.l10n.t('as the docker CLI: DOCKER_HOST, then the current context, then the default socket'), dockerHost: '', dockerContext: '' },
      { label: vscode.l10n.t('$(plug) Default socket'), description: DEFAULT_DOCKER_HOST, dockerHost: DEFAULT_DOCKER_HOST, dockerContext: '' },
      ...(envHost ? [{ label: vscode.l10n.t('$(terminal) DOCKER_HOST'), description: envHost, dockerHost: envHost, dockerContext: '' }] : []),
      ...listDockerContexts({ env: process.env }).map((c) => ({
        label: vscode.l10n.t('$(server) {0}', c.name),
        description: [c.host, c.description].filter(Boolean).join(' · '),
        detail: vscode.l10n.t('Docker context'),
        dockerHost: '',
        dockerContext: c.name,
      })),
      { label: vscode.l10n.t('$(edit) Enter DOCKER_HOST…'), description: vscode.l10n.t('unix://, tcp://host:2376 or ssh://user@host'), enter: true },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Select Docker Engine'),
      placeHolder: vscode.l10n.t('Now: {0}', current.dockerHost || (current.context ? vscode.l10n.t('context {0}', current.context) : vscode.l10n.t('automatic'))),
    });
    if (!pick) return undefined;
    let dockerHost = pick.dockerHost ?? '';
    const dockerContext = pick.dockerContext ?? '';
    if (pick.enter) {
      const typed = await vscode.window.showInputBox({
        title: vscode.l10n.t('Select Docker Engine'),
        prompt: vscode.l10n.t('The engine address, as DOCKER_HOST spells it'),
        value: current.dockerHost ?? '',
        placeHolder: 'ssh://admin@swarm-manager',
        validateInput: (v) => (SCHEMES.test(v.trim()) ? undefined : vscode.l10n.t('Use unix:///path, tcp://host:port, ssh://user@host or npipe://…')),
      });
      if (!typed) return undefined;
      dockerHost = typed.trim();
    }
    const config = vscode.workspace.getConfiguration('redisSwarm');
    await config.update('dockerContext', dockerContext || undefined, vscode.ConfigurationTarget.Global);
    await config.update('dockerHost', dockerHost || undefined, vscode.ConfigurationTarget.Global);
    ctx.logger.info(`Docker engine set to ${dockerHost || (dockerContext ? `context ${dockerContext}` : 'automatic')}.`);
    return { dockerHost, dockerContext };
  },
};
