import * as vscode from 'vscode';
import { type Logger } from '../core/lifecycle';
import { type SwarmModel } from '../core/model/clusterModel';
import { type ExpectedChanges } from '../core/model/expectedChanges';
import { modelChanges } from '../core/model/modelChanges';
import { type ModelStore } from './modelStore';

/**
 * Compares each model the store reads with the one before and warns about what a person must
 * know now: a cluster that went from ok to fail, a failover nobody here asked for. Other
 * changes, and those of operations run from this window, go to the log.
 */
export class ChangeNotifier implements vscode.Disposable {
  private previous: SwarmModel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: ModelStore,
    private readonly logger: Logger,
    private readonly expected: ExpectedChanges,
  ) {
    store.onDidChange(() => this.update(), undefined, this.disposables);
  }

  private update(): void {
    const next = this.store.current;
    if (!next || next === this.previous) return;
    const changes = modelChanges(this.previous, next);
    this.previous = next;
    for (const change of changes) {
      // A change the user asked for (a failover from the menu) is reported by its command, once.
      if (change.severity === 'warning' && !this.expected.expected(change.cluster)) {
        this.logger.warn(change.message);
        void vscode.window.showWarningMessage(change.message, vscode.l10n.t('Check Cluster')).then((choice) => {
          if (choice) void vscode.commands.executeCommand('redisSwarm.checkCluster', change.cluster);
        });
      } else {
        this.logger.info(change.message);
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
