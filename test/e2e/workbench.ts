/**
 * Driving the VS Code workbench in a page: loading it, finding parts of it, forwarding its
 * console, and screenshots. Every wait has an explicit bound and a message saying what was
 * being waited for.
 */
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { type ConsoleMessage, type Page } from 'playwright-core';
import { type Browser, launchBrowser } from './browser';
import { type CodeServer, startCodeServer } from './codeServer';
import { OUTPUT_DIR } from './paths';

export const PAGE_LOAD_TIMEOUT_MS = 30_000;
/** The workbench renders about 8 s after the page loads on this machine; leave room. */
export const WORKBENCH_TIMEOUT_MS = 60_000;
export const ELEMENT_TIMEOUT_MS = 30_000;
const SIDEBAR_EXTRA_WIDTH_PX = 200;
const SETTLE_TIMEOUT_MS = 2_000;

export async function openWorkbench(page: Page, url: string): Promise<void> {
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: PAGE_LOAD_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`the workbench page ${url} did not load within ${PAGE_LOAD_TIMEOUT_MS} ms: ${message(err)}`);
  }
  await visible(page, '.monaco-workbench .part.activitybar', WORKBENCH_TIMEOUT_MS, 'the workbench (its activity bar)');
}

/** Waits for a selector to be visible, failing with what was expected in words. */
export async function visible(page: Page, selector: string, timeoutMs: number, what: string): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    throw new Error(`${what} did not appear within ${timeoutMs} ms (selector ${selector}): ${firstLine(err)}`);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, timeout: ELEMENT_TIMEOUT_MS });
  return file;
}

/** Runs `body`; on failure saves `<name>-failure.png` and says where in the error. */
export async function withFailureScreenshot<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  // A failure screenshot left by an earlier run would be mistaken for this run's.
  await rm(path.join(OUTPUT_DIR, `${name}-failure.png`), { force: true });
  try {
    return await body();
  } catch (err) {
    const file = await screenshot(page, `${name}-failure`).catch((e: unknown) => `(no screenshot: ${firstLine(e)})`);
    if (err instanceof Error) {
      err.message += `\nscreenshot: ${file}`;
      throw err;
    }
    throw new Error(`${String(err)}\nscreenshot: ${file}`);
  }
}

/**
 * Forwards the page's console to `sink`, one line of text per message, in order. VS Code
 * styles lines forwarded from the extension host with `%c` (`%c[Extension Host] %c<text>`,
 * 'color: blue', 'color: '): the styles are dropped, the text kept.
 */
export function forwardConsole(page: Page, sink: (line: string, type: string) => void): void {
  let chain = Promise.resolve();
  page.on('console', (msg) => {
    const text = consoleText(msg);
    chain = chain.then(async () => sink(await text, msg.type())).catch(() => undefined);
  });
}

async function consoleText(msg: ConsoleMessage): Promise<string> {
  const values = await Promise.all(msg.args().map((a) => a.jsonValue().catch((): unknown => undefined)));
  const [format, ...rest] = values;
  if (typeof format !== 'string') return msg.text();
  const text = format.replace(/%[cs]/g, (spec) => {
    const arg = rest.shift();
    return spec === '%s' ? String(arg) : '';
  });
  return [text, ...rest.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))].join(' ');
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function firstLine(err: unknown): string {
  return message(err).split('\n')[0] ?? '';
}

/** One code-server and one browser for a test body; both are stopped whatever happens. */
export async function withWorkbench(
  body: (server: CodeServer, page: Page, browser: Browser) => Promise<void>,
  extensions: readonly string[] = [],
  settings: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const server = await startCodeServer({ extensions, settings });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await body(server, page, browser);
  } catch (err) {
    // The server's side of the story: extension host errors show up there.
    if (err instanceof Error) err.message += `\n--- code-server output (last lines) ---\n${server.logTail()}`;
    throw err;
  } finally {
    await browser?.close();
    await server.stop();
  }
}

/**
 * Drags the sash at the sidebar's right edge so the whole "Docker engine · swarm active" line
 * shows in the screenshot (the default width cuts it to "swar..."), and moves the pointer off
 * the activity bar so its hover does not cover the view.
 */
export async function widenSidebar(page: Page): Promise<void> {
  const box = await page.locator('.part.sidebar').first().boundingBox({ timeout: ELEMENT_TIMEOUT_MS });
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width + SIDEBAR_EXTRA_WIDTH_PX, y, { steps: 5 });
  await page.mouse.up();
  await page.mouse.move(box.x + box.width + SIDEBAR_EXTRA_WIDTH_PX + 300, y);
  // Cosmetic: close the activity bar's hover and let the sash drop its highlight before the
  // screenshot; no failure if either lingers.
  await page.keyboard.press('Escape');
  for (const selector of ['.monaco-sash.hover, .monaco-sash.active', '.workbench-hover-container .workbench-hover']) {
    await page.locator(selector).first().waitFor({ state: 'hidden', timeout: SETTLE_TIMEOUT_MS }).catch(() => undefined);
  }
}

export function workbenchUrl(server: CodeServer, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ folder: server.workspace, ...extra });
  return `${server.origin}/?${query.toString()}`;
}
