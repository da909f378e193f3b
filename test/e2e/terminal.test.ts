/**
 * The cluster terminal in a real VS Code (code-server) in Chromium, on a live cluster on the
 * local swarm: run "Redis Swarm: Open Cluster Terminal" from the palette, type `set foo bar`
 * and `get foo` (foo hashes to slot 12182, so the first command is redirected from the first
 * master), and read `"bar"` on the screen; an unknown command shows its `(error)` line.
 * Screenshot: test-output/e2e/terminal.png.
 *
 * The terminal's text is read from xterm's DOM renderer (`terminal.integrated.gpuAcceleration`
 * off), which keeps every visible row as text in `.xterm-rows`.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickClusterIfAsked, runFromPalette, TERMINAL_ROWS as ROWS, terminalScreen as screenText, typeLine, waitUntil } from './commands';
import { useLiveCluster } from './liveCluster';
import { ELEMENT_TIMEOUT_MS, openWorkbench, withWorkbench, screenshot, withFailureScreenshot } from './workbench';

const TEST_TIMEOUT_MS = 240_000;
/** From the command to a prompt: activation, the first model read, the first connection through a tunnel. */
const PROMPT_TIMEOUT_MS = 60_000;
/** One command's reply through the tunnels (a redirect opens a second one). */
const REPLY_TIMEOUT_MS = 20_000;

const live = useLiveCluster('v');
const cluster = live.name;



test('cluster terminal: set foo bar, get foo reads "bar" through the cluster redirects', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'terminal', async () => {
      await openWorkbench(page, `${server.origin}/?${new URLSearchParams({ folder: server.workspace }).toString()}`);
      await runFromPalette(page, 'Redis Swarm: Open Cluster Terminal');
      const prompt = /\S+:\d+> *$/m;
      await pickClusterIfAsked(page, cluster, async () => prompt.test(await screenText(page)), PROMPT_TIMEOUT_MS, 'the cluster terminal prompt');
      const first = await screenText(page);
      t.diagnostic(`terminal opened: ${first.trim().split('\n').join(' | ')}`);
      assert.match(first, new RegExp(`cluster ${cluster}`), 'the banner names the cluster');

      // Focus the terminal; xterm's widget layer sits over the rows, so the click is forced.
      await page.locator('.terminal-wrapper.active .xterm, .integrated-terminal .xterm').first().click({ timeout: ELEMENT_TIMEOUT_MS, force: true });
      await typeLine(page, 'set foo bar');
      await waitUntil(async () => (/^OK\s*$/m.test(await screenText(page)) ? true : undefined), REPLY_TIMEOUT_MS, 'OK after set foo bar', () => screenText(page));
      await typeLine(page, 'get foo');
      const text = await waitUntil(
        async () => {
          const s = await screenText(page);
          return /^"bar"\s*$/m.test(s) ? s : undefined;
        },
        REPLY_TIMEOUT_MS,
        '"bar" after get foo',
        () => screenText(page),
      );
      assert.match(text, /-> Redirected to slot \[12182\] located at /, 'set foo was redirected to the owner of slot 12182, as redis-cli -c shows it');
      await typeLine(page, 'nosuchcommand');
      const withError = await waitUntil(
        async () => {
          const s = await screenText(page);
          return /\(error\) ERR unknown command/.test(s) ? s : undefined;
        },
        REPLY_TIMEOUT_MS,
        'the (error) line of an unknown command',
        () => screenText(page),
      );
      // Up arrow brings the last line back from history.
      await page.keyboard.press('ArrowUp');
      await waitUntil(async () => (/> nosuchcommand\s*$/.test((await screenText(page)).trimEnd()) ? true : undefined), ELEMENT_TIMEOUT_MS, 'the last line back after Up', () => screenText(page));
      await page.keyboard.press('Control+U');
      t.diagnostic(`screen:\n${withError.trimEnd()}`);
      t.diagnostic(`screenshot: ${await screenshot(page, 'terminal')}`);

      // Ctrl+D on the empty line closes the terminal; a new one has the cluster's history.
      await page.keyboard.press('Control+D');
      await waitUntil(async () => ((await page.locator(ROWS).count()) === 0 ? true : undefined), ELEMENT_TIMEOUT_MS, 'the terminal to close on Ctrl+D');
      await runFromPalette(page, 'Redis Swarm: Open Cluster Terminal');
      await pickClusterIfAsked(page, cluster, async () => prompt.test(await screenText(page)), PROMPT_TIMEOUT_MS, 'the second terminal prompt');
      await page.locator('.terminal-wrapper.active .xterm, .integrated-terminal .xterm').first().click({ timeout: ELEMENT_TIMEOUT_MS, force: true });
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      await waitUntil(async () => (/> get foo\s*$/.test((await screenText(page)).trimEnd()) ? true : undefined), ELEMENT_TIMEOUT_MS, 'get foo from the history of the closed terminal', () => screenText(page));
      t.diagnostic('history: a new terminal recalls "get foo" with Up Up');
    });
  }, [live.vsix()], { 'terminal.integrated.gpuAcceleration': 'off' });
});
