/**
 * Driving commands and webviews in the workbench: run a command from the palette, answer a
 * QuickPick, find the frame a webview's page runs in. Every wait is bounded and says what it
 * waited for.
 */
import { Frame, Page } from 'playwright-core';
import { ELEMENT_TIMEOUT_MS, message, visible } from './workbench';

const POLL_MS = 250;

/** Opens the palette (F1), types the command's title and runs it. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await visible(page, '.quick-input-widget .quick-input-box input', ELEMENT_TIMEOUT_MS, 'the command palette');
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  // F1 opens the palette with ">" typed; keep it and add the title.
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: ELEMENT_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`the command palette shows no "${title}" within ${ELEMENT_TIMEOUT_MS} ms (is the command contributed?): ${message(err).split('\n')[0]}`);
  }
  await page.keyboard.press('Enter');
}

/**
 * After a command that asks for a cluster only when there is more than one: picks `cluster`
 * in the QuickPick if it shows before `done()` is true.
 */
export async function pickClusterIfAsked(page: Page, cluster: string, done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const widget = page.locator('.quick-input-widget:visible');
  while (Date.now() < deadline) {
    if (await done()) return;
    const row = widget.locator('.monaco-list-row', { hasText: cluster }).first();
    if (await row.isVisible().catch(() => false)) {
      await widget.locator('.quick-input-box input').first().fill(cluster);
      await page.keyboard.press('Enter');
    }
    await page.waitForTimeout(POLL_MS);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

/** The frame (a webview's page, nested in the workbench's iframes) holding `selector`. */
export async function frameWith(page: Page, selector: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const found = await frame.locator(selector).count().catch(() => 0);
    if (found > 0) return frame;
  }
  return undefined;
}

export async function waitForFrame(page: Page, selector: string, timeoutMs: number, what: string): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const frame = await frameWith(page, selector);
    if (frame) return frame;
    await page.waitForTimeout(POLL_MS);
  }
  throw new Error(`${what} did not appear within ${timeoutMs} ms (no frame holds ${selector})`);
}

/** Polls `probe` until it returns a value, or fails saying what was awaited. */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, last?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const seen = last ? ` (last seen: ${await last().catch((e: unknown) => message(e))})` : '';
  throw new Error(`${what} did not happen within ${timeoutMs} ms${seen}`);
}
