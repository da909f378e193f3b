/**
 * The slot map's host side: one webview panel per cluster, fed from the ModelStore (redrawn on
 * every model change), key counts read on demand through the cluster's pool, and "Move to
 * master…" handed to the operations command `redisSwarm.moveSlots`.
 *
 * The panel does not use retainContextWhenHidden: the page keeps its state with setState and
 * asks for the topology again (`ready`) whenever it is shown, which also covers a reload
 * (the serializer below brings the panel back with that state).
 */
import * as vscode from 'vscode';
import { BadInputError, describeError } from '../../core/errors';
import { keyCountsStale } from '../../core/model/slotKeyCounts';
import { describeMovePlan, moveOwners } from '../../core/ops/movePlanText';
import { type Logger } from '../../core/lifecycle';
import { type ClusterModel } from '../../core/model/clusterModel';
import { readSlotKeyCounts } from '../../core/model/slotKeyCounts';
import { buildSlotMapView, formatSpans, SLOT_COUNT } from '../../core/model/slotMapData';
import { formatEndpoint } from '../../core/routes/endpoint';
import { type ModelStore } from '../modelStore';
import { WebviewPanels, escapeHtml, webviewPage } from '../webviewPanels';
import { type HostToPage, isPageState, isPageToHost, type PageToHost, SLOT_MAP_VIEW_TYPE } from './protocol';

/** The command "Move to master…" hands the range to (registered with every other command). */
export const MOVE_SLOTS_COMMAND = 'redisSwarm.moveSlots';
/** The page must draw all 16384 slots faster than this (issue 6); slower draws are logged as warnings. */
export const RENDER_BUDGET_MS = 50;

/** The open slot maps, one per cluster, with their serializer. */
export type SlotMapPanels = WebviewPanels<SlotMapPanel>;

export function registerSlotMaps(context: vscode.ExtensionContext, store: ModelStore, logger: Logger): SlotMapPanels {
  return new WebviewPanels<SlotMapPanel>(
    {
      viewType: SLOT_MAP_VIEW_TYPE,
      title,
      isState: isPageState,
      create: (panel, cluster, onDispose) => new SlotMapPanel(panel, cluster, context.extensionUri, store, logger, onDispose),
    },
    context.extensionUri,
    logger,
  ).registerIn(context);
}

function title(cluster: string): string {
  return vscode.l10n.t('Slot Map: {0}', cluster);
}

class SlotMapPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private counting = false;
  private lastKeyCounts: Extract<HostToPage, { type: 'keyCounts' }> | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly cluster: string,
    extensionUri: vscode.Uri,
    private readonly store: ModelStore,
    private readonly logger: Logger,
    private readonly onDispose: () => void,
  ) {
    panel.title = title(cluster);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'redis-swarm.svg');
    panel.webview.html = pageHtml(panel.webview, extensionUri, cluster);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m), undefined, this.disposables);
    store.onDidChange(() => this.postTopology(), undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    // Opened from the palette before the tree ever read: read now instead of drawing nothing.
    if (!store.current) void store.refresh();
  }

  reveal(): void {
    this.panel.reveal();
  }

  private model(): ClusterModel | undefined {
    return this.store.cluster(this.cluster);
  }

  private post(message: HostToPage): void {
    if (this.disposed) return;
    // A hidden page drops messages; it asks again with `ready` when shown.
    void this.panel.webview.postMessage(message);
  }

  private postTopology(): void {
    const cluster = this.model();
    if (!cluster) {
      const why = this.store.current ? vscode.l10n.t('No cluster "{0}" on the connected swarm.', this.cluster) : (this.store.error ?? vscode.l10n.t('Reading the swarm…'));
      this.post({ type: 'unavailable', cluster: this.cluster, message: why });
      return;
    }
    if (cluster.health === 'unreachable') {
      this.post({ type: 'unavailable', cluster: this.cluster, message: cluster.error ?? vscode.l10n.t('No node of this cluster could be reached.') });
      return;
    }
    this.post({ type: 'topology', view: buildSlotMapView(cluster), health: cluster.health, readAt: this.store.current?.readAt ?? Date.now() });
    // The tree's key counts come with every read (DBSIZE per master): when they no longer add up
    // to the map's per-slot counts, keys came or went, so the map counts again instead of
    // showing stale numbers (it said 18 while the tree said 0).
    if (this.lastKeyCounts && keyCountsStale(this.lastKeyCounts.counts, cluster)) void this.countKeys();
  }

  private receive(raw: unknown): void {
    if (!isPageToHost(raw)) {
      this.logger.warn(`slot map: ignored an unknown message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const m: PageToHost = raw;
    switch (m.type) {
      case 'ready':
        this.postTopology();
        return;
      case 'requestKeyCounts':
        // The page asks on every load (it reloads each time its tab is shown): answer from the
        // last read unless the user asked for a fresh one.
        if (!m.fresh && this.lastKeyCounts) this.post(this.lastKeyCounts);
        else void this.countKeys();
        return;
      case 'moveRange':
        void this.moveRange(m.start, m.end, m.targetMasterId).catch((err: unknown) => {
          this.logger.error(`slot map: moving slots ${m.start}-${m.end}: ${describeError(err)}`);
          void vscode.window.showErrorMessage(describeError(err));
        });
        return;
      case 'rendered': {
        // Every redraw (each refresh) reports: a heartbeat, so trace, unless it was too slow.
        const line = `slot map (${this.cluster}): drew ${m.slots} slots of ${m.masters} masters in ${m.ms.toFixed(1)} ms`;
        if (m.ms > RENDER_BUDGET_MS) this.logger.warn(`${line}, over the ${RENDER_BUDGET_MS} ms budget`);
        else this.logger.trace(line);
        return;
      }
      case 'error':
        this.logger.error(`slot map page (${this.cluster}): ${m.message}`);
        return;
    }
  }

  private async countKeys(): Promise<void> {
    const cluster = this.model();
    if (!cluster || this.counting) return;
    this.counting = true;
    const started = Date.now();
    try {
      const { pool } = await this.store.getReader().connectionsFor(cluster.swarm);
      const owners = cluster.shards.map((s) => ({ endpoint: s.master.node.endpoint, ranges: s.slots }));
      const result = await readSlotKeyCounts(pool, owners);
      for (const e of result.errors) this.logger.warn(`slot map: counting keys on ${e}`);
      this.logger.info(`slot map (${this.cluster}): counted keys in ${SLOT_COUNT} slots in ${Date.now() - started} ms`);
      this.lastKeyCounts = { type: 'keyCounts', counts: result.counts, readAt: Date.now(), errors: result.errors };
      this.post(this.lastKeyCounts);
    } catch (err) {
      this.post({ type: 'keyCountsFailed', message: describeError(err) });
    } finally {
      this.counting = false;
    }
  }

  private async moveRange(start: number, end: number, targetMasterId: string | undefined): Promise<void> {
    const lo = Math.max(0, Math.min(start, end));
    const hi = Math.min(SLOT_COUNT - 1, Math.max(start, end));
    const cluster = this.model();
    if (!cluster) throw new BadInputError(vscode.l10n.t('Cluster "{0}" is not loaded; refresh the Redis Swarm view.', this.cluster));
    let target = targetMasterId;
    if (target === undefined) {
      const view = buildSlotMapView(cluster);
      // A master that already owns every selected slot is no target ("Moved 0 slot(s)").
      const owners = moveOwners(cluster);
      const picked = await vscode.window.showQuickPick(
        view.legend.filter((m) => describeMovePlan(owners, [{ start: lo, end: hi }], m.id).slots > 0).map((m) => ({
          label: m.label,
          description: m.hostname ? m.endpoint : undefined,
          detail: m.slotCount > 0 ? vscode.l10n.t('{0} slots: {1}', m.slotCount, formatSpans(m.ranges)) : vscode.l10n.t('no slots'),
          id: m.id,
        })),
        { title: vscode.l10n.t('Move slots {0} of {1} to master…', lo === hi ? String(lo) : `${lo}-${hi}`, this.cluster), placeHolder: vscode.l10n.t('Pick the master that will own the slots') },
      );
      if (!picked) return;
      target = picked.id;
    }
    const masters = [...cluster.shards.map((s) => s.master.node), ...cluster.others.map((o) => o.node).filter((n) => n.role === 'master')];
    const node = masters.find((n) => n.id === target);
    this.logger.info(`slot map: moving ${lo}-${hi} of ${this.cluster} to ${node ? formatEndpoint(node.endpoint) : target}`);
    await vscode.commands.executeCommand(MOVE_SLOTS_COMMAND, this.cluster, [{ start: lo, end: hi }], target);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, cluster: string): string {
  return webviewPage(webview, extensionUri, {
    name: 'slotMap',
    title: title(cluster),
    cluster,
    body: `<header>
  <h1 id="title">${escapeHtml(cluster)}</h1>
  <span id="status" role="status"></span>
  <span class="spacer"></span>
  <span class="zoom" role="group" aria-label="${escapeHtml(vscode.l10n.t('Zoom'))}">
    <button id="zoomOut" type="button" class="secondary" title="${escapeHtml(vscode.l10n.t('Zoom out (-, Ctrl+wheel)'))}" aria-label="${escapeHtml(vscode.l10n.t('Zoom out'))}">−</button>
    <span id="zoomLabel" aria-live="polite">100%</span>
    <button id="zoomIn" type="button" class="secondary" title="${escapeHtml(vscode.l10n.t('Zoom in (+, Ctrl+wheel)'))}" aria-label="${escapeHtml(vscode.l10n.t('Zoom in'))}">+</button>
  </span>
  <label class="toggle"><input type="checkbox" id="heat"> ${escapeHtml(vscode.l10n.t('Heat map (keys per slot)'))}</label>
  <button id="countKeys" type="button">${escapeHtml(vscode.l10n.t('Count keys'))}</button>
</header>
<div id="heatScale" hidden></div>
<main>
  <div id="mapWrap">
    <canvas id="map" tabindex="0" role="application" aria-describedby="legend" aria-label="${escapeHtml(vscode.l10n.t('Slots 0 to 16383, 128 per row, colored by owning master'))}"></canvas>
    <div id="tooltip" role="tooltip" hidden></div>
  </div>
  <aside>
    <section id="selection" hidden aria-live="polite"></section>
    <h2 id="mastersHeading">${escapeHtml(vscode.l10n.t('Masters: slot ranges'))}</h2>
    <ul id="legend" aria-labelledby="mastersHeading"></ul>
  </aside>
</main>
<div id="announce" class="visually-hidden" aria-live="polite"></div>`,
  });
}
