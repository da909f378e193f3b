import * as vscode from 'vscode';
import { getEngineStatus } from '../../core/docker/engine';
import { describeTarget } from '../../core/docker/target';
import { describeError } from '../../core/errors';
import { Logger } from '../../core/lifecycle';
import { EngineProvider } from '../engineProvider';
import { TreeNode } from './nodes';

/**
 * Turns the model (read from Docker and Redis by the core) into tree items. It holds the last
 * model it read, so a redraw that fails keeps showing an error item rather than nothing.
 */
export class TopologyTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly engines: EngineProvider,
    private readonly logger: Logger,
  ) {}

  reload(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (element) return [];
    try {
      const status = await getEngineStatus(this.engines.get());
      return [{ kind: 'engine', status }];
    } catch (err) {
      const message = describeError(err);
      this.logger.warn(message);
      return [{ kind: 'engineError', message }];
    }
  }

  getParent(): TreeNode | undefined {
    return undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'engine': {
        const s = node.status;
        const item = new vscode.TreeItem('Docker engine', vscode.TreeItemCollapsibleState.None);
        item.description = `${s.version} · swarm ${s.swarm}${s.swarm === 'active' && !s.isManager ? ' (worker)' : ''}`;
        item.tooltip = new vscode.MarkdownString(
          [
            `**Docker ${s.version}** (API ${s.apiVersion}, ${s.os})`,
            `Reached: ${describeTarget(s.target)}`,
            `Swarm: ${s.swarm}${s.isManager ? ', manager' : ''}${s.nodeAddr ? ` at ${s.nodeAddr}` : ''}`,
          ].join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon(
          s.swarm === 'active' ? 'vm-running' : 'vm-outline',
          new vscode.ThemeColor(s.swarm === 'active' ? 'testing.iconPassed' : 'list.warningForeground'),
        );
        item.contextValue = 'engine';
        item.id = 'engine';
        return item;
      }
      case 'engineError': {
        const item = new vscode.TreeItem('Docker engine unreachable', vscode.TreeItemCollapsibleState.None);
        item.description = node.message;
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'engineError';
        item.id = 'engine';
        return item;
      }
      default:
        return new vscode.TreeItem(node.kind === 'message' ? node.text : node.kind);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
