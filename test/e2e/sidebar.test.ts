/**
 * The Redis Swarm sidebar in a real VS Code (code-server) in Chromium, on live clusters on the
 * local swarm:
 * - a formed 6-node cluster shows as 3 master rows with their slot ranges and 3 replica rows
 *   (screenshot test-output/e2e/sidebar-cluster.png);
 * - "Redis Swarm: Deploy Cluster" from the palette, answered step by step with "TLS only",
 *   deploys and forms a second cluster (3 masters, no replica, TLS), which then shows ok in the
 *   tree, its services mounting their CA, certificate and key
 *   (screenshot of the summary step: test-output/e2e/deploy-summary.png);
 * - "Redis Swarm: Write Stack File" with "TLS only" creates the CA, certificates and keys on the
 *   swarm (labelled as the cluster's) and writes a stack file naming them as external.
 * Every swarm object is named with a per-run prefix and swept in `after`, pass or fail.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { type Page } from 'playwright-core';
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_SECRET_FILE } from '../../src/core/swarm/deployTls';
import { LABEL_TLS } from '../../src/core/swarm/labels';
import { TEST_IMAGE, leftovers, runPrefix } from '../support/swarm';
import { OUR_ACTIVITY_ITEM, runFromPalette, waitUntil } from './commands';
import { useLiveCluster } from './liveCluster';
import { ELEMENT_TIMEOUT_MS, openWorkbench, screenshot, visible, widenSidebar, withFailureScreenshot, withWorkbench, workbenchUrl } from './workbench';

const TEST_TIMEOUT_MS = 240_000;
/** From opening the view to a converged cluster in it (replica links wait for the first sync). */
const TREE_TIMEOUT_MS = 90_000;
/** From "Deploy" to the new cluster shown ok in the tree: 3 services, forming, a refresh. */
const DEPLOY_TIMEOUT_MS = 150_000;
const WIZARD_STEPS = 11;

const deployed = runPrefix('u');
/** The cluster Write Stack File writes with TLS: only its secrets and configs are created. */
const stacked = runPrefix('u');
const fixture = useLiveCluster('u', [deployed, stacked]);
const live = fixture.name;

const ROWS = '.part.sidebar .monaco-list-row';

async function openSidebar(page: Page): Promise<void> {
  const container = page.locator(OUR_ACTIVITY_ITEM).first();
  await container.click({ timeout: ELEMENT_TIMEOUT_MS });
  await visible(page, `${ROWS}:has-text("Docker engine")`, ELEMENT_TIMEOUT_MS, 'the Docker engine item in the Redis Swarm view');
}

/**
 * Other tests may run clusters on the same swarm: collapse every cluster, then expand ours, so
 * the screenshot shows it whole.
 */
async function focusCluster(page: Page, name: string): Promise<void> {
  const row = page.locator(ROWS, { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: TREE_TIMEOUT_MS });
  const collapseAll = page.locator('.part.sidebar .action-label[aria-label="Collapse All"]').first();
  if (await collapseAll.isVisible().catch(() => false)) await collapseAll.click();
  await row.click();
  if ((await row.getAttribute('aria-expanded')) === 'false') await page.keyboard.press('ArrowRight');
  // Collapse All folded the masters too: unfold ours to show their replicas.
  const folded = page.locator(`${ROWS}[aria-expanded="false"]`, { hasText: `${name}-` });
  for (let i = 0; i < 10 && (await folded.count()) > 0; i++) {
    await folded.first().click();
    await page.keyboard.press('ArrowRight');
  }
}

/** The texts of the rows whose label starts with `<prefix>-`. */
async function rowsOf(page: Page, prefix: string): Promise<string[]> {
  const texts = await page.locator(ROWS).allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t.startsWith(`${prefix}-`));
}

test('sidebar: a live cluster shows 3 masters with their slot ranges and 3 replicas', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'sidebar-cluster', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await openSidebar(page);
      await focusCluster(page, live);
      const rows = await waitUntil(
        async () => {
          const r = await rowsOf(page, live);
          const masters = r.filter((x) => /\d+-\d+ · \d+ slots/.test(x));
          const replicas = r.filter((x) => /link up/.test(x));
          return masters.length === 3 && replicas.length === 3 ? r : undefined;
        },
        TREE_TIMEOUT_MS,
        `3 master rows with slot ranges and 3 replica rows with "link up" for ${live}`,
        async () => (await rowsOf(page, live)).join(' | '),
      );
      const clusterRow = (await page.locator(ROWS, { hasText: live }).first().innerText()).replace(/\s+/g, ' ');
      assert.match(clusterRow, /ok · 6 nodes · 16384\/16384 slots/, `the cluster row says "${clusterRow}"`);
      const ranges = rows.flatMap((r) => /(\d+-\d+) · (\d+) slots/.exec(r)?.slice(1, 3) ?? []);
      t.diagnostic(`rows: ${rows.join(' | ')}`);
      const total = rows.reduce((sum, r) => sum + Number(/ · (\d+) slots/.exec(r)?.[1] ?? 0), 0);
      assert.equal(total, 16384, `the master rows' slot counts add up to ${total}, not 16384 (${ranges.join(', ')})`);
      await widenSidebar(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'sidebar-cluster')}`);
    });
  }, [fixture.vsix()]);
});

/** What the test reads of `docker service inspect`. */
interface ServiceSpec {
  readonly Labels?: Record<string, string>;
  readonly TaskTemplate: { readonly ContainerSpec: { readonly Configs?: readonly { readonly File: { readonly Name: string } }[]; readonly Secrets?: readonly { readonly File: { readonly Name: string } }[] } };
}

/** Waits for the wizard's step `n` (the title ends with "(n/11)", or "(n/steps)"), then types `value` and presses Enter. */
async function answer(page: Page, n: number, value: string | undefined, steps = WIZARD_STEPS): Promise<void> {
  await visible(page, `.quick-input-widget .quick-input-title:has-text("(${n}/${steps})")`, ELEMENT_TIMEOUT_MS, `step ${n}/${steps} of the wizard`);
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  if (value !== undefined) await input.fill(value);
  // A refused value keeps the wizard on this step: the wait for the next step then fails
  // (with a screenshot showing the validation message).
  await page.keyboard.press('Enter');
}

test('Deploy Cluster from the palette: eleven steps with TLS only, a summary listing TLS, and the TLS cluster ok in the tree', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'deploy-cluster', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await openSidebar(page);
      await runFromPalette(page, 'Redis Swarm: Deploy Cluster');
      await answer(page, 1, deployed);
      await answer(page, 2, '3');
      await answer(page, 3, '0');
      await answer(page, 4, TEST_IMAGE);
      await answer(page, 5, undefined); // <name>-net
      await answer(page, 6, undefined); // no published ports
      await answer(page, 7, undefined); // persistent
      await answer(page, 8, 'TLS only'); // the filter leaves the one item
      await answer(page, 9, undefined); // no ACL users
      await answer(page, 10, undefined); // no password
      await visible(page, `.quick-input-widget .quick-input-title:has-text("(11/${WIZARD_STEPS})")`, ELEMENT_TIMEOUT_MS, 'the summary step');
      const summary = (await page.locator('.quick-input-widget').first().innerText()).replace(/\s+/g, ' ');
      for (const want of [deployed, '3 nodes: 3 masters with 0 replica(s) each', TEST_IMAGE, `network ${deployed}-net`, 'TLS only: a new CA and a certificate per node; clients need the CA']) {
        assert.ok(summary.includes(want), `the summary lacks "${want}": ${summary}`);
      }
      t.diagnostic(`screenshot: ${await screenshot(page, 'deploy-summary')}`);
      await page.keyboard.press('Enter');
      const row = await waitUntil(
        async () => {
          const r = (await page.locator(ROWS, { hasText: deployed }).allInnerTexts()).map((x) => x.replace(/\s+/g, ' ').trim());
          return r.find((x) => x.startsWith(deployed) && /ok · 3 nodes · 16384\/16384 slots/.test(x));
        },
        DEPLOY_TIMEOUT_MS,
        `the deployed cluster ${deployed} shown as "ok · 3 nodes · 16384/16384 slots"`,
        async () => (await page.locator(ROWS).allInnerTexts()).map((x) => x.replace(/\s+/g, ' ')).join(' | '),
      );
      t.diagnostic(`tree row: ${row}`);
      // The tree reached the nodes over TLS: each service is labelled TLS and mounts its CA,
      // its own certificate and its key.
      for (let i = 1; i <= 3; i++) {
        const spec = JSON.parse(execFileSync('docker', ['service', 'inspect', '--format', '{{json .Spec}}', `${deployed}-${i}`], { encoding: 'utf8' })) as ServiceSpec;
        assert.equal(spec.Labels?.[LABEL_TLS], 'generated', `${deployed}-${i} is not labelled as a TLS cluster with generated certificates`);
        const files = [...(spec.TaskTemplate.ContainerSpec.Configs ?? []), ...(spec.TaskTemplate.ContainerSpec.Secrets ?? [])].map((m) => m.File.Name);
        for (const want of [TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_SECRET_FILE]) assert.ok(files.includes(want), `${deployed}-${i} does not mount ${want}: ${files.join(', ')}`);
      }
      await focusCluster(page, deployed);
      await waitUntil(async () => ((await rowsOf(page, deployed)).filter((x) => / slots/.test(x)).length === 3 ? true : undefined), TREE_TIMEOUT_MS, `3 master rows of ${deployed}`);
      await widenSidebar(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'deploy-done')}`);
    });
  }, [fixture.vsix()]);
});

test('Write Stack File with TLS only: the CA, certificates and keys are created on the swarm, the file names them as external', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page) => {
    await withFailureScreenshot(page, 'write-stack-file-tls', async () => {
      await openWorkbench(page, workbenchUrl(server));
      await openSidebar(page);
      await runFromPalette(page, 'Redis Swarm: Write Stack File');
      // No users step here: ten steps.
      const steps = WIZARD_STEPS - 1;
      await answer(page, 1, stacked, steps);
      await answer(page, 2, '3', steps);
      await answer(page, 3, '0', steps);
      await answer(page, 4, TEST_IMAGE, steps);
      await answer(page, 5, undefined, steps); // <name>-net
      await answer(page, 6, undefined, steps); // no published ports
      await answer(page, 7, undefined, steps); // persistent
      await answer(page, 8, 'TLS only', steps);
      await answer(page, 9, undefined, steps); // no password
      await visible(page, `.quick-input-widget .quick-input-title:has-text("(10/${steps})")`, ELEMENT_TIMEOUT_MS, 'the summary step');
      const summary = (await page.locator('.quick-input-widget').first().innerText()).replace(/\s+/g, ' ');
      assert.ok(summary.includes('TLS only: a new CA'), `the summary does not list TLS: ${summary}`);
      await page.keyboard.press('Enter');
      const file = path.join(server.workspace, `${stacked}-stack.yml`);
      await visible(page, `.quick-input-widget .quick-input-title:has-text("Save the stack file of cluster ${stacked}")`, ELEMENT_TIMEOUT_MS, 'the save dialog');
      // The simple file dialog shows its folder first and fills in the proposed name a moment later.
      const input = page.locator('.quick-input-widget .quick-input-box input').first();
      await waitUntil(async () => ((await input.inputValue()) === file ? true : undefined), ELEMENT_TIMEOUT_MS, `the save dialog proposing ${file}`);
      await page.keyboard.press('Enter');
      await waitUntil(async () => (existsSync(file) ? true : undefined), TREE_TIMEOUT_MS, `${file} written`);
      const made = leftovers(stacked);
      t.diagnostic(`created: ${made.join(', ')}`);
      for (const want of [`config ${stacked}-tls-ca-`, `config ${stacked}-3-tls-cert-`, `secret ${stacked}-tls-ca-key`, `secret ${stacked}-3-tls-key-`]) {
        assert.ok(made.some((m) => m.startsWith(want)), `nothing like "${want}…" on the swarm: ${made.join(', ')}`);
      }
      assert.ok(!made.some((m) => m.startsWith('service ')), `Write Stack File started services: ${made.join(', ')}`);
      const yaml = readFileSync(file, 'utf8');
      const caConfig = made.find((m) => m.startsWith(`config ${stacked}-tls-ca-`))?.slice('config '.length) ?? '';
      assert.ok(yaml.includes(caConfig) && /external: true/.test(yaml), `the stack file does not name ${caConfig} as external`);
      const conf = readFileSync(path.join(server.workspace, `${stacked}-redis.conf`), 'utf8');
      assert.match(conf, /^tls-port 6379$/m, 'redis.conf beside the stack file is not TLS only');
      t.diagnostic(`screenshot: ${await screenshot(page, 'write-stack-file-tls')}`);
    });
  }, [fixture.vsix()]);
});
