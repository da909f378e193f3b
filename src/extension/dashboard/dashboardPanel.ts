/**
 * The cluster dashboard's host side: one webview panel per cluster showing every node's live
 * load (ops/s, memory against maxmemory, clients, keys, evictions, replica offset lag, newest
 * slow commands) over the last minutes. It asks the LoadMonitor to poll only while the panel is
 * visible, and posts the histories after each round. Same rules as the slot map: a CSP with a
 * nonce, assets from media/ only, a typed message guard, and a serializer for reloads.
 */
import * as vscode from 'vscode';
import { type Logger } from '../../core/lifecycle';
import { dashboardRows } from '../../core/model/dashboardData';
import { DEFAULT_LOAD_INTERVAL_SECONDS, type LoadMonitor } from '../loadMonitor';
import { type ModelStore } from '../modelStore';
import { WebviewPanels, escapeHtml, webviewPage } from '../webviewPanels';
import { DASHBOARD_VIEW_TYPE, type DashboardHostToPage, isDashboardPageToHost, isDashboardState } from './protocol';

/** The open dashboards, one per cluster, with their serializer. */
export type DashboardPanels = WebviewPanels<DashboardPanel>;

export function registerDashboards(context: vscode.ExtensionContext, store: ModelStore, monitor: LoadMonitor, logger: Logger): DashboardPanels {
  return new WebviewPanels<DashboardPanel>(
    {
      viewType: DASHBOARD_VIEW_TYPE,
      title,
      isState: isDashboardState,
      create: (panel, cluster, onDispose) => new DashboardPanel(panel, cluster, context.extensionUri, store, monitor, logger, onDispose),
    },
    context.extensionUri,
    logger,
  ).registerIn(context);
}

function title(cluster: string): string {
  return vscode.l10n.t('Dashboard: {0}', cluster);
}

class DashboardPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private watching: vscode.Disposable | undefined;
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly cluster: string,
    extensionUri: vscode.Uri,
    private readonly store: ModelStore,
    private readonly monitor: LoadMonitor,
    private readonly logger: Logger,
    private readonly onDispose: () => void,
  ) {
    panel.title = title(cluster);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'redis-swarm.svg');
    panel.webview.html = pageHtml(panel.webview, extensionUri, cluster);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), undefined, this.disposables);
    monitor.onDidChange(() => this.postLoad(), undefined, this.disposables);
    // Poll only while the dashboard can be seen.
    panel.onDidChangeViewState((e) => this.setWatching(e.webviewPanel.visible), undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    this.setWatching(panel.visible);
    if (!store.current) void store.refresh();
  }

  reveal(): void {
    this.panel.reveal();
  }

  private setWatching(on: boolean): void {
    if (on && !this.watching) this.watching = this.monitor.watch();
    else if (!on && this.watching) {
      this.watching.dispose();
      this.watching = undefined;
    }
  }

  private receive(raw: unknown): void {
    if (!isDashboardPageToHost(raw)) {
      this.logger.warn(`dashboard: ignored an unknown message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (raw.type === 'ready') this.postLoad();
    else this.logger.error(`dashboard page (${this.cluster}): ${raw.message}`);
  }

  private post(message: DashboardHostToPage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private postLoad(): void {
    const cluster = this.store.cluster(this.cluster);
    if (!cluster || cluster.shards.length === 0) {
      const message = cluster
        ? vscode.l10n.t('{0} has no slots yet: no load to show.', this.cluster)
        : vscode.l10n.t('No cluster "{0}" on the connected swarm.', this.cluster);
      this.post({ type: 'unavailable', cluster: this.cluster, message });
      return;
    }
    const seconds = vscode.workspace.getConfiguration('redisSwarm').get<number>('load.intervalSeconds') ?? DEFAULT_LOAD_INTERVAL_SECONDS;
    this.post({ type: 'load', cluster: this.cluster, health: cluster.health, nodes: dashboardRows(cluster, (ep) => this.monitor.history(this.cluster, ep)), intervalMs: seconds * 1000 });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.watching?.dispose();
    this.onDispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, cluster: string): string {
  const headings = [
    vscode.l10n.t('Node'),
    vscode.l10n.t('ops/s'),
    vscode.l10n.t('Memory'),
    vscode.l10n.t('Clients'),
    vscode.l10n.t('Keys'),
    vscode.l10n.t('Evicted'),
    vscode.l10n.t('Lag'),
  ];
  return webviewPage(webview, extensionUri, {
    name: 'dashboard',
    title: title(cluster),
    cluster,
    body: `<header>
  <h1 id="title">${escapeHtml(cluster)}</h1>
  <span id="status" role="status">${escapeHtml(vscode.l10n.t('Waiting for the first figures…'))}</span>
</header>
<section id="totals" aria-label="${escapeHtml(vscode.l10n.t('Cluster totals'))}"></section>
<table id="nodes" aria-label="${escapeHtml(vscode.l10n.t('Load per node'))}">
  <thead><tr>${headings.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
  <tbody></tbody>
</table>
<section id="slowlog"><h2>${escapeHtml(vscode.l10n.t('Newest slow commands'))}</h2><ul></ul></section>`,
  });
}
