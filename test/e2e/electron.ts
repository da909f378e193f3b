/**
 * `npm run test:electron`: the same extension-host suite (test/extensionHost) in VS Code
 * desktop, downloaded by @vscode/test-electron. For machines that can reach VS Code's update
 * servers; this test bed cannot, so here the suite runs in code-server (`npm run test:e2e`).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { EXTENSION_TESTS_ENTRY, REPO_ROOT } from './paths';

/** The version code-server 4.99.4 is built on, so both launchers test the same VS Code. */
const VSCODE_VERSION = '1.99.3';

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'redis-swarm-electron-'));
  try {
    const workspace = path.join(scratch, 'workspace');
    await mkdir(workspace, { recursive: true });
    const exitCode = await runTests({
      version: process.env['REDIS_SWARM_VSCODE_VERSION'] || VSCODE_VERSION,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: EXTENSION_TESTS_ENTRY,
      launchArgs: [
        workspace,
        // Only the extension under test, a fresh profile, nothing that calls out.
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
      ],
    });
    process.exitCode = exitCode;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`extension-host tests in VS Code desktop failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
