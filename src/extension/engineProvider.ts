import * as vscode from 'vscode';
import { type Engine, openEngine } from '../core/docker/engine';
import { type TargetOptions } from '../core/docker/target';
import { type Logger } from '../core/lifecycle';

/**
 * Owns the Docker client for the engine chosen by the settings (redisSwarm.dockerHost,
 * redisSwarm.dockerContext), and makes a new one when they change.
 */
export class EngineProvider implements vscode.Disposable {
  private engine: Engine | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeEngine = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly logger: Logger) {
    vscode.workspace.onDidChangeConfiguration(
      (e) => {
        if (e.affectsConfiguration('redisSwarm.dockerHost') || e.affectsConfiguration('redisSwarm.dockerContext')) {
          this.engine = undefined;
          this.logger.info('Docker engine settings changed; reconnecting.');
          this.changed.fire();
        }
      },
      undefined,
      this.disposables,
    );
  }

  /** The current engine; throws the core's one-sentence error when the settings are bad. */
  get(): Engine {
    if (!this.engine) {
      this.engine = openEngine(this.targetOptions());
      this.logger.info(`Using Docker engine ${this.engine.target.host} (${this.engine.target.source}).`);
    }
    return this.engine;
  }

  targetOptions(): TargetOptions {
    const config = vscode.workspace.getConfiguration('redisSwarm');
    const dockerHost = config.get<string>('dockerHost') ?? '';
    const context = config.get<string>('dockerContext') ?? '';
    return { env: process.env, ...(dockerHost ? { dockerHost } : {}), ...(context ? { context } : {}) };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
