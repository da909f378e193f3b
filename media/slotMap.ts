/**
 * The slot map page: all 16384 slots on one canvas (128 per row), colored by owning master,
 * with a legend, hover details, drag selection and an optional heat map by keys per slot.
 * It only draws what the host sends (src/extension/slotMap/protocol.ts) and keeps its own
 * state (cluster, heat map, selection) with setState, so it survives being hidden and reloads.
 *
 * The draw writes one pixel per slot into a 128x128 ImageData and scales it up without
 * smoothing: one putImageData and one drawImage for the whole map, then the few overlays.
 */
import type { HostToPage, PageToHost, SlotMapPageState } from '../src/extension/slotMap/protocol';
import { buildOwners, formatSpans, heat, keysInRange, NO_OWNER, ownersInRange, SLOT_COUNT, type SlotMapView, type SlotSpan } from '../src/core/model/slotMapData';
import { GRID_COLUMNS, GRID_ROWS, GUTTER_PX, HEADER_PX, type GridGeometry, gridGeometry, heatTicks, moveFocus, nextZoom, scrollForZoom, selectionAfterMove, slotAtPoint } from '../src/core/model/slotMapGeometry';

interface VsCodeApi {
  postMessage(message: PageToHost): void;
  getState(): unknown;
  setState(state: SlotMapPageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const COLUMNS = GRID_COLUMNS;
const ROWS = GRID_ROWS;
/** Medium-saturation colors (Tableau 10 without its red, which means "uncovered" here): each keeps contrast on light and dark themes. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac', '#8cd17d'];
/** Viridis stops for the heat map: perceptually even and readable on both themes. */
const HEAT_STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];

const vscode = acquireVsCodeApi();
const body = document.body;
const canvas = byId<HTMLCanvasElement>('map');
const wrap = byId<HTMLDivElement>('mapWrap');
const tooltip = byId<HTMLDivElement>('tooltip');
const legendList = byId<HTMLUListElement>('legend');
const selectionBox = byId<HTMLElement>('selection');
const status = byId<HTMLSpanElement>('status');
const heatToggle = byId<HTMLInputElement>('heat');
const countButton = byId<HTMLButtonElement>('countKeys');
const zoomIn = byId<HTMLButtonElement>('zoomIn');
const zoomOut = byId<HTMLButtonElement>('zoomOut');
const zoomLabel = byId<HTMLSpanElement>('zoomLabel');
const announce = byId<HTMLDivElement>('announce');
const heatScale = byId<HTMLDivElement>('heatScale');

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`slot map page: #${id} is missing`);
  return el as T;
}

const saved = vscode.getState();
let state: SlotMapPageState = isState(saved) ? saved : { cluster: body.dataset['cluster'] ?? '', heat: false };
vscode.setState(state);
heatToggle.checked = state.heat;

let view: SlotMapView | undefined;
let owners: Int16Array = new Int16Array(SLOT_COUNT).fill(NO_OWNER);
let openBySlot = new Map<number, string>();
let keyCounts: readonly number[] | undefined;
let maxKeys = 0;
let zoom = 1;
let geometry: GridGeometry = gridGeometry(800, 1);
/** The slot the keyboard is on, and where a Shift selection started. */
let focusSlot = 0;
let keyAnchor = 0;
let keysReadAt: number | undefined;
let dragAnchor: number | undefined;
let renders = 0;

function isState(x: unknown): x is SlotMapPageState {
  return typeof x === 'object' && x !== null && typeof (x as { cluster?: unknown }).cluster === 'string' && typeof (x as { heat?: unknown }).heat === 'boolean';
}

function saveState(next: SlotMapPageState): void {
  state = next;
  vscode.setState(state);
}

function masterColor(index: number): string {
  if (index < PALETTE.length) return PALETTE[index] as string;
  // Past the palette: spread hues by the golden angle, at the palette's lightness.
  return `hsl(${Math.round((index * 137.508) % 360)}, 50%, 55%)`;
}

const masterRgbaCache = new Map<number, readonly number[]>();
function masterRgba(index: number): readonly number[] {
  let c = masterRgbaCache.get(index);
  if (!c) {
    c = rgba(masterColor(index));
    masterRgbaCache.set(index, c);
  }
  return c;
}

/** Any CSS color (a theme variable's value included) as RGBA bytes, by painting one pixel. */
const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
function rgba(color: string): [number, number, number, number] {
  if (!probe) return [128, 128, 128, 255];
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#808080';
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 255];
}

function themeColor(variable: string, fallback: string): string {
  const v = getComputedStyle(body).getPropertyValue(variable).trim();
  return v || fallback;
}

/** Theme colors the draw needs, resolved once per theme (VS Code restyles the page on a theme change). */
interface ThemeColors {
  readonly error: readonly number[];
  readonly foreground: string;
  readonly background: string;
  readonly selection: string;
  readonly focus: string;
  readonly muted: string;
  readonly font: string;
  /** VS Code's high contrast themes: thicker outlines. */
  readonly highContrast: boolean;
}
let theme: ThemeColors | undefined;
function themeColors(): ThemeColors {
  if (!theme) {
    theme = {
      error: rgba(themeColor('--vscode-errorForeground', '#f14c4c')),
      foreground: themeColor('--vscode-editor-foreground', '#cccccc'),
      background: themeColor('--vscode-editor-background', '#1e1e1e'),
      selection: themeColor('--vscode-editor-selectionBackground', 'rgba(38,79,120,0.6)'),
      focus: themeColor('--vscode-contrastActiveBorder', '') || themeColor('--vscode-focusBorder', '#007fd4'),
      muted: themeColor('--vscode-descriptionForeground', '#999999'),
      font: themeColor('--vscode-font-family', 'sans-serif'),
      highContrast: body.classList.contains('vscode-high-contrast') || body.classList.contains('vscode-high-contrast-light'),
    };
  }
  return theme;
}
new MutationObserver(() => {
  theme = undefined;
  draw();
}).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(() => {
  theme = undefined;
  draw();
}).observe(body, { attributes: true, attributeFilter: ['class'] });

function heatColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = HEAT_STOPS[i] as readonly [number, number, number];
  const b = HEAT_STOPS[i + 1] as readonly [number, number, number];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

function post(message: PageToHost): void {
  vscode.postMessage(message);
}

/** Cell size from the panel's width and the zoom; the canvas sized for crisp device pixels. */
function layout(): void {
  geometry = gridGeometry(wrap.clientWidth - 2, zoom);
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${geometry.width}px`;
  canvas.style.height = `${geometry.height}px`;
  canvas.width = Math.round(geometry.width * dpr);
  canvas.height = Math.round(geometry.height * dpr);
  // For tests and anyone inspecting the page: the grid's geometry in CSS pixels.
  body.dataset['cell'] = String(geometry.cell);
  body.dataset['zoom'] = String(zoom);
  body.dataset['gutter'] = String(GUTTER_PX);
  body.dataset['header'] = String(HEADER_PX);
  setText(zoomLabel, `${Math.round(zoom * 100)}%`);
  zoomOut.disabled = nextZoom(zoom, -1) === zoom;
  zoomIn.disabled = nextZoom(zoom, 1) === zoom;
}

/** Zooms to the next step, keeping the slot under `pointer` (viewport pixels) in place. */
function zoomBy(direction: 1 | -1, pointer?: { x: number; y: number }): void {
  const next = nextZoom(zoom, direction);
  if (next === zoom) return;
  const before = geometry;
  const at = pointer ?? { x: wrap.clientWidth / 2, y: wrap.clientHeight / 2 };
  zoom = next;
  layout();
  const s = scrollForZoom(before, geometry, { left: wrap.scrollLeft, top: wrap.scrollTop }, at);
  wrap.scrollLeft = s.left;
  wrap.scrollTop = s.top;
  draw();
}

const base = document.createElement('canvas');
base.width = COLUMNS;
base.height = ROWS;

/** Row segments of the cells in [start, end], for overlays. */
function segments(start: number, end: number): { x: number; y: number; w: number }[] {
  const out: { x: number; y: number; w: number }[] = [];
  let s = start;
  while (s <= end) {
    const row = Math.floor(s / COLUMNS);
    const rowEnd = Math.min(end, row * COLUMNS + COLUMNS - 1);
    out.push({ x: s % COLUMNS, y: row, w: rowEnd - s + 1 });
    s = rowEnd + 1;
  }
  return out;
}

function hatchPattern(ctx: CanvasRenderingContext2D, color: string, size: number): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const t = tile.getContext('2d');
  if (!t) return null;
  t.strokeStyle = color;
  t.lineWidth = Math.max(1, size / 6);
  t.beginPath();
  t.moveTo(0, size);
  t.lineTo(size, 0);
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

/** The whole map: base colors, uncovered hatch, open-slot outlines, selection. Timed. */
function draw(): void {
  const t0 = performance.now();
  const ctx = canvas.getContext('2d');
  const b = base.getContext('2d');
  if (!ctx || !b) return;
  const img = b.createImageData(COLUMNS, ROWS);
  const px = img.data;
  const colors = themeColors();
  const error = colors.error;
  const palette = (view?.legend ?? []).map((m) => masterRgba(m.index));
  const heatOn = state.heat && keyCounts !== undefined;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const o = owners[s] ?? NO_OWNER;
    let c: readonly number[];
    if (o === NO_OWNER) c = error;
    else if (heatOn) c = heatColor(heat(keyCounts?.[s] ?? 0, maxKeys));
    else c = palette[o] ?? error;
    const i = s * 4;
    px[i] = c[0] ?? 0;
    px[i + 1] = c[1] ?? 0;
    px[i + 2] = c[2] ?? 0;
    px[i + 3] = 255;
  }
  b.putImageData(img, 0, 0);
  const dpr = canvas.width / geometry.width;
  const scale = geometry.cell * dpr;
  const ox = GUTTER_PX * dpr;
  const oy = HEADER_PX * dpr;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  drawLabels(ctx, dpr, colors);
  ctx.drawImage(base, ox, oy, COLUMNS * scale, ROWS * scale);
  ctx.setTransform(scale, 0, 0, scale, ox, oy);

  // Uncovered slots: hatched over the error color, so they read as "missing", not as a master.
  const fg = colors.foreground;
  if (view && view.uncoveredCount > 0) {
    const pattern = hatchPattern(ctx, colors.background, Math.max(4, Math.round(scale * 2)));
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, ox, oy);
    if (pattern) ctx.fillStyle = pattern;
    for (const r of view.uncovered) for (const g of segments(r.start, r.end)) ctx.fillRect(g.x * scale, g.y * scale, g.w * scale, scale);
    ctx.restore();
  }
  // Slots being moved: an outline in the foreground color (migrating) or dashed (importing).
  if (view) {
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = fg;
    for (const o of view.open) {
      ctx.setLineDash(o.kind === 'importing' ? [2 / scale, 2 / scale] : []);
      const x = o.slot % COLUMNS;
      const y = Math.floor(o.slot / COLUMNS);
      ctx.strokeRect(x + 0.1, y + 0.1, 0.8, 0.8);
    }
    ctx.setLineDash([]);
  }
  // The selection: a veil, then a double outline (background, then the focus color) that
  // shows on any master color and at any zoom: at least 2 CSS pixels wide.
  if (state.selection) {
    ctx.fillStyle = colors.selection;
    ctx.globalAlpha = 0.55;
    const segs = segments(state.selection.start, state.selection.end);
    for (const g of segs) ctx.fillRect(g.x, g.y, g.w, 1);
    ctx.globalAlpha = 1;
    const px = dpr / scale;
    // Outlined as its first row, its full middle rows as one block, and its last row: no line
    // between every row of a large selection.
    const middle = segs.length > 2 ? [{ x: 0, y: (segs[1] as { y: number }).y, w: COLUMNS, h: segs.length - 2 }] : [];
    const boxes = segs.length > 2 ? [{ ...(segs[0] as { x: number; y: number; w: number }), h: 1 }, ...middle, { ...(segs[segs.length - 1] as { x: number; y: number; w: number }), h: 1 }] : segs.map((g) => ({ ...g, h: 1 }));
    ctx.strokeStyle = colors.background;
    ctx.lineWidth = (colors.highContrast ? 5 : 4) * px;
    for (const g of boxes) ctx.strokeRect(g.x, g.y, g.w, g.h);
    ctx.strokeStyle = colors.focus;
    ctx.lineWidth = (colors.highContrast ? 3 : 2) * px;
    for (const g of boxes) ctx.strokeRect(g.x, g.y, g.w, g.h);
  }
  // The keyboard's slot, when the map has focus: a dashed box in the focus color.
  if (document.activeElement === canvas) {
    const px = dpr / scale;
    ctx.strokeStyle = colors.focus;
    ctx.lineWidth = 2 * px;
    ctx.setLineDash([3 * px, 2 * px]);
    ctx.strokeRect((focusSlot % COLUMNS) - px, Math.floor(focusSlot / COLUMNS) - px, 1 + 2 * px, 1 + 2 * px);
    ctx.setLineDash([]);
  }
  // Chromium records canvas calls and rasterizes later; reading one pixel back makes it finish
  // now, so the time below includes the actual drawing, not just the recording.
  ctx.getImageData(0, 0, 1, 1);
  const ms = performance.now() - t0;
  renders++;
  // For the E2E test and anyone inspecting the page: the last draw time, in ms.
  body.dataset['renderMs'] = ms.toFixed(2);
  body.dataset['renders'] = String(renders);
  post({ type: 'rendered', ms, slots: SLOT_COUNT, masters: view?.legend.length ?? 0 });
}

/** Slot numbers: the first slot of labelled rows in the gutter, column offsets on top. */
function drawLabels(ctx: CanvasRenderingContext2D, dpr: number, colors: ThemeColors): void {
  const g = geometry;
  ctx.save();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = colors.muted;
  ctx.font = `10px ${colors.font}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (let row = 0; row < ROWS; row += g.rowLabelEvery) ctx.fillText(String(row * COLUMNS), GUTTER_PX - 4, HEADER_PX + (row + 0.5) * g.cell);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  for (let col = 0; col < COLUMNS; col += g.columnLabelEvery) ctx.fillText(`+${col}`, GUTTER_PX + col * g.cell, HEADER_PX - 2);
  ctx.restore();
}

function setText(el: HTMLElement, text: string): void {
  el.textContent = text;
}

/** One legend row: a swatch, a name and a detail line. */
function legendItem(className: string, swatchClass: string, name: string, detail: string): { li: HTMLLIElement; swatch: HTMLSpanElement } {
  const li = document.createElement('li');
  li.className = className;
  const swatch = document.createElement('span');
  swatch.className = swatchClass;
  const nameEl = document.createElement('span');
  nameEl.className = 'name';
  setText(nameEl, name);
  const detailEl = document.createElement('span');
  detailEl.className = 'detail';
  setText(detailEl, detail);
  li.append(swatch, nameEl, detailEl);
  legendList.append(li);
  return { li, swatch };
}

function renderLegend(): void {
  legendList.replaceChildren();
  if (!view) return;
  for (const m of view.legend) {
    const detail = `${m.hostname ? `${m.endpoint} · ` : ''}${m.slotCount} slots${m.slotCount > 0 ? `: ${formatSpans(m.ranges)}` : ''} · ${m.replicas} replica${m.replicas === 1 ? '' : 's'}`;
    const { li, swatch } = legendItem('master', 'swatch', m.label, detail);
    li.dataset['masterId'] = m.id;
    li.title = `${m.label} (${m.id})`;
    // Focusable: Enter (or a click) selects the master's first range on the map.
    const first = m.ranges[0];
    if (first) {
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      li.setAttribute('aria-label', `${m.label}: ${m.slotCount} slots, ${formatSpans(m.ranges)}; ${m.replicas} replicas. Enter selects slots ${first.start} to ${first.end}.`);
      const pick = (): void => {
        focusSlot = first.start;
        keyAnchor = first.start;
        select({ start: first.start, end: first.end });
        scrollIntoView(first.start);
      };
      li.addEventListener('click', pick);
      li.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          pick();
        }
      });
    }
    swatch.style.backgroundColor = masterColor(m.index);
  }
  if (view.uncoveredCount > 0) {
    legendItem('uncovered', 'swatch error', 'Uncovered', `${view.uncoveredCount} slots: ${formatSpans(view.uncovered)}`);
  }
  if (view.open.length > 0) {
    const migrating = view.open.filter((o) => o.kind === 'migrating').length;
    legendItem('open', 'swatch outline', 'Being moved', `${migrating} migrating (solid), ${view.open.length - migrating} importing (dashed)`);
  }
}

function ownerName(index: number): string {
  if (index === NO_OWNER) return 'uncovered';
  return view?.legend[index]?.label ?? `master ${index}`;
}

function renderSelection(): void {
  const sel = state.selection;
  if (!sel || !view) {
    selectionBox.hidden = true;
    return;
  }
  selectionBox.hidden = false;
  selectionBox.replaceChildren();
  const h = document.createElement('h2');
  const n = sel.end - sel.start + 1;
  setText(h, n === 1 ? `Slot ${sel.start}` : `Slots ${sel.start}–${sel.end} (${n})`);
  const list = document.createElement('ul');
  for (const [o, count] of [...ownersInRange(owners, sel.start, sel.end)].sort((a, b) => b[1] - a[1])) {
    const li = document.createElement('li');
    setText(li, `${ownerName(o)}: ${count} slot${count === 1 ? '' : 's'}`);
    list.append(li);
  }
  const keys = keysInRange(keyCounts, sel.start, sel.end);
  const k = document.createElement('p');
  setText(k, keys === undefined ? 'Keys: not counted yet (Count keys)' : `Keys: ${keys}`);
  const move = document.createElement('button');
  move.type = 'button';
  setText(move, 'Move to master…');
  move.addEventListener('click', () => {
    const s = state.selection;
    if (s) post({ type: 'moveRange', start: s.start, end: s.end });
  });
  const clear = document.createElement('button');
  clear.type = 'button';
  clear.className = 'secondary';
  setText(clear, 'Clear');
  clear.addEventListener('click', () => select(undefined));
  selectionBox.append(h, list, k, move, clear);
}

function select(sel: SlotSpan | undefined): void {
  saveState(sel ? { ...state, selection: sel } : { cluster: state.cluster, heat: state.heat });
  renderSelection();
  draw();
}

/** The slot under the pointer, measured from the canvas's content box (its border is not the grid). */
function slotAt(ev: MouseEvent): number | undefined {
  const r = canvas.getBoundingClientRect();
  return slotAtPoint(geometry, ev.clientX - r.left - canvas.clientLeft, ev.clientY - r.top - canvas.clientTop);
}

function showTooltip(ev: MouseEvent, slot: number): void {
  const o = owners[slot] ?? NO_OWNER;
  const m = o === NO_OWNER ? undefined : view?.legend[o];
  const keys = keyCounts ? `${keyCounts[slot] ?? 0} keys` : 'keys not counted';
  const moving = openBySlot.get(slot);
  setText(tooltip, `Slot ${slot} · ${m ? `${m.label}${m.hostname ? ` (${m.endpoint})` : ''}` : 'uncovered'} · ${keys}${moving ? ` · ${moving}` : ''}`);
  tooltip.hidden = false;
  const wr = wrap.getBoundingClientRect();
  const left = Math.min(ev.clientX - wr.left + 12, wr.width - tooltip.offsetWidth - 4);
  tooltip.style.left = `${Math.max(0, left)}px`;
  tooltip.style.top = `${ev.clientY - wr.top + 14}px`;
}

canvas.addEventListener('mousedown', (ev) => {
  const s = slotAt(ev);
  if (s === undefined || ev.button !== 0) return;
  dragAnchor = s;
  focusSlot = s;
  keyAnchor = s;
  select({ start: s, end: s });
});
canvas.addEventListener('mousemove', (ev) => {
  const s = slotAt(ev);
  if (s === undefined) {
    tooltip.hidden = true;
    return;
  }
  showTooltip(ev, s);
  if (dragAnchor !== undefined && (ev.buttons & 1) === 1) {
    const next = { start: Math.min(dragAnchor, s), end: Math.max(dragAnchor, s) };
    if (next.start !== state.selection?.start || next.end !== state.selection?.end) select(next);
  }
});
window.addEventListener('mouseup', () => {
  dragAnchor = undefined;
});
canvas.addEventListener('mouseleave', () => {
  tooltip.hidden = true;
});
window.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') select(undefined);
  else if ((ev.key === '+' || ev.key === '=') && !isTyping(ev)) zoomBy(1);
  else if (ev.key === '-' && !isTyping(ev)) zoomBy(-1);
  else if (ev.key === '0' && !isTyping(ev)) {
    zoom = nextZoom(1, -1);
    layout();
    draw();
  }
});

function isTyping(ev: KeyboardEvent): boolean {
  return ev.target instanceof HTMLInputElement && ev.target.type === 'text';
}

/** The map by keyboard: arrows move the slot, Shift+arrows select, Enter moves the selection. */
canvas.addEventListener('keydown', (ev) => {
  const next = moveFocus(focusSlot, ev.key);
  if (next !== undefined) {
    ev.preventDefault();
    if (!ev.shiftKey) keyAnchor = next;
    focusSlot = next;
    select(selectionAfterMove(keyAnchor, focusSlot, ev.shiftKey));
    scrollIntoView(focusSlot);
    say(describeSlot(focusSlot, state.selection));
  } else if (ev.key === 'Enter' && state.selection) {
    ev.preventDefault();
    post({ type: 'moveRange', start: state.selection.start, end: state.selection.end });
  }
});
canvas.addEventListener('focus', () => {
  say(describeSlot(focusSlot, state.selection));
  draw();
});
canvas.addEventListener('blur', () => draw());

/** Ctrl (or Cmd) + wheel zooms about the pointer; the wheel alone scrolls. */
wrap.addEventListener(
  'wheel',
  (ev) => {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    const r = wrap.getBoundingClientRect();
    zoomBy(ev.deltaY < 0 ? 1 : -1, { x: ev.clientX - r.left, y: ev.clientY - r.top });
  },
  { passive: false },
);
zoomIn.addEventListener('click', () => zoomBy(1));
zoomOut.addEventListener('click', () => zoomBy(-1));

function scrollIntoView(slot: number): void {
  const x = GUTTER_PX + (slot % COLUMNS) * geometry.cell;
  const y = HEADER_PX + Math.floor(slot / COLUMNS) * geometry.cell;
  if (x < wrap.scrollLeft + GUTTER_PX || x + geometry.cell > wrap.scrollLeft + wrap.clientWidth) wrap.scrollLeft = Math.max(0, x - wrap.clientWidth / 2);
  if (y < wrap.scrollTop + HEADER_PX || y + geometry.cell > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, y - wrap.clientHeight / 2);
}

/** What a screen reader hears for the keyboard's slot and the selection. */
function describeSlot(slot: number, sel: SlotSpan | undefined): string {
  const o = owners[slot] ?? NO_OWNER;
  const keys = keyCounts ? `, ${keyCounts[slot] ?? 0} keys` : '';
  const range = sel && sel.end > sel.start ? `. Selected slots ${sel.start} to ${sel.end}` : '';
  return `Slot ${slot}: ${ownerName(o)}${keys}${range}`;
}

function say(text: string): void {
  setText(announce, text);
}

/** The heat map's scale: the gradient with round ticks from 0 to the fullest slot, and when it was counted. */
function renderHeatScale(): void {
  heatScale.hidden = !(state.heat && keyCounts);
  if (heatScale.hidden) return;
  heatScale.replaceChildren();
  const bar = document.createElement('div');
  bar.className = 'bar';
  const ticks = document.createElement('div');
  ticks.className = 'ticks';
  for (const t of heatTicks(maxKeys)) {
    const span = document.createElement('span');
    span.style.left = `${maxKeys > 0 ? (t / maxKeys) * 100 : 0}%`;
    setText(span, String(t));
    ticks.append(span);
  }
  const caption = document.createElement('div');
  caption.className = 'caption';
  setText(caption, `Keys per slot (max ${maxKeys})${keysReadAt ? `, counted ${new Date(keysReadAt).toLocaleTimeString()}` : ''}`);
  heatScale.append(caption, bar, ticks);
}
heatToggle.addEventListener('change', () => {
  saveState({ ...state, heat: heatToggle.checked });
  if (state.heat && !keyCounts) requestKeyCounts();
  renderHeatScale();
  draw();
});
countButton.addEventListener('click', () => requestKeyCounts(true));

function requestKeyCounts(fresh = false): void {
  countButton.disabled = true;
  setText(countButton, 'Counting keys…');
  post({ type: 'requestKeyCounts', fresh });
}

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    layout();
    draw();
  }, 50);
});

window.addEventListener('message', (event: MessageEvent<HostToPage>) => {
  const m = event.data;
  switch (m.type) {
    case 'topology': {
      view = m.view;
      owners = buildOwners(view.legend);
      openBySlot = new Map(view.open.map((o) => [o.slot, `${o.kind} ${o.kind === 'migrating' ? 'to' : 'from'} ${o.peerId.slice(0, 8)}`]));
      body.classList.remove('unavailable');
      setText(byId('title'), view.cluster);
      const covered = SLOT_COUNT - view.uncoveredCount;
      setText(status, `${m.health} · ${view.legend.length} masters · ${covered}/${SLOT_COUNT} slots covered${view.open.length ? ` · ${view.open.length} being moved` : ''} · read ${new Date(m.readAt).toLocaleTimeString()}`);
      body.dataset['masters'] = String(view.legend.length);
      canvas.setAttribute(
        'aria-label',
        `Slot map of ${view.cluster}: ${view.legend.filter((l) => l.slotCount > 0).length} masters own ${covered} of ${SLOT_COUNT} slots; the ranges of each master are listed beside the map. ` +
          'Arrow keys move a slot (Page Up and Down: 16 rows), Shift with them selects, Enter moves the selection to another master, plus and minus zoom.',
      );
      renderLegend();
      renderSelection();
      draw();
      return;
    }
    case 'unavailable':
      body.classList.add('unavailable');
      setText(status, m.message);
      return;
    case 'keyCounts':
      keyCounts = m.counts;
      keysReadAt = m.readAt;
      maxKeys = keyCounts.reduce((a, b) => Math.max(a, b), 0);
      renderHeatScale();
      countButton.disabled = false;
      setText(countButton, 'Count keys again');
      body.dataset['keys'] = String(keyCounts.reduce((a, b) => a + b, 0));
      if (m.errors.length > 0) setText(status, `${status.textContent ?? ''} · keys not counted on ${m.errors.length} master(s)`);
      renderSelection();
      draw();
      return;
    case 'keyCountsFailed':
      countButton.disabled = false;
      setText(countButton, 'Count keys');
      setText(status, `Counting keys failed: ${m.message}`);
      return;
  }
});

window.addEventListener('error', (ev) => post({ type: 'error', message: String(ev.message) }));

layout();
renderHeatScale();
draw();
post({ type: 'ready', state });
// Hover and selection show keys per slot: count them once when the map opens.
requestKeyCounts();
