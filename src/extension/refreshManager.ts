import * as vscode from 'vscode';
import { Logger } from '../core/lifecycle';

/** Debounce for bursts of refresh reasons (Docker events arrive in flurries). */
export const REFRESH_DEBOUNCE_MS = 250;

/**
 * The one owner of every reason to redraw the tree (a manual refresh, an engine change, Docker
 * events, a poll). It debounces them and works only while the view is visible.
 */
export class RefreshManager implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly reload: () => void,
    private readonly logger: Logger,
  ) {
    view.onDidChangeVisibility(
      (e) => {
        if (e.visible) this.request('view shown');
      },
      undefined,
      this.disposables,
    );
  }

  /** Asks for a redraw; many requests within the debounce window make one. */
  request(reason: string): void {
    if (!this.view.visible) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.logger.debug(`refresh: ${reason}`);
      this.reload();
    }, REFRESH_DEBOUNCE_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
