/**
 * Issue 15 in a real VS Code (code-server) in Chromium, on a live 6-node cluster (3 masters,
 * 3 replicas, no published port) on the local swarm. Section 3 (trust and noise):
 * - "Pin Cluster to Status Bar" from the palette: the status bar names our cluster, pinned,
 *   whatever other clusters the swarm holds (screenshot test-output/e2e/trust-status-bar.png);
 * - "Filter Clusters…": the tree lists only our cluster and says how many it hides;
 * - "Failover (Promote a Replica)" from the palette asks for the replica with its role, asks
 *   once (a modal naming both services) and says once what happened, in service names: no
 *   "Failover in Redis cluster" warning, no address (screenshot trust-failover.png);
 * - "Copy Endpoint" from a master's context menu offers a port forward that works from here
 *   (127.0.0.1) next to the announced name, and confirms the copy (trust-copy-endpoint.png).
 * Section 1 (the slot map): a layout that fills the panel, exact hit-testing, zoom by key and
 * Ctrl+wheel, selection by keyboard with what a screen reader hears, a heat map with a scale,
 * and a move that shows its plan and asks (screenshots slot-map-ux.png, slot-map-plan.png).
 * Section 2 (live load): the cluster dashboard shows the ops/s of a bounded writer (through a
 * Docker API tunnel) on its chart and per node (screenshot dashboard.png).
 * Section 4 (the terminal): redis-cli's dim hints as you type, Tab completion of command
 * names, and a terminal named after its node (screenshot terminal-hints.png).
 * Every swarm object is named with a per-run prefix (tag "ux") and swept in `after`, pass or fail.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Page } from 'playwright-core';
import { frameWith, OUR_ACTIVITY_ITEM, pickClusterIfAsked, runFromPalette, waitForFrame, waitUntil } from './commands';
import { slotCenter } from './slotMapPage';
import calculateSlot from 'cluster-key-slot';
import { openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { readTopology } from '../../src/core/cluster/readTopology';
import { useLiveCluster } from './liveCluster';
import { ELEMENT_TIMEOUT_MS, openWorkbench, screenshot, visible, widenSidebar, withFailureScreenshot, withWorkbench, workbenchUrl } from './workbench';

const TEST_TIMEOUT_MS = 300_000;
/** From opening the view to a converged cluster in it (replica links wait for the first sync). */
const TREE_TIMEOUT_MS = 90_000;
/** From "Failover" to its one message: the role swap and the notifier's next reads. */
const FAILOVER_TIMEOUT_MS = 60_000;
/** How long after the failover's message a second toast about it is looked for. */
const QUIET_WATCH_MS = 12_000;
/** Between a context menu opening and the click on one of its items. */
const MENU_SETTLE_MS = 800;

/** From the command to the terminal's prompt: activation, the first model read through tunnels. */
const PROMPT_TIMEOUT_MS = 60_000;
/** One command's reply through the tunnels (a redirect opens a second one). */
const REPLY_TIMEOUT_MS = 20_000;
const TERMINAL_ROWS = '.terminal-wrapper.active .xterm-rows, .integrated-terminal .xterm-rows';

const fixture = useLiveCluster('ux');
const live = fixture.name;

const ROWS = '.part.sidebar .monaco-list-row';
const TOASTS = '.notifications-toasts .notification-toast';
const QUICK = '.quick-input-widget:visible';

async function toastTexts(page: Page): Promise<string[]> {
  return (await page.locator(TOASTS).allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
}

async function statusText(page: Page): Promise<string> {
  const items = await page.locator('.part.statusbar .statusbar-item').allInnerTexts();
  return items.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => t.includes(live)) ?? `(no status bar item names ${live}; items: ${items.join(' | ')})`;
}

/** Picks the row of the visible QuickPick whose text contains `text` (typing it first narrows the list). */
async function pickRow(page: Page, text: string, what: string): Promise<void> {
  await visible(page, `${QUICK} .monaco-list-row`, ELEMENT_TIMEOUT_MS, what);
  await page.locator(`${QUICK} .quick-input-box input`).first().fill(text);
  const row = page.locator(`${QUICK} .monaco-list-row`, { hasText: text }).first();
  await row.click({ timeout: ELEMENT_TIMEOUT_MS });
}

test('trust and noise: pinned status bar, tree filter, palette failover with one confirmation and one message, Copy Endpoint that works from here', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'trust-noise', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await page.locator(OUR_ACTIVITY_ITEM).first().click({ timeout: ELEMENT_TIMEOUT_MS });
      await visible(page, `${ROWS}:has-text("${live}")`, TREE_TIMEOUT_MS, `the cluster ${live} in the tree`);
      await waitUntil(
        async () => {
          const row = (await page.locator(ROWS, { hasText: live }).first().innerText()).replace(/\s+/g, ' ');
          return /ok · 6 nodes/.test(row) ? row : undefined;
        },
        TREE_TIMEOUT_MS,
        `${live} shown ok`,
      );

      // Pin: the status bar follows our cluster, whatever else the shared swarm holds.
      await runFromPalette(page, 'Redis Swarm: Pin Cluster to Status Bar');
      await pickRow(page, live, 'the pin QuickPick');
      const pinned = await waitUntil(async () => {
        const s = await statusText(page);
        return s.startsWith(`${live}: ok`) || s.includes(` ${live}: ok`) ? s : undefined;
      }, ELEMENT_TIMEOUT_MS, `the status bar naming ${live}: ok`, () => statusText(page));
      t.diagnostic(`status bar: ${pinned}`);
      // Alone on the swarm, the cluster was shown before the pin too: the pin icon says it is pinned.
      await waitUntil(
        async () => ((await page.locator('.part.statusbar .statusbar-item', { hasText: live }).first().locator('.codicon-pinned').count()) === 1 ? true : undefined),
        ELEMENT_TIMEOUT_MS,
        'the pin icon on the status bar item',
      );

      // Filter: only our cluster, and the view says what it hides.
      await runFromPalette(page, 'Redis Swarm: Filter Clusters…');
      await visible(page, `${QUICK} .quick-input-box input`, ELEMENT_TIMEOUT_MS, 'the filter input');
      await page.locator(`${QUICK} .quick-input-box input`).first().fill(live);
      await page.keyboard.press('Enter');
      const message = await waitUntil(async () => {
        const text = await page.locator('.part.sidebar .message').first().innerText().catch(() => '');
        return text.includes(`Clusters matching "${live}"`) ? text.replace(/\s+/g, ' ') : undefined;
      }, ELEMENT_TIMEOUT_MS, 'the filter message in the view');
      t.diagnostic(`filter: ${message}`);
      assert.match(message, /: 1 of \d+/);
      const clusterRowsNow = async (): Promise<string[]> =>
        (await page.locator(`${ROWS}[aria-level="1"]`).allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').trim()).filter((x) => !x.startsWith('Docker engine'));
      // The message changes at once; the rows follow with the view's next render.
      await waitUntil(async () => {
        const rows = await clusterRowsNow();
        return rows.length === 1 && rows[0]?.startsWith(live) ? true : undefined;
      }, ELEMENT_TIMEOUT_MS, `the filtered tree listing only ${live}`, async () => (await clusterRowsNow()).join(' | '));
      await widenSidebar(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'trust-status-bar')}`);

      // Failover from the palette: which replica (with its role), one modal, one message.
      await runFromPalette(page, 'Redis Swarm: Failover (Promote a Replica)');
      // With other clusters on the swarm a cluster picker comes first (its title asks "in which cluster?").
      await waitUntil(async () => {
        const title = await page.locator(`${QUICK} .quick-input-title`).first().innerText().catch(() => '');
        if (title.includes(`promote which replica? (${live})`)) return true;
        if (title.includes('in which cluster?')) await pickRow(page, live, 'the cluster picker');
        return undefined;
      }, ELEMENT_TIMEOUT_MS, 'the replica QuickPick');
      const replicaRows = (await page.locator(`${QUICK} .monaco-list-row`).allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
      t.diagnostic(`replica picker: ${replicaRows.join(' | ')}`);
      assert.ok(replicaRows.length === 3 && replicaRows.every((r) => /replica of /.test(r)), 'the picker lists the 3 replicas, each with its master');
      const replica = new RegExp(`^(${live}-\\d+)`).exec(replicaRows[0] ?? '')?.[1] ?? '';
      await page.locator(`${QUICK} .monaco-list-row`).first().click();
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ state: 'visible', timeout: ELEMENT_TIMEOUT_MS });
      const question = (await dialog.innerText()).replace(/\s+/g, ' ');
      t.diagnostic(`confirmation: ${question}`);
      assert.match(question, new RegExp(`make ${replica} the master of slots`), 'the confirmation names the replica by its service');
      const before = await toastTexts(page);
      await dialog.locator('.monaco-button', { hasText: 'Failover' }).first().click();
      const result = await waitUntil(async () => (await toastTexts(page)).find((x) => x.includes(`${replica} is now the master of slots`)), FAILOVER_TIMEOUT_MS, 'the failover result message', async () => (await toastTexts(page)).join(' | '));
      t.diagnostic(`result: ${result}`);
      assert.ok(!/\d+\.\d+\.\d+\.\d+/.test(result), `the result names services, not addresses: ${result}`);
      // Before anything presses Escape: the screenshot shows the one message.
      t.diagnostic(`screenshot: ${await screenshot(page, 'trust-failover')}`);
      // The notifier's next reads see the swap: they must not raise a second message about it.
      const deadline = Date.now() + QUIET_WATCH_MS;
      while (Date.now() < deadline) {
        // Other tests' clusters on the shared swarm may fail over meanwhile: only ours counts.
        const extra = (await toastTexts(page)).filter((x) => !before.includes(x) && x !== result && /failover|Failover/.test(x) && x.includes(live));
        assert.deepEqual(extra, [], 'one message for one failover');
        await page.waitForTimeout(500);
      }

      // Copy Endpoint from a master's context menu: the address that works from here.
      for (const toast of await page.locator(`${TOASTS} .codicon-notifications-clear, ${TOASTS} .codicon-close`).all()) await toast.click().catch(() => undefined);
      const master = page.locator(ROWS, { hasText: `${live}-` }).filter({ hasText: 'slots' }).first();
      await master.waitFor({ state: 'visible', timeout: TREE_TIMEOUT_MS });
      const masterName = new RegExp(`^(${live}-\\d+)`).exec((await master.innerText()).trim())?.[1] ?? '';
      // A click the menu did not take is tried again, a bounded number of times.
      for (let attempt = 1; ; attempt++) {
        await master.click({ button: 'right' });
        const item = page.locator('.context-view .action-label', { hasText: 'Copy Endpoint' }).first();
        await item.waitFor({ state: 'visible', timeout: ELEMENT_TIMEOUT_MS });
        // VS Code's menu ignores a click that comes right after it opened (the release of the
        // right button that opened it must not pick an item): give it a moment, as a hand does.
        await page.waitForTimeout(MENU_SETTLE_MS);
        await item.click({ timeout: ELEMENT_TIMEOUT_MS });
        const shown = await page.locator(`${QUICK} .monaco-list-row`).first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
        if (shown) break;
        assert.ok(attempt < 4, 'Copy Endpoint from the context menu showed no address choices in 4 tries');
        t.diagnostic(`context menu click ${attempt} lost; again`);
        await page.keyboard.press('Escape');
      }
      const choices = (await page.locator(`${QUICK} .monaco-list-row`).allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
      t.diagnostic(`Copy Endpoint of ${masterName}: ${choices.join(' | ')}`);
      assert.match(choices[0] ?? '', /^127\.0\.0\.1:\d+ .*port forward/, 'first: a forwarded port on 127.0.0.1');
      assert.ok(choices.some((c) => /only inside the cluster's network/.test(c)), 'the announced name says where it resolves');
      await page.locator(`${QUICK} .monaco-list-row`).first().click();
      const copied = await waitUntil(async () => (await toastTexts(page)).find((x) => /^Copied 127\.0\.0\.1:\d+/.test(x)), ELEMENT_TIMEOUT_MS, 'the copy confirmation', async () => (await toastTexts(page)).join(' | '));
      t.diagnostic(`confirmation: ${copied}`);
      t.diagnostic(`screenshot: ${await screenshot(page, 'trust-copy-endpoint')}`);
    });
  }, [fixture.vsix()]);
});

async function screenText(page: Page): Promise<string> {
  const rows = page.locator(TERMINAL_ROWS).first();
  if ((await rows.count()) === 0) return '';
  return (await rows.innerText()).replace(/\u00a0/g, ' ');
}

/** The terminal's last non-empty row. */
async function lastRow(page: Page): Promise<string> {
  const lines = (await screenText(page)).split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

test('terminal: dim argument hints as you type, Tab completes command names, named after its node', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'terminal-hints', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await runFromPalette(page, 'Redis Swarm: Open Cluster Terminal');
      const prompt = /\S+:\d+> *$/m;
      await pickClusterIfAsked(page, live, async () => prompt.test(await screenText(page)), PROMPT_TIMEOUT_MS, 'the cluster terminal prompt');
      const panelText = async (): Promise<string> => (await page.locator('.part.panel').first().innerText()).replace(/\s+/g, ' ');
      const named = await waitUntil(async () => new RegExp(`${live}-\\d+:6379 · ${live}`).exec(await panelText())?.[0], ELEMENT_TIMEOUT_MS, 'the terminal named after its node', () => panelText());
      t.diagnostic(`terminal name: ${named}`);
      await page.locator('.terminal-wrapper.active .xterm, .integrated-terminal .xterm').first().click({ timeout: ELEMENT_TIMEOUT_MS, force: true });

      await page.keyboard.type('hset ', { delay: 30 });
      const hinted = await waitUntil(async () => {
        const row = await lastRow(page);
        return /> hset key field value \[field value \.\.\.\]$/.test(row) ? row : undefined;
      }, ELEMENT_TIMEOUT_MS, 'the hint after "hset "', () => lastRow(page));
      t.diagnostic(`hint: ${hinted}`);
      // The hint is drawn in redis-cli's color 90 (bright black): xterm's DOM renderer gives it class xterm-fg-8.
      const dim = await page.locator(`${TERMINAL_ROWS} span.xterm-fg-8`, { hasText: 'key field value' }).count();
      assert.ok(dim > 0, 'the hint is drawn dim (color 90), not as typed text');
      await page.keyboard.type('k f', { delay: 30 });
      await waitUntil(async () => (/> hset k f value \[field value \.\.\.\]$/.test(await lastRow(page)) ? true : undefined), ELEMENT_TIMEOUT_MS, 'the hint shrinking as arguments are typed', () => lastRow(page));
      t.diagnostic(`screenshot: ${await screenshot(page, 'terminal-hints')}`);

      await page.keyboard.press('Control+U');
      await page.keyboard.type('hse', { delay: 30 });
      await page.keyboard.press('Tab');
      await waitUntil(async () => (/> HSET key field value \[field value \.\.\.\]$/.test(await lastRow(page)) ? true : undefined), ELEMENT_TIMEOUT_MS, 'Tab completing "hse" to HSET', () => lastRow(page));
      await page.keyboard.press('Tab');
      await waitUntil(async () => (/> HSETNX key field value$/.test(await lastRow(page)) ? true : undefined), ELEMENT_TIMEOUT_MS, 'a second Tab offering HSETNX', () => lastRow(page));
      await page.keyboard.type(' k f v', { delay: 30 });
      await page.keyboard.press('Enter');
      await waitUntil(async () => (/\(integer\) [01]/.test(await screenText(page)) ? true : undefined), REPLY_TIMEOUT_MS, 'HSETNX k f v answered', () => screenText(page));
      t.diagnostic(`screen: ${(await screenText(page)).trimEnd().split('\n').join(' | ')}`);
      // A redirect moved the terminal to another node: its name follows.
      const target = /-> Redirected to slot \[\d+\] located at (\S+)/.exec(await screenText(page))?.[1];
      if (target) {
        await waitUntil(async () => ((await panelText()).includes(`${target} · ${live}`) ? true : undefined), ELEMENT_TIMEOUT_MS, `the terminal renamed to ${target}`, () => panelText());
        t.diagnostic(`terminal renamed: ${target} · ${live}`);
      }
      await page.keyboard.type('del k', { delay: 15 });
      await page.keyboard.press('Enter');
      await waitUntil(async () => (/> del k\n(?:-> Redirected[^\n]*\n)?\(integer\) 1/.test(await screenText(page)) ? true : undefined), REPLY_TIMEOUT_MS, 'del k', () => screenText(page));
    });
  }, [fixture.vsix()], { 'terminal.integrated.gpuAcceleration': 'off' });
});

const SLOT_MAP_TIMEOUT_MS = 60_000;

test('slot map: fills the panel, exact hit-testing, zoom, keyboard selection, heat scale, a move that shows its plan', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'slot-map-ux', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await runFromPalette(page, 'Redis Swarm: Open Slot Map');
      await pickClusterIfAsked(page, live, async () => (await frameWith(page, '#map')) !== undefined, SLOT_MAP_TIMEOUT_MS, 'the slot map webview');
      const frame = await waitForFrame(page, '#map', ELEMENT_TIMEOUT_MS, 'the slot map page');
      await waitUntil(async () => ((await frame.locator('#legend li.master').count()) === 3 ? true : undefined), SLOT_MAP_TIMEOUT_MS, `a legend with the 3 masters of ${live}`);
      const body = frame.locator('body');
      const cell = Number(await body.getAttribute('data-cell'));
      t.diagnostic(`cell: ${cell} px at zoom ${await body.getAttribute('data-zoom')}`);
      assert.ok(cell > 3, `the map uses the panel's width: ${cell} px cells, not 3`);

      // Hit-testing: a press half a pixel inside slot 100's left edge is slot 100 (the border is not the grid).
      const c100 = await slotCenter(frame, 100);
      await page.mouse.move(c100.x - cell / 2 + 0.5, c100.y - cell / 2 + 0.5);
      await page.mouse.down();
      const c109 = await slotCenter(frame, 109);
      await page.mouse.move(c109.x, c109.y, { steps: 3 });
      await page.mouse.up();
      const selection = await waitUntil(async () => {
        const text = await frame.locator('#selection h2').innerText().catch(() => '');
        return text.startsWith('Slots') ? text : undefined;
      }, ELEMENT_TIMEOUT_MS, 'the selection', () => frame.locator('#selection').innerText());
      assert.equal(selection, 'Slots 100–109 (10)', 'a drag from the edge of slot 100 to slot 109 selects exactly 100-109');

      // Keyboard: Home, then Shift+Right four times; the live region says what is selected.
      await frame.locator('#map').focus();
      await page.keyboard.press('Home');
      for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
      assert.equal(await frame.locator('#selection h2').innerText(), 'Slots 0–4 (5)');
      const heard = await frame.locator('#announce').innerText();
      t.diagnostic(`screen reader: ${heard}`);
      assert.match(heard, new RegExp(`^Slot 4: ${live}-\\d+.*Selected slots 0 to 4`));
      assert.ok((await frame.locator('#legend li.master[tabindex="0"]').count()) === 3, 'every master in the legend is focusable');

      // Zoom: + by keyboard, then Ctrl+wheel over the map, then back.
      await page.keyboard.press('+');
      await waitUntil(async () => ((await body.getAttribute('data-zoom')) === '1.5' ? true : undefined), ELEMENT_TIMEOUT_MS, 'zoom 150% after +');
      const mid = await slotCenter(frame, 8000);
      await page.mouse.move(mid.x, mid.y);
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -100);
      await page.keyboard.up('Control');
      await waitUntil(async () => ((await body.getAttribute('data-zoom')) === '2' ? true : undefined), ELEMENT_TIMEOUT_MS, 'zoom 200% after Ctrl+wheel');
      assert.ok(Number(await body.getAttribute('data-cell')) >= cell * 2 - 1, 'cells twice as large');
      t.diagnostic(`screenshot: ${await screenshot(page, 'slot-map-zoomed')}`);
      await frame.locator('#map').focus();
      await page.keyboard.press('0');
      await waitUntil(async () => ((await body.getAttribute('data-zoom')) === '1' ? true : undefined), ELEMENT_TIMEOUT_MS, 'zoom back to 100% after 0');

      // Heat map: a scale from 0 to the fullest slot, and when the keys were counted.
      await waitUntil(async () => (await body.getAttribute('data-keys')) ?? undefined, SLOT_MAP_TIMEOUT_MS, 'the key counts');
      await frame.locator('#heat').check();
      const scale = await waitUntil(async () => ((await frame.locator('#heatScale').isVisible()) ? frame.locator('#heatScale').innerText() : undefined), ELEMENT_TIMEOUT_MS, 'the heat map scale');
      t.diagnostic(`heat scale: ${scale.replace(/\s+/g, ' ')}`);
      assert.match(scale, /Keys per slot \(max \d+\), counted/);
      await frame.locator('#heat').uncheck();
      t.diagnostic(`screenshot: ${await screenshot(page, 'slot-map-ux')}`);

      // Move by keyboard: Enter on the selection; the target picker leaves out the owner; the plan asks.
      await frame.locator('#map').focus();
      await page.keyboard.press('Enter');
      await visible(page, `${QUICK} .monaco-list-row`, ELEMENT_TIMEOUT_MS, 'the target-master QuickPick');
      const targets = (await page.locator(`${QUICK} .monaco-list-row`).allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
      t.diagnostic(`targets: ${targets.join(' | ')}`);
      assert.equal(targets.length, 2, 'the master that owns slots 0-4 is not offered');
      await page.locator(`${QUICK} .monaco-list-row`).first().click();
      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ state: 'visible', timeout: ELEMENT_TIMEOUT_MS });
      const plan = (await dialog.innerText()).replace(/\s+/g, ' ');
      t.diagnostic(`plan: ${plan}`);
      assert.match(plan, new RegExp(`Move 5 slots and \\d+ keys? to ${live}-\\d+\\?`));
      assert.match(plan, new RegExp(`${live}-\\d+ → ${live}-\\d+: slots 0-4 \\(5 slots, \\d+ keys?\\)`));
      t.diagnostic(`screenshot: ${await screenshot(page, 'slot-map-plan')}`);
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    });
  }, [fixture.vsix()]);
});

/** The writer's bound: batches of SETs, each batch to the master owning its keys, for at most this long. */
const WRITER_MAX_MS = 40_000;
const WRITER_BATCH = 200;
const WRITER_MAX_KEYS = 200_000;

/** Writes keys (prefix `load:`) to the live cluster through Docker API tunnels until `stop` or its bounds; deletes nothing (the cluster is swept). */
async function boundedWriter(name: string, stop: () => boolean): Promise<number> {
  const access = await openClusterAccess(name, { env: { ...process.env, DOCKER_HOST: '' } });
  const pool = new AdminPool(access.router);
  let written = 0;
  try {
    const topology = await readTopology(access.router, access.seeds, { pool });
    const masters = topology.nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
    const ownerOf = (slot: number) => masters.find((m) => m.slots.some((r) => r.start <= slot && slot <= r.end));
    const started = Date.now();
    for (let i = 0; !stop() && Date.now() - started < WRITER_MAX_MS && written < WRITER_MAX_KEYS; ) {
      const batches = new Map<string, { ep: { host: string; port: number }; cmds: string[][] }>();
      for (let j = 0; j < WRITER_BATCH; j++, i++) {
        const key = `load:${i}`;
        const m = ownerOf(calculateSlot(key));
        if (!m) continue;
        const k = `${m.endpoint.host}:${m.endpoint.port}`;
        const b = batches.get(k) ?? { ep: m.endpoint, cmds: [] as string[][] };
        b.cmds.push(['SET', key, 'x']);
        batches.set(k, b);
      }
      await Promise.all([...batches.values()].map((b) => pool.pipeline(b.ep, b.cmds)));
      written += WRITER_BATCH;
    }
  } finally {
    await pool.close();
    await access.dispose();
  }
  return written;
}

test('dashboard: a bounded writer shows as ops/s on the chart and on the masters', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'dashboard', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await runFromPalette(page, 'Redis Swarm: Open Cluster Dashboard');
      await pickClusterIfAsked(page, live, async () => (await frameWith(page, '#totals')) !== undefined, SLOT_MAP_TIMEOUT_MS, 'the dashboard webview');
      const frame = await waitForFrame(page, '#totals', ELEMENT_TIMEOUT_MS, 'the dashboard page');
      await waitUntil(async () => ((await frame.locator('#nodes tbody tr').count()) === 6 ? true : undefined), SLOT_MAP_TIMEOUT_MS, `6 node rows of ${live}`, () => frame.locator('#status').innerText());
      let stopping = false;
      const writer = boundedWriter(live, () => stopping);
      try {
        const ops = await waitUntil(async () => {
          const v = Number(await frame.locator('body').getAttribute('data-total-ops'));
          return v > 100 ? v : undefined;
        }, WRITER_MAX_MS, 'the writer\'s load on the dashboard (over 100 ops/s)', async () => `${await frame.locator('body').getAttribute('data-total-ops')} ops/s`);
        t.diagnostic(`dashboard total: ${ops} ops/s`);
        const masterOps = (await frame.locator('#nodes tbody tr.master td:nth-of-type(1) span').allInnerTexts()).map(Number);
        t.diagnostic(`per master: ${masterOps.join(', ')}`);
        assert.ok(masterOps.filter((o) => o > 0).length >= 2, 'the load shows on the masters that own the keys');
        // Let the chart draw a few points of load.
        await page.waitForTimeout(4_000);
        t.diagnostic(`screenshot: ${await screenshot(page, 'dashboard')}`);
      } finally {
        stopping = true;
        t.diagnostic(`writer: ${await writer} keys written`);
      }
    });
  }, [fixture.vsix()]);
});

test('slot map in a high contrast theme: the page follows it (theme class, contrast borders) and still draws every master', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'slot-map-hc', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await runFromPalette(page, 'Redis Swarm: Open Slot Map');
      await pickClusterIfAsked(page, live, async () => (await frameWith(page, '#map')) !== undefined, SLOT_MAP_TIMEOUT_MS, 'the slot map webview');
      const frame = await waitForFrame(page, '#map', ELEMENT_TIMEOUT_MS, 'the slot map page');
      await waitUntil(async () => ((await frame.locator('#legend li.master').count()) === 3 ? true : undefined), SLOT_MAP_TIMEOUT_MS, `a legend with the 3 masters of ${live}`);
      const classes = (await frame.locator('body').getAttribute('class')) ?? '';
      t.diagnostic(`page classes: ${classes}`);
      assert.match(classes, /vscode-high-contrast/, 'the page knows the theme is high contrast');
      const border = await frame.evaluate(`getComputedStyle(document.getElementById('map')).borderTopColor`);
      t.diagnostic(`map border: ${String(border)}`);
      await frame.locator('#map').focus();
      await page.keyboard.press('Home');
      for (let i = 0; i < 300; i += 50) await page.keyboard.press('Shift+PageDown');
      t.diagnostic(`selection: ${await frame.locator('#selection h2').innerText()}`);
      t.diagnostic(`screenshot: ${await screenshot(page, 'slot-map-high-contrast')}`);
    });
  }, [fixture.vsix()], { 'workbench.colorTheme': 'Default High Contrast' });
});
