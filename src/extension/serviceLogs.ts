import * as vscode from 'vscode';
import { oneTimestamp } from '../core/docker/logLineText';
import { followServiceLogs } from '../core/docker/serviceLogs';
import { describeError } from '../core/errors';
import { type Disposable } from '../core/lifecycle';
import { type EngineProvider } from './engineProvider';

/**
 * `docker service logs --follow` of node services, each in an output channel of its own
 * ("Redis Swarm: redis-3"). Showing a service again restarts its stream; everything stops on
 * dispose.
 */
export class ServiceLogViewer implements vscode.Disposable {
  private readonly open = new Map<string, { channel: vscode.OutputChannel; stream?: Disposable }>();

  constructor(private readonly engines: EngineProvider) {}

  async show(service: string): Promise<void> {
    let entry = this.open.get(service);
    if (!entry) {
      entry = { channel: vscode.window.createOutputChannel(`Redis Swarm: ${service}`) };
      this.open.set(service, entry);
    }
    entry.stream?.dispose();
    entry.stream = undefined;
    const channel = entry.channel;
    channel.clear();
    channel.show(true);
    channel.appendLine(`# docker service logs --follow --timestamps ${service}`);
    entry.stream = await followServiceLogs(this.engines.get().docker, service, {
      onLine: (line) => channel.appendLine(line.stream === 'stderr' ? `[stderr] ${oneTimestamp(line.text)}` : oneTimestamp(line.text)),
      onEnd: (error) => channel.appendLine(error ? vscode.l10n.t('# log stream failed: {0}', error) : vscode.l10n.t('# log stream ended')),
    }).catch((err: unknown) => {
      channel.appendLine(`# cannot read the logs: ${describeError(err)}`);
      throw err;
    });
  }

  dispose(): void {
    for (const e of this.open.values()) {
      e.stream?.dispose();
      e.channel.dispose();
    }
    this.open.clear();
  }
}
