/**
 * The cluster terminal in a real VS Code (code-server) on a cluster with TLS and ACL users
 * (issue 14): deployed and formed with the CLI (`deploy --tls --user app:app:*:+@read,+@write`,
 * `create`), the terminal asks once which user to log in as; logged in as `app` (its password
 * read from the cluster's secret) it sets and gets a key through a redirect over TLS, and Redis
 * refuses it CLUSTER INFO and FLUSHALL with NOPERM. Closed and opened again it asks nothing (the
 * login is remembered in SecretStorage) and is still `app`.
 * Screenshots: test-output/e2e/secure-terminal-login.png, secure-terminal.png, secure-terminal-reopened.png.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type Page } from 'playwright-core';
import { runPrefix, sweep, TEST_IMAGE } from '../support/swarm';
import { runFromPalette, TERMINAL_ROWS as ROWS, terminalScreen as screenText, typeLine, waitUntil } from './commands';
import { LIVE_CLUSTER_SETUP_TIMEOUT_MS } from './liveCluster';
import { REPO_ROOT } from './paths';
import { packageExtension } from './vsix';
import { ELEMENT_TIMEOUT_MS, openWorkbench, screenshot, withFailureScreenshot, withWorkbench } from './workbench';

const execFileAsync = promisify(execFile);

const TEST_TIMEOUT_MS = 300_000;
/** One CLI verb (deploy with certificates and secrets, or forming over TLS) on a loaded machine. */
const CLI_TIMEOUT_MS = 180_000;
/** From the command to a prompt or the login question: activation, the first model read, the first TLS connection. */
const PROMPT_TIMEOUT_MS = 90_000;
/** One command's reply through the tunnels (a redirect opens a second one). */
const REPLY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

const cluster = runPrefix('vtl');
/** `app:x` hashes to slot 15409: on 3 masters, the last one's, so from the first master `set` is redirected. */
const KEY = 'app:x';
const KEY_SLOT = 15409;

const XTERM = '.terminal-wrapper.active .xterm, .integrated-terminal .xterm';
const QUICK_INPUT = '.quick-input-widget:visible';
const PROMPT = /\S+:\d+> *$/m;

async function cli(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], {
      cwd: REPO_ROOT,
      timeout: CLI_TIMEOUT_MS,
      env: { ...process.env, DOCKER_HOST: '' },
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`redis-swarm ${args.join(' ')} failed: ${e.message ?? ''}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

let vsix = '';
before(async () => {
  await cli(['deploy', '--name', cluster, '--network', `${cluster}-net`, '--nodes', '3', '--replicas', '0', '--image', TEST_IMAGE, '--node-timeout', '2000', '--tls', '--user', 'app:app:*:+@read,+@write']);
  await cli(['create', '--cluster', cluster, '--yes']);
  vsix = await packageExtension();
}, { timeout: LIVE_CLUSTER_SETUP_TIMEOUT_MS * 2 });

after(async () => {
  await cli(['destroy', '--cluster', cluster, '--volumes']).catch(() => undefined);
  await sweep(cluster);
}, { timeout: LIVE_CLUSTER_SETUP_TIMEOUT_MS });


/** Types `command` and waits until the screen shows `reply` (a line of its own). */
async function expectReply(page: Page, command: string, reply: RegExp): Promise<string> {
  await typeLine(page, command);
  return waitUntil(
    async () => {
      const s = await screenText(page);
      return reply.test(s) ? s : undefined;
    },
    REPLY_TIMEOUT_MS,
    `${String(reply)} after ${command}`,
    () => screenText(page),
  );
}

/**
 * Runs Open Cluster Terminal and answers what it asks until the prompt shows: the cluster (when
 * other clusters are on the swarm) and, when `user` is given, the login question, answered with
 * that user. Returns how many login questions were shown; with `user` undefined a login question
 * fails at once (the terminal should have remembered).
 */
async function openTerminal(page: Page, user: string | undefined, shot: string): Promise<number> {
  await runFromPalette(page, 'Redis Swarm: Open Cluster Terminal');
  const widget = page.locator(QUICK_INPUT);
  const deadline = Date.now() + PROMPT_TIMEOUT_MS;
  let asked = 0;
  while (Date.now() < deadline) {
    if (PROMPT.test(await screenText(page))) return asked;
    const title = ((await widget.locator('.quick-input-title').first().innerText().catch(() => '')) || '').trim();
    if (/^Log in to /.test(title)) {
      if (user === undefined) {
        await screenshot(page, shot);
        throw new Error(`the terminal asked again who to log in as ("${title}"), though the login was remembered`);
      }
      asked++;
      const rows = (await widget.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      assert.ok(rows.some((r) => r.startsWith('app')), `the login question offers the application user app (rows: ${rows.join(' | ')})`);
      assert.ok(rows.some((r) => r.startsWith('redis-swarm')), `the login question offers the operator user (rows: ${rows.join(' | ')})`);
      await screenshot(page, shot);
      await widget.locator('.quick-input-box input').first().fill(user);
      await widget.locator('.monaco-list-row', { hasText: user }).first().waitFor({ state: 'visible', timeout: ELEMENT_TIMEOUT_MS });
      await page.keyboard.press('Enter');
    } else if (await widget.locator('.monaco-list-row', { hasText: cluster }).first().isVisible().catch(() => false)) {
      await widget.locator('.quick-input-box input').first().fill(cluster);
      await page.keyboard.press('Enter');
    }
    await page.waitForTimeout(POLL_MS);
  }
  throw new Error(`the terminal prompt did not show within ${PROMPT_TIMEOUT_MS} ms (screen: ${await screenText(page)})`);
}

async function focusTerminal(page: Page): Promise<void> {
  // xterm's widget layer sits over the rows, so the click is forced.
  await page.locator(XTERM).first().click({ timeout: ELEMENT_TIMEOUT_MS, force: true });
}

/** As `app`: refused the cluster's admin commands with Redis's own NOPERM words. */
async function expectRefusedAdmin(page: Page): Promise<string> {
  // redis-cli prints CLUSTER INFO's reply raw, an error too: no "(error)" before it.
  await expectReply(page, 'cluster info', /^NOPERM .*'cluster\|info'/m);
  return expectReply(page, 'flushall', /^\(error\) NOPERM .*'flushall'/m);
}

test('secure cluster terminal: TLS and ACL users, asks once who to log in as, app is refused CLUSTER INFO and FLUSHALL, remembered after reopening', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'secure-terminal', async () => {
      await openWorkbench(page, `${server.origin}/?${new URLSearchParams({ folder: server.workspace }).toString()}`);

      assert.equal(await openTerminal(page, 'app', 'secure-terminal-login'), 1, 'the first terminal asks once who to log in as');
      const first = await screenText(page);
      t.diagnostic(`terminal opened: ${first.trim().split('\n').join(' | ')}`);
      assert.match(first, new RegExp(`cluster ${cluster}`), 'the banner names the cluster');

      await focusTerminal(page);
      const afterSet = await expectReply(page, `set ${KEY} v`, /^OK\s*$/m);
      assert.match(afterSet, new RegExp(`-> Redirected to slot \\[${KEY_SLOT}\\] located at `), `set ${KEY} was redirected over TLS to the owner of slot ${KEY_SLOT}`);
      await expectReply(page, `get ${KEY}`, /^"v"\s*$/m);
      // A key outside app's pattern app:* is refused too.
      await expectReply(page, 'get other:k', /^\(error\) NOPERM .*keys/m);
      const text = await expectRefusedAdmin(page);
      t.diagnostic(`screen:\n${text.trimEnd()}`);
      t.diagnostic(`screenshot: ${await screenshot(page, 'secure-terminal')}`);

      // Ctrl+D on the empty line closes the terminal; the next one must not ask again.
      await page.keyboard.press('Control+D');
      await waitUntil(async () => ((await page.locator(ROWS).count()) === 0 ? true : undefined), ELEMENT_TIMEOUT_MS, 'the terminal to close on Ctrl+D');

      assert.equal(await openTerminal(page, undefined, 'secure-terminal-asked-again'), 0, 'the second terminal asks nothing');
      await focusTerminal(page);
      await expectReply(page, `get ${KEY}`, /^"v"\s*$/m);
      // Still app, not the operator: the remembered login is the one picked.
      const again = await expectRefusedAdmin(page);
      t.diagnostic(`reopened:\n${again.trimEnd()}`);
      t.diagnostic(`screenshot: ${await screenshot(page, 'secure-terminal-reopened')}`);
    });
  }, [vsix], { 'terminal.integrated.gpuAcceleration': 'off' });
});
