/**
 * Where a slot is on the slot map page, in the page's own geometry: the page publishes its cell
 * size, gutter and header (CSS pixels) on <body>, and the canvas's border is measured, so a test
 * points at the middle of a slot's cell whatever the layout and zoom.
 */
import { type Frame } from 'playwright-core';

export async function slotCenter(frame: Frame, slot: number): Promise<{ x: number; y: number }> {
  const box = await frame.locator('#map').boundingBox();
  if (!box) throw new Error('the slot map canvas has no box');
  // A string, because this runs in the page and the tests compile without the DOM library.
  const g = (await frame.evaluate(`(() => {
    const d = document.body.dataset;
    const c = document.getElementById('map');
    return { cell: Number(d.cell), gutter: Number(d.gutter), header: Number(d.header), left: c.clientLeft, top: c.clientTop };
  })()`)) as { cell: number; gutter: number; header: number; left: number; top: number };
  return {
    x: box.x + g.left + g.gutter + ((slot % 128) + 0.5) * g.cell,
    y: box.y + g.top + g.header + (Math.floor(slot / 128) + 0.5) * g.cell,
  };
}
