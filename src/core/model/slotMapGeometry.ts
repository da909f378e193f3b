/**
 * Where the slot map draws each slot, and which slot a pointer or a key points at: pure and
 * import-free, so the page (media/slotMap.ts) and the unit tests share it.
 *
 * The canvas holds a gutter of row labels (the first slot of every labelled row) and a top
 * band of column labels, then the grid: 128 slots per row, 128 rows, square cells. The cell
 * size fills the panel's width at zoom 1 and grows with the zoom (the map then scrolls).
 * Pointer positions are measured from the canvas's content box: the CSS border is not part of
 * the grid (counting it made a drag started on slot 100 select 101).
 */

export const GRID_COLUMNS = 128;
export const GRID_ROWS = 128;
const SLOTS = GRID_COLUMNS * GRID_ROWS;
/** Room for "16256" in the gutter, and for the column labels on top, in CSS pixels. */
export const GUTTER_PX = 44;
export const HEADER_PX = 16;
/** Cell size bounds at zoom 1, in CSS pixels. */
export const MIN_CELL_PX = 3;
export const MAX_BASE_CELL_PX = 12;
/** The zoom steps the wheel and the +/- keys walk through. */
export const ZOOM_LEVELS: readonly number[] = [1, 1.5, 2, 3, 4, 6, 8];

export interface GridGeometry {
  readonly cell: number;
  readonly zoom: number;
  /** Canvas size in CSS pixels (labels included). */
  readonly width: number;
  readonly height: number;
  /** Label every n-th row and column (so labels never overlap). */
  readonly rowLabelEvery: number;
  readonly columnLabelEvery: number;
}

/** The geometry for a panel `availableWidth` CSS pixels wide at `zoom`. */
export function gridGeometry(availableWidth: number, zoom: number): GridGeometry {
  const base = Math.max(MIN_CELL_PX, Math.min(MAX_BASE_CELL_PX, Math.floor((availableWidth - GUTTER_PX) / GRID_COLUMNS)));
  const cell = Math.max(MIN_CELL_PX, Math.round(base * zoom));
  // A label needs about 14 px of height and 36 px of width.
  const rowLabelEvery = labelStep(14 / cell);
  const columnLabelEvery = labelStep(36 / cell);
  return { cell, zoom, width: GUTTER_PX + GRID_COLUMNS * cell, height: HEADER_PX + GRID_ROWS * cell, rowLabelEvery, columnLabelEvery };
}

/** The smallest power of two at least `n` (labels fall on 1, 2, 4, 8, 16 … rows). */
function labelStep(n: number): number {
  let step = 1;
  while (step < n && step < GRID_ROWS) step *= 2;
  return step;
}

/** The slot under a point given in CSS pixels from the canvas's content box (border excluded); undefined off the grid. */
export function slotAtPoint(g: GridGeometry, x: number, y: number): number | undefined {
  const col = Math.floor((x - GUTTER_PX) / g.cell);
  const row = Math.floor((y - HEADER_PX) / g.cell);
  if (x < GUTTER_PX || y < HEADER_PX || col < 0 || row < 0 || col >= GRID_COLUMNS || row >= GRID_ROWS) return undefined;
  return row * GRID_COLUMNS + col;
}

/** The top-left corner of a slot's cell, in CSS pixels from the content box. */
export function cellOrigin(g: GridGeometry, slot: number): { x: number; y: number } {
  return { x: GUTTER_PX + (slot % GRID_COLUMNS) * g.cell, y: HEADER_PX + Math.floor(slot / GRID_COLUMNS) * g.cell };
}

/** The next zoom level in a direction (+1 in, -1 out), clamped to the steps. */
export function nextZoom(zoom: number, direction: 1 | -1): number {
  const i = ZOOM_LEVELS.findIndex((z) => z >= zoom - 1e-9);
  const at = i < 0 ? ZOOM_LEVELS.length - 1 : i;
  const next = Math.min(ZOOM_LEVELS.length - 1, Math.max(0, at + direction));
  return ZOOM_LEVELS[next] as number;
}

/**
 * The scroll position that keeps the same slot under the pointer when the cell size changes
 * (zooming about the pointer, as maps do). `pointer` is relative to the scrolled viewport.
 */
export function scrollForZoom(before: GridGeometry, after: GridGeometry, scroll: { left: number; top: number }, pointer: { x: number; y: number }): { left: number; top: number } {
  const gridX = (scroll.left + pointer.x - GUTTER_PX) / before.cell;
  const gridY = (scroll.top + pointer.y - HEADER_PX) / before.cell;
  return {
    left: Math.max(0, GUTTER_PX + gridX * after.cell - pointer.x),
    top: Math.max(0, HEADER_PX + gridY * after.cell - pointer.y),
  };
}

/** Keyboard movement of the focused slot: arrows by one slot or one row, Page keys by 16 rows. */
export function moveFocus(slot: number, key: string): number | undefined {
  const step: Record<string, number> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -GRID_COLUMNS,
    ArrowDown: GRID_COLUMNS,
    PageUp: -16 * GRID_COLUMNS,
    PageDown: 16 * GRID_COLUMNS,
  };
  if (key === 'Home') return 0;
  if (key === 'End') return SLOTS - 1;
  const d = step[key];
  if (d === undefined) return undefined;
  return Math.min(SLOTS - 1, Math.max(0, slot + d));
}

/** The selection after a keyboard move: Shift extends from the anchor, otherwise one slot. */
export function selectionAfterMove(anchor: number, focus: number, extend: boolean): { start: number; end: number } {
  return extend ? { start: Math.min(anchor, focus), end: Math.max(anchor, focus) } : { start: focus, end: focus };
}

/**
 * The heat map's scale: ticks for a legend bar from 0 to the largest count, at most `count`
 * round numbers (1, 2, 5 × 10^n steps).
 */
export function heatTicks(maxKeys: number, count = 5): number[] {
  if (maxKeys <= 0) return [0];
  const raw = maxKeys / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= maxKeys + 1e-9; v += step) ticks.push(Math.round(v));
  if (ticks[ticks.length - 1] !== maxKeys) ticks.push(maxKeys);
  return ticks;
}
