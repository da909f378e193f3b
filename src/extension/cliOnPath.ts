import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Logger } from '../core/lifecycle';
import { writeShims } from './cliShim';

const STATE_KEY = 'redisSwarm.cliOnPath';
/** The context key the walkthrough and the two commands' `when` clauses read. */
export const CLI_ON_PATH_CONTEXT = 'redisSwarm.cliOnPath';

/**
 * Puts `redis-swarm` on the PATH of the integrated terminals (VS Code's environment variable
 * collection for this extension), pointing at a launcher in the extension's global storage.
 * The choice is remembered; the launcher is written again at every activation because
 * VS Code's own Node moves when VS Code updates.
 */
export class CliOnPath {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: Logger,
  ) {}

  get binDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'bin');
  }

  get enabled(): boolean {
    return this.context.globalState.get<boolean>(STATE_KEY) === true;
  }

  /** At activation: renews the launcher and the PATH entry when the user asked for them earlier. */
  async restore(): Promise<void> {
    if (this.enabled) await this.apply().catch((err: unknown) => this.logger.warn(`renewing the redis-swarm launcher: ${String(err)}`));
    else this.context.environmentVariableCollection.clear();
    await vscode.commands.executeCommand('setContext', CLI_ON_PATH_CONTEXT, this.enabled);
  }

  async enable(): Promise<string> {
    await this.apply();
    await this.context.globalState.update(STATE_KEY, true);
    await vscode.commands.executeCommand('setContext', CLI_ON_PATH_CONTEXT, true);
    return this.binDir;
  }

  async disable(): Promise<void> {
    this.context.environmentVariableCollection.clear();
    await this.context.globalState.update(STATE_KEY, false);
    await vscode.commands.executeCommand('setContext', CLI_ON_PATH_CONTEXT, false);
  }

  private async apply(): Promise<void> {
    const cliJs = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'cli.js').fsPath;
    const files = await writeShims(this.binDir, process.execPath, cliJs);
    const collection = this.context.environmentVariableCollection;
    collection.description = vscode.l10n.t('Puts the redis-swarm command line (bundled with the extension) on the PATH.');
    collection.prepend('PATH', this.binDir + path.delimiter);
    this.logger.info(`redis-swarm on the terminals' PATH: ${files.join(', ')} runs ${cliJs} with ${process.execPath}`);
  }
}
