/**
 * Debian's Chromium driven by playwright-core, with a fresh profile per launch. The flags turn
 * off Chromium's own calls out (environment.md); a route also aborts any request that is not
 * for 127.0.0.1, so the network rule holds even if the workbench tries to fetch something.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env['REDIS_SWARM_CHROMIUM'] || '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LAUNCH_TIMEOUT_MS = 30_000;
const VIEWPORT = { width: 1280, height: 800 } as const;

export interface Browser {
  readonly context: BrowserContext;
  /** Requests that were aborted because they were not for loopback. */
  readonly blocked: readonly string[];
  close(): Promise<void>;
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:';
}

export async function launchBrowser(): Promise<Browser> {
  // launchPersistentContext: launch() refuses a --user-data-dir, and a fresh profile folder
  // keeps runs independent.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'redis-swarm-e2e-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
      viewport: VIEWPORT,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw new Error(`Chromium (${CHROMIUM_PATH}) did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const blocked: string[] = [];
  await context.route((url) => !isLoopback(url), async (route) => {
    blocked.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  let closed = false;
  return {
    context,
    blocked,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
