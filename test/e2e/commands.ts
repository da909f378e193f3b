/**
 * Driving commands and webviews in the workbench: run a command from the palette, answer a
 * QuickPick, find the frame a webview's page runs in. Every wait is bounded and says what it
 * waited for.
 */
import { type Frame, type Page } from 'playwright-core';
import { ELEMENT_TIMEOUT_MS, message, visible } from './workbench';

const POLL_MS = 250;

/** How long one opening of the palette may take to list a command before it is reopened. */
const PALETTE_SAMPLE_MS = 5_000;
/** From the first F1 to the command's row, over every reopening. */
const PALETTE_TIMEOUT_MS = 60_000;
const PALETTE = '.quick-input-widget';
const PALETTE_INPUT = `${PALETTE} .quick-input-box input`;
/** Our commands' palette category, as package.json contributes it. */
const OUR_CATEGORY = 'Redis Swarm:';
/**
 * The extension's view container in the activity bar: proof that the workbench has processed
 * the extension's contributions (view containers and commands are registered in one pass).
 * The tab's own aria-label is empty in 1.99; its icon link carries the container title.
 */
export const OUR_ACTIVITY_ITEM = '.part.activitybar [role="tab"] a.action-label[aria-label="Redis Swarm"]';

/**
 * Opens the palette (F1), types the command's title, and runs the row that shows it.
 *
 * The palette samples the list of commands when it opens and typing never refreshes it
 * (issue 19: opened right after the workbench rendered, it offered only VS Code's own commands
 * for 30 s while our icon was already in the activity bar). So for our commands this first
 * waits until the workbench knows the extension's contributions, and a palette that still
 * lacks the row after a short look is closed and opened again, never waited on.
 */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  if (title.startsWith(OUR_CATEGORY)) await visible(page, OUR_ACTIVITY_ITEM, ELEMENT_TIMEOUT_MS, 'the Redis Swarm item in the activity bar (the extension\'s contributions)');
  const deadline = Date.now() + PALETTE_TIMEOUT_MS;
  const row = page.locator(`${PALETTE} .monaco-list-row`, { hasText: title }).first();
  for (let opened = 1; ; opened++) {
    await openPalette(page, `>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: Math.max(1, Math.min(PALETTE_SAMPLE_MS, deadline - Date.now())) });
      // Click the row itself: Enter would run whichever row the palette happens to focus.
      await row.click({ timeout: ELEMENT_TIMEOUT_MS });
      return;
    } catch (err) {
      const shown = (await page.locator(`${PALETTE} .monaco-list-row`).allInnerTexts().catch(() => [])).slice(0, 3).join(' | ');
      if (Date.now() >= deadline) {
        throw new Error(`the command palette shows no "${title}" after ${opened} opening(s) in ${PALETTE_TIMEOUT_MS} ms (is the command contributed?); it lists: ${shown || 'nothing'}: ${message(err).split('\n')[0]}`);
      }
      await closePalette(page);
    }
  }
}

/** F1, then `text` in the palette's input (F1 types ">" itself; `fill` replaces it). */
async function openPalette(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F1');
  await visible(page, PALETTE_INPUT, ELEMENT_TIMEOUT_MS, 'the command palette');
  await page.locator(PALETTE_INPUT).first().fill(text);
}

async function closePalette(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator(PALETTE_INPUT).first().waitFor({ state: 'hidden', timeout: ELEMENT_TIMEOUT_MS });
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

/** The active integrated terminal's rows (xterm's DOM renderer). */
export const TERMINAL_ROWS = '.terminal-wrapper.active .xterm-rows, .integrated-terminal .xterm-rows';

/** What the active terminal shows, non-breaking spaces as spaces; empty when none is open. */
export async function terminalScreen(page: Page): Promise<string> {
  const rows = page.locator(TERMINAL_ROWS).first();
  if ((await rows.count()) === 0) return '';
  return (await rows.innerText()).replace(/\u00a0/g, ' ');
}

/** Types a line into the focused terminal, as a person would, and sends it. */
export async function typeLine(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 15 });
  await page.keyboard.press('Enter');
}
