/**
 * `npm run test:e2e` (scripts/test.sh e2e: set-up, compile, then `node --test` on this file;
 * or directly `node --test out/test/e2e/foundation.test.js` once compiled): the extension in a real VS Code
 * (code-server 4.99.4, installed by scripts/install-code-server.sh) driven in Debian's
 * Chromium. Three tests, one after another, each with its own server and browser profile:
 * - the packaged .vsix holds only what runs;
 * - UI: installed from the .vsix, the "Redis Swarm" sidebar shows the Docker engine item;
 * - extension host: test/extensionHost runs inside the workbench with the real `vscode` API,
 *   each of its tests reported here as a subtest.
 * Everything listens on and talks to 127.0.0.1 only.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { LIVE_CLUSTER_FILE, LOG_PREFIX, parseResult, type TestResult } from '../extensionHost/protocol';
import { deployFormedCluster, runPrefix, sweep } from '../support/swarm';
import { EXTENSION_TESTS_ENTRY, OUTPUT_DIR, REPO_ROOT } from './paths';
import { OUR_ACTIVITY_ITEM } from './commands';
import { packageExtension, unwantedEntries, vsixEntries } from './vsix';
import {
  ELEMENT_TIMEOUT_MS,
  forwardConsole,
  openWorkbench,
  screenshot,
  visible,
  widenSidebar,
  withFailureScreenshot,
  withWorkbench,
  workbenchUrl,
} from './workbench';

const PACKAGE_TIMEOUT_MS = 120_000;
const UI_TEST_TIMEOUT_MS = 150_000;
const EXTENSION_HOST_TEST_TIMEOUT_MS = 150_000;
/** From page load to the suite's exit code; a run takes about 10 s here. */
const EXTENSION_TESTS_RUN_TIMEOUT_MS = 90_000;
/** Console lines may still be in flight when the exit code arrives. */
const CONSOLE_DRAIN_MS = 500;

/** Deploying and forming the live cluster the extension-host suite reads (6 nodes). */
const DEPLOY_TIMEOUT_MS = 180_000;

/** The live cluster the extension-host suite's sidebar tests read (test/extensionHost/sidebarSuite.ts). */
const liveCluster = runPrefix('u');
let vsix = '';
before(async () => {
  vsix = await packageExtension();
}, { timeout: PACKAGE_TIMEOUT_MS });

before(async () => {
  await deployFormedCluster(liveCluster);
}, { timeout: DEPLOY_TIMEOUT_MS });

after(async () => {
  await sweep(liveCluster);
}, { timeout: DEPLOY_TIMEOUT_MS });

test('the packaged .vsix holds only what runs (no sources, tests, maps or node_modules)', async () => {
  const entries = await vsixEntries(vsix);
  for (const needed of ['extension/package.json', 'extension/dist/extension.js']) {
    assert.ok(entries.includes(needed), `${needed} is missing from ${vsix}; it holds: ${entries.join(', ')}`);
  }
  assert.deepEqual(unwantedEntries(entries), [], `${vsix} holds files that do not run; fix .vscodeignore`);
});

test('UI: the Redis Swarm sidebar shows the Docker engine with swarm active', { timeout: UI_TEST_TIMEOUT_MS }, async (t) => {
  await withWorkbench(async (server, page, browser) => {
    await withFailureScreenshot(page, 'sidebar-engine', async () => {
      await openWorkbench(page, workbenchUrl(server));
      // The tab's own aria-label is empty in 1.99; its icon link carries the container title.
      const container = page.locator(OUR_ACTIVITY_ITEM).first();
      try {
        await container.click({ timeout: ELEMENT_TIMEOUT_MS });
      } catch (err) {
        throw new Error(`no "Redis Swarm" item in the activity bar within ${ELEMENT_TIMEOUT_MS} ms (was the .vsix installed?): ${String(err).split('\n')[0]}`);
      }
      const row = '.part.sidebar .monaco-list-row:has-text("Docker engine"):has-text("swarm active")';
      await visible(page, row, ELEMENT_TIMEOUT_MS, 'the "Docker engine · swarm active" item in the Redis Swarm sidebar');
      const item = page.locator(row).first();
      const label = await item.locator('.label-name').first().innerText({ timeout: ELEMENT_TIMEOUT_MS });
      const description = await item.locator('.label-description').first().innerText({ timeout: ELEMENT_TIMEOUT_MS });
      t.diagnostic(`sidebar item: "${label}" "${description}"`);
      await widenSidebar(page);
      t.diagnostic(`screenshot: ${await screenshot(page, 'sidebar-engine')}`);
      if (browser.blocked.length > 0) t.diagnostic(`blocked ${browser.blocked.length} non-loopback request(s): ${browser.blocked.slice(0, 5).join(', ')}`);
    });
  }, [vsix]);
});

test('extension host: test/extensionHost passes with the real vscode API', { timeout: EXTENSION_HOST_TEST_TIMEOUT_MS }, async (t) => {
  assert.ok(existsSync(EXTENSION_TESTS_ENTRY), `${EXTENSION_TESTS_ENTRY} is missing: run \`npm run compile-tests\` first`);
  const results: TestResult[] = [];
  let planned: number | undefined;
  let exitCode: number | undefined;
  const consoleLog: string[] = [];

  await withWorkbench(async (server, page) => {
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    // Registered before the page loads: the workbench calls it when the suite's run() settles.
    await page.exposeFunction('codeAutomationExit', (code: unknown) => onExit(typeof code === 'number' ? code : -1));
    forwardConsole(page, (line, type) => {
      consoleLog.push(`[${type}] ${line}`);
      const result = parseResult(line);
      if (result) {
        results.push(result);
        return;
      }
      // The suite's own lines (plan, ok / not ok, assertion messages) are shown as they come.
      const at = line.indexOf(LOG_PREFIX);
      if (at >= 0) {
        const own = line.slice(at);
        const plan = /^1\.\.(\d+)$/.exec(own.slice(LOG_PREFIX.length).trim());
        if (plan?.[1]) planned = Number(plan[1]);
        process.stdout.write(`  ${own}\n`);
      }
    });

    // extensionDevelopmentPath/extensionTestsPath as remote URIs: the extension host runs on
    // the server side, and plain paths fail with "No extension host found".
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://remote${REPO_ROOT}`],
      ['extensionTestsPath', `vscode-remote://remote${EXTENSION_TESTS_ENTRY}`],
    ]);
    // The suite finds the live cluster's name in the workspace folder it opens.
    await writeFile(path.join(server.workspace, LIVE_CLUSTER_FILE), JSON.stringify({ cluster: liveCluster }));
    await withFailureScreenshot(page, 'extension-host', async () => {
      await openWorkbench(page, workbenchUrl(server, { payload }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the extension-host suite did not report an exit code within ${EXTENSION_TESTS_RUN_TIMEOUT_MS} ms`)),
          EXTENSION_TESTS_RUN_TIMEOUT_MS,
        );
      });
      exitCode = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      await new Promise((r) => setTimeout(r, CONSOLE_DRAIN_MS));
    });
  }).finally(async () => {
    await mkdir(OUTPUT_DIR, { recursive: true });
    await writeFile(path.join(OUTPUT_DIR, 'extension-host-console.log'), consoleLog.join('\n') + '\n');
  });

  // Each extension-host test becomes a subtest here, so the closing counts include them.
  for (const r of results) {
    await t.test(`[extension host] ${r.name}`, () => {
      if (r.ok) return;
      // The stack is the extension host's, not this launcher's.
      const err = new Error(r.error ?? 'failed');
      err.stack = r.error ?? 'failed';
      throw err;
    });
  }
  assert.ok(results.length > 0, `the suite reported no results (exit code ${String(exitCode)}); see ${path.join(OUTPUT_DIR, 'extension-host-console.log')}`);
  if (planned !== undefined) assert.equal(results.length, planned, `the suite planned ${planned} tests but reported ${results.length}`);
  assert.equal(exitCode, results.every((r) => r.ok) ? 0 : 1, `the extension-host run exited with ${String(exitCode)}`);
});
