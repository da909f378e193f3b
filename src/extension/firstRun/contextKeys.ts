import * as vscode from 'vscode';
import { type ModelStore } from '../modelStore';
import { firstRunContext } from './firstRunState';

/**
 * Sets the context keys of firstRunState.ts from every model the store reads, so the welcome
 * views, the walkthrough's completion events and the commands' `when` clauses follow the model.
 * A key is set again only when its value changed.
 */
export class FirstRunContextKeys implements vscode.Disposable {
  private readonly last = new Map<string, unknown>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: ModelStore) {
    store.onDidChange(() => this.update(), undefined, this.disposables);
  }

  private update(): void {
    for (const [key, value] of Object.entries(firstRunContext(this.store.current, this.store.error))) {
      if (this.last.get(key) === value) continue;
      this.last.set(key, value);
      void vscode.commands.executeCommand('setContext', key, value);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
