import type * as vscode from 'vscode';
import { addToHistory, HISTORY_LIMIT } from '../../core/repl/lineEditor';

/**
 * Cluster terminal history, per cluster name, in globalState: it survives closing the terminal
 * and restarting VS Code, and stays on this machine (it is not synced). Bounded to HISTORY_LIMIT
 * lines per cluster.
 */
export class TerminalHistory {
  constructor(private readonly memento: vscode.Memento) {}

  get(cluster: string): string[] {
    const stored: unknown = this.memento.get(key(cluster));
    return Array.isArray(stored) ? stored.filter((l): l is string => typeof l === 'string').slice(-HISTORY_LIMIT) : [];
  }

  /** Appends to what is stored now, so two terminals on one cluster both keep their lines. */
  async add(cluster: string, line: string): Promise<void> {
    await this.memento.update(key(cluster), addToHistory(this.get(cluster), line));
  }
}

function key(cluster: string): string {
  return `redisSwarm.terminalHistory.${cluster}`;
}
