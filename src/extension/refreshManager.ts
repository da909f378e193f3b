import * as vscode from 'vscode';
import { ReasonDebouncer } from '../core/coalesce';
import { type DockerEvent, watchDockerEvents } from '../core/docker/events';
import { describeError } from '../core/errors';
import { type Logger } from '../core/lifecycle';
import { type EngineProvider } from './engineProvider';

/** Bursts of refresh reasons (Docker events arrive in flurries) within this window make one read. */
export const REFRESH_DEBOUNCE_MS = 250;
/** The poll interval when the setting is missing. */
export const DEFAULT_REFRESH_INTERVAL_SECONDS = 5;

/** What the manager refreshes: the ModelStore (its refresh coalesces overlapping reads). */
export interface Refreshable {
  refresh(): Promise<void>;
}

/**
 * The one owner of every reason to read the model again: a manual refresh or a command that
 * changed something (`request`), an engine change, Docker events and a poll. Events and the poll
 * run only while the view is visible; requests from commands are always honoured, so the status
 * bar and notifications follow what the user just did. Requests are debounced.
 */
export class RefreshManager implements vscode.Disposable {
  private poll: NodeJS.Timeout | undefined;
  private events: vscode.Disposable | undefined;
  private readonly debouncer = new ReasonDebouncer(REFRESH_DEBOUNCE_MS, (reasons) => {
    this.logger.debug(`refresh: ${reasons.join(', ')}`);
    this.target.refresh().catch((err: unknown) => this.logger.warn(`refresh failed: ${describeError(err)}`));
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly target: Refreshable,
    private readonly engines: EngineProvider,
    private readonly logger: Logger,
  ) {
    view.onDidChangeVisibility((e) => (e.visible ? this.start('view shown') : this.stop()), undefined, this.disposables);
    engines.onDidChangeEngine(
      () => {
        this.request('Docker engine settings changed');
        if (this.view.visible) this.restartEvents();
      },
      undefined,
      this.disposables,
    );
    vscode.workspace.onDidChangeConfiguration(
      (e) => {
        if (e.affectsConfiguration('redisSwarm.refreshIntervalSeconds') && this.view.visible) this.restartPoll();
      },
      undefined,
      this.disposables,
    );
    if (view.visible) this.start('view visible at activation');
  }

  /** Asks for a read; requests within the debounce window make one. */
  request(reason: string): void {
    this.debouncer.request(reason);
  }

  private start(reason: string): void {
    this.request(reason);
    this.restartEvents();
    this.restartPoll();
  }

  private stop(): void {
    this.events?.dispose();
    this.events = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private restartEvents(): void {
    this.events?.dispose();
    this.events = undefined;
    try {
      const docker = this.engines.get().docker;
      this.events = watchDockerEvents(docker, (e) => this.request(eventReason(e)), {
        logger: this.logger,
        // Events may have been missed while the stream was down.
        onConnected: () => this.request('Docker events connected'),
      });
    } catch (err) {
      // Bad engine settings: the tree shows the error; the next engine change retries.
      this.logger.debug(`no Docker events: ${describeError(err)}`);
    }
  }

  private restartPoll(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    const seconds = refreshIntervalSeconds();
    if (seconds > 0) this.poll = setInterval(() => this.request('poll'), seconds * 1000);
  }

  dispose(): void {
    this.debouncer.dispose();
    this.stop();
    for (const d of this.disposables) d.dispose();
  }
}

export function refreshIntervalSeconds(): number {
  const v = vscode.workspace.getConfiguration('redisSwarm').get<number>('refreshIntervalSeconds', DEFAULT_REFRESH_INTERVAL_SECONDS);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_REFRESH_INTERVAL_SECONDS;
}

function eventReason(e: DockerEvent): string {
  return `${e.type} ${e.action}${e.service ? ` (${e.service})` : ''}`;
}
