import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellOrigin, GUTTER_PX, gridGeometry, HEADER_PX, heatTicks, moveFocus, nextZoom, scrollForZoom, selectionAfterMove, slotAtPoint } from '../../src/core/model/slotMapGeometry';

test('hit-testing: the point inside slot 100 is slot 100, at every zoom; labels and the outside are no slot', () => {
  for (const zoom of [1, 1.5, 3, 8]) {
    const g = gridGeometry(900, zoom);
    const o = cellOrigin(g, 100);
    assert.equal(slotAtPoint(g, o.x, o.y), 100, `the top-left pixel of slot 100 at zoom ${zoom}`);
    assert.equal(slotAtPoint(g, o.x + g.cell - 0.01, o.y + g.cell - 0.01), 100, 'its last pixel');
    assert.equal(slotAtPoint(g, o.x + g.cell, o.y), 101, 'one cell right');
    assert.equal(slotAtPoint(g, o.x - 0.01, o.y), 99);
  }
  const g = gridGeometry(900, 1);
  assert.equal(slotAtPoint(g, GUTTER_PX - 1, HEADER_PX + 1), undefined, 'the row-label gutter');
  assert.equal(slotAtPoint(g, GUTTER_PX + 1, HEADER_PX - 1), undefined, 'the column-label band');
  assert.equal(slotAtPoint(g, g.width, g.height - 1), undefined);
  assert.equal(slotAtPoint(g, g.width - 1, g.height - 1), 16383);
});

test('layout: the grid fills the panel width (bounded), labels never crowd', () => {
  const wide = gridGeometry(1200, 1);
  assert.equal(wide.cell, 9, '(1200 - 44) / 128 = 9 px cells, not the old 3 px');
  assert.ok(wide.width <= 1200);
  assert.equal(gridGeometry(300, 1).cell, 3, 'a narrow panel keeps readable 3 px cells (and scrolls)');
  assert.equal(gridGeometry(4000, 1).cell, 12, 'capped on a huge panel');
  const g = gridGeometry(900, 1);
  assert.ok(g.rowLabelEvery * g.cell >= 14 && g.columnLabelEvery * g.cell >= 36);
  assert.equal(gridGeometry(900, 8).rowLabelEvery, 1, 'zoomed in: every row labelled');
});

test('zoom: steps in and out, clamped; the slot under the pointer stays under it', () => {
  assert.equal(nextZoom(1, 1), 1.5);
  assert.equal(nextZoom(1, -1), 1);
  assert.equal(nextZoom(8, 1), 8);
  assert.equal(nextZoom(2.5, -1), 2);
  const before = gridGeometry(900, 1);
  const after = gridGeometry(900, 3);
  const pointer = { x: 300, y: 200 };
  const scroll = { left: 0, top: 0 };
  const slot = slotAtPoint(before, scroll.left + pointer.x, scroll.top + pointer.y);
  const s2 = scrollForZoom(before, after, scroll, pointer);
  assert.equal(slotAtPoint(after, s2.left + pointer.x, s2.top + pointer.y), slot);
});

test('keyboard: arrows move by a slot or a row, Page keys by 16 rows, clamped; Shift extends the selection', () => {
  assert.equal(moveFocus(100, 'ArrowRight'), 101);
  assert.equal(moveFocus(100, 'ArrowDown'), 228);
  assert.equal(moveFocus(5, 'ArrowUp'), 0);
  assert.equal(moveFocus(16380, 'PageDown'), 16383);
  assert.equal(moveFocus(7, 'Home'), 0);
  assert.equal(moveFocus(7, 'x'), undefined);
  assert.deepEqual(selectionAfterMove(100, 90, true), { start: 90, end: 100 });
  assert.deepEqual(selectionAfterMove(100, 90, false), { start: 90, end: 90 });
});

test('heat map scale: round ticks from 0 to the largest count', () => {
  assert.deepEqual(heatTicks(0), [0]);
  assert.deepEqual(heatTicks(18), [0, 5, 10, 15, 18]);
  assert.deepEqual(heatTicks(100), [0, 50, 100]);
  assert.deepEqual(heatTicks(3), [0, 1, 2, 3]);
});

test('slot map key counts are stale when the masters report another total (keys deleted since)', async () => {
  const { keyCountsStale } = await import('../../src/core/model/slotKeyCounts');
  const counts = new Array<number>(16384).fill(0);
  counts[5] = 18;
  const cluster = (keys: (number | undefined)[]) => ({ shards: keys.map((k) => ({ master: k === undefined ? {} : { report: { keys: k } } })) });
  assert.equal(keyCountsStale(counts, cluster([0, 0, 0])), true, 'the tree says 0, the map 18');
  assert.equal(keyCountsStale(counts, cluster([18, 0, 0])), false);
  assert.equal(keyCountsStale(counts, cluster([0, undefined, 0])), false, 'a master not answering is no evidence');
});
