/**
 * The cluster dashboard page: a chart of the cluster's total ops/s over the last minutes, then
 * one row per node with its latest figures and two small charts (ops/s, memory against
 * maxmemory), then the newest slow commands. Charts are polylines on <canvas>, drawn here in a
 * few lines: no charting library (see README, "Dashboard").
 */
import type { DashboardHostToPage, DashboardPageState, DashboardPageToHost } from '../src/extension/dashboard/protocol';
import type { DashboardPoint, DashboardRow } from '../src/core/model/dashboardData';
import { formatBytes } from '../src/core/model/units';

interface VsCodeApi {
  postMessage(message: DashboardPageToHost): void;
  getState(): unknown;
  setState(state: DashboardPageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const body = document.body;
vscode.setState({ cluster: body.dataset['cluster'] ?? '' });
const status = byId('status');
const totals = byId('totals');
const rows = byId('nodes').querySelector('tbody') as HTMLTableSectionElement;
const slowList = byId('slowlog').querySelector('ul') as HTMLUListElement;

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard page: #${id} is missing`);
  return el;
}

function css(variable: string, fallback: string): string {
  return getComputedStyle(body).getPropertyValue(variable).trim() || fallback;
}

/**
 * One polyline of `values` over the canvas, scaled to `max` (at least the largest value), with
 * an optional dashed ceiling (maxmemory). Sized for crisp device pixels.
 */
function sparkline(canvas: HTMLCanvasElement, values: readonly number[], color: string, ceiling?: number): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || Number(canvas.getAttribute('width'));
  const h = canvas.clientHeight || Number(canvas.getAttribute('height'));
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const max = Math.max(1, ceiling ?? 0, ...values);
  const y = (v: number): number => h - 1 - (v / max) * (h - 2);
  if (ceiling) {
    ctx.strokeStyle = css('--vscode-errorForeground', '#f14c4c');
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(0, y(ceiling));
    ctx.lineTo(w, y(ceiling));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (values.length === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  values.forEach((v, i) => (i === 0 ? ctx.moveTo(0, y(v)) : ctx.lineTo(i * step, y(v))));
  ctx.stroke();
}

function cell(tr: HTMLTableRowElement, text: string, canvas?: HTMLCanvasElement): void {
  const td = document.createElement('td');
  const span = document.createElement('span');
  span.textContent = text;
  td.append(span);
  if (canvas) td.append(canvas);
  tr.append(td);
}

function chart(label: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.className = 'spark';
  c.width = 110;
  c.height = 26;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

function render(nodes: readonly DashboardRow[], intervalMs: number): void {
  const accent = css('--vscode-charts-blue', '#3794ff');
  const memColor = css('--vscode-charts-purple', '#b180d7');
  // The cluster's total ops/s: the masters' points summed by position (they are polled together).
  const masters = nodes.filter((n) => n.role === 'master');
  const len = Math.max(0, ...masters.map((m) => m.points.length));
  const total: number[] = [];
  for (let i = 0; i < len; i++) total.push(masters.reduce((s, m) => s + (m.points[m.points.length - len + i]?.ops ?? 0), 0));
  const latestTotal = total[total.length - 1] ?? 0;
  totals.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = `${latestTotal} ops/s on ${masters.length} masters (last ${Math.round((len * intervalMs) / 60000) || 1} min)`;
  const big = document.createElement('canvas');
  big.id = 'totalChart';
  big.width = 640;
  big.height = 90;
  big.setAttribute('role', 'img');
  big.setAttribute('aria-label', `Total ops per second over the last ${len} samples, now ${latestTotal}`);
  totals.append(h, big);
  sparkline(big, total, accent);
  body.dataset['totalOps'] = String(latestTotal);
  body.dataset['samples'] = String(len);

  rows.replaceChildren();
  for (const n of nodes) {
    const p: DashboardPoint | undefined = n.points[n.points.length - 1];
    const tr = document.createElement('tr');
    tr.className = n.role;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = n.role === 'master' ? n.name : `${n.name} (replica of ${n.of ?? '?'})`;
    tr.append(th);
    const ops = n.points.map((x) => x.ops);
    cell(tr, p ? String(p.ops) : '–', chart(`ops per second of ${n.name}`));
    cell(tr, p ? `${formatBytes(p.memory)}${p.maxMemory > 0 ? ` / ${formatBytes(p.maxMemory)}` : ''}` : '–', chart(`memory of ${n.name}`));
    cell(tr, p ? String(p.clients) : '–');
    cell(tr, p ? String(p.keys) : '–');
    cell(tr, p ? String(p.evicted) : '–');
    cell(tr, p?.lag !== undefined ? formatBytes(p.lag) : '–');
    rows.append(tr);
    const canvases = tr.querySelectorAll('canvas');
    const opsCanvas = canvases.item(0);
    const memCanvas = canvases.item(1);
    if (opsCanvas) sparkline(opsCanvas, ops, accent);
    if (memCanvas) sparkline(memCanvas, n.points.map((x) => x.memory), memColor, p && p.maxMemory > 0 ? p.maxMemory : undefined);
  }

  slowList.replaceChildren();
  const slow = nodes.flatMap((n) => n.slowlog.map((s) => ({ ...s, node: n.name }))).sort((a, b) => b.at - a.at).slice(0, 10);
  for (const s of slow) {
    const li = document.createElement('li');
    li.textContent = `${new Date(s.at * 1000).toLocaleTimeString()} · ${s.node} · ${s.micros} µs · ${s.command}`;
    slowList.append(li);
  }
  if (slow.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'None recorded.';
    slowList.append(li);
  }
}

window.addEventListener('message', (event: MessageEvent<DashboardHostToPage>) => {
  const m = event.data;
  if (m.type === 'unavailable') {
    status.textContent = m.message;
    body.classList.add('unavailable');
    return;
  }
  body.classList.remove('unavailable');
  status.textContent = `${m.health} · ${m.nodes.length} nodes · every ${m.intervalMs / 1000} s while shown · ${new Date().toLocaleTimeString()}`;
  render(m.nodes, m.intervalMs);
});
window.addEventListener('error', (ev) => vscode.postMessage({ type: 'error', message: String(ev.message) }));
vscode.postMessage({ type: 'ready' });
