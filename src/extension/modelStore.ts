import * as vscode from 'vscode';
import { type GivenLogin } from '../core/swarm/auth';
import { describeError } from '../core/errors';
import { CoalescedRun } from '../core/coalesce';
import { type Logger } from '../core/lifecycle';
import { type ClusterModel, type SwarmModel } from '../core/model/clusterModel';
import { SwarmModelReader } from '../core/model/swarmModelReader';
import { type EngineProvider } from './engineProvider';

/**
 * The one place the extension's views get data from: the last SwarmModel read by the core.
 * Reads are coalesced (a refresh requested while one runs makes exactly one more), and every
 * view redraws from `onDidChange`. Nothing here talks to Docker or Redis itself.
 */
export class ModelStore implements vscode.Disposable {
  private reader: SwarmModelReader | undefined;
  private model: SwarmModel | undefined;
  private lastError: string | undefined;
  private readonly reads = new CoalescedRun(() => this.readOnce());
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly engines: EngineProvider,
    private readonly logger: Logger,
    private readonly loginFor: (cluster: string) => Promise<GivenLogin | undefined>,
  ) {
    engines.onDidChangeEngine(
      () => {
        void this.reader?.dispose();
        this.reader = undefined;
        this.model = undefined;
      },
      undefined,
      this.disposables,
    );
  }

  get current(): SwarmModel | undefined {
    return this.model;
  }

  /** The sentence to show when the last read failed (engine unreachable, bad settings). */
  get error(): string | undefined {
    return this.lastError;
  }

  cluster(name: string): ClusterModel | undefined {
    return this.model?.clusters.find((c) => c.name === name);
  }

  /** The reader, for commands that act on a cluster through its routes and connections. */
  getReader(): SwarmModelReader {
    if (!this.reader) {
      this.reader = new SwarmModelReader(this.engines.get(), { logger: this.logger, loginFor: this.loginFor });
    }
    return this.reader;
  }

  /** Reads the model again; resolves when a read that started after this call has finished. */
  refresh(): Promise<void> {
    return this.reads.run();
  }

  /** One read; a failure is kept as the sentence to show, never thrown. */
  private async readOnce(): Promise<void> {
    try {
      this.model = await this.getReader().read();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = describeError(err);
      this.logger.warn(`refresh failed: ${this.lastError}`);
    }
    this.changed.fire();
  }

  dispose(): void {
    void this.reader?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
