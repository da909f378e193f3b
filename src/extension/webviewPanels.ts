/**
 * What the slot map and the dashboard share as webview hosts: one panel per cluster (opening it
 * again reveals it), a serializer that brings panels back after a reload from the state their
 * page saved, and the same narrow webview options (scripts on, resources only from media/ and
 * dist/media/). Each view supplies how to build its panel.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { type Logger } from '../core/lifecycle';

export interface HostedPanel {
  reveal(): void;
  dispose(): void;
}

export interface PanelKind<P extends HostedPanel> {
  readonly viewType: string;
  /** The tab title, e.g. "Slot Map: cache". */
  title(cluster: string): string;
  /** What the page saved, narrowed: it names its cluster. */
  isState(state: unknown): state is { readonly cluster: string };
  /** Builds the host side around a panel; `onDispose` unregisters it. */
  create(panel: vscode.WebviewPanel, cluster: string, onDispose: () => void): P;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Only the pages' own assets: styles in media/, the bundled scripts in dist/media/.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'media')],
    enableFindWidget: false,
  };
}

export class WebviewPanels<P extends HostedPanel> implements vscode.Disposable {
  private readonly panels = new Map<string, P>();

  constructor(
    private readonly kind: PanelKind<P>,
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
  ) {}

  /** Registers the serializer (`onWebviewPanel:<viewType>` activates us) and disposes both with the extension. */
  registerIn(context: vscode.ExtensionContext): this {
    context.subscriptions.push(
      this,
      vscode.window.registerWebviewPanelSerializer(this.kind.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restore(panel, state),
      }),
    );
    return this;
  }

  /** Shows the cluster's panel, reusing it when one is open. */
  open(cluster: string): void {
    const existing = this.panels.get(cluster);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, this.kind.title(cluster), vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    this.adopt(panel, cluster);
  }

  /** A panel VS Code brought back after a reload, with the state its page saved. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (!this.kind.isState(state)) {
      // Nothing to show without a cluster name: close rather than leave an empty tab.
      this.logger.warn(`${this.kind.viewType}: a restored panel had no saved cluster; closing it.`);
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.panels.get(state.cluster)?.dispose();
    this.adopt(panel, state.cluster);
  }

  private adopt(panel: vscode.WebviewPanel, cluster: string): void {
    const hosted = this.kind.create(panel, cluster, () => {
      if (this.panels.get(cluster) === hosted) this.panels.delete(cluster);
    });
    this.panels.set(cluster, hosted);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page as both views build it: a Content-Security-Policy that lets in only the page's own
 * script (by a fresh nonce) and styles from the extension, the page's stylesheet
 * (media/NAME.css) and bundled script (dist/media/NAME.js), and `body` (already escaped).
 */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, page: { name: string; title: string; cluster: string; body: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', `${page.name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', `${page.name}.css`));
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${escapeHtml(page.title)}</title>
</head>
<body data-cluster="${escapeHtml(page.cluster)}">
${page.body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
