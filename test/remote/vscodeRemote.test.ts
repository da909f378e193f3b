/**
 * The VS Code views against a remote engine: code-server with redisSwarm.dockerHost set to the
 * test sshd's ssh:// address (what Select Docker Engine writes), the extension-host suite
 * test/extensionHost/remoteIndex.ts reading the tree. One run (code-server is CPU heavy). The
 * sshd on 127.0.0.1:26524 and the cluster are removed afterwards. Needs code-server
 * (scripts/setup.sh --with-vscode), `npm run build` and root.
 */
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { LIVE_CLUSTER_FILE, LOG_PREFIX, parseResult, type TestResult } from '../extensionHost/protocol';
import { REPO_ROOT } from '../e2e/paths';
import { forwardConsole, openWorkbench, withWorkbench, workbenchUrl } from '../e2e/workbench';
import { type SshBed, startSshBed } from '../support/sshBed';
import { ok } from '../support/remoteScenario';
import { TEST_IMAGE, runPrefix, sweep } from '../support/swarm';

const SSH_PORT = 26524;
const RUN_TIMEOUT_MS = 120_000;
const CODE_SERVER_PORTS = '26560-26569';

let bed: SshBed | undefined;
const cluster = runPrefix('rem');

before(async () => {
  bed = await startSshBed(SSH_PORT);
  // The extension host inherits code-server's environment, which inherits this one.
  process.env['REDIS_SWARM_SSH_CONFIG'] = bed.sshConfig;
  // code-server listens in this layer's own block of loopback ports.
  process.env['REDIS_SWARM_CODE_SERVER_PORTS'] = CODE_SERVER_PORTS;
  const env = bed.env();
  await ok(['deploy', '--name', cluster, '--nodes', '3', '--replicas', '0', '--image', TEST_IMAGE, '--node-timeout', '2000'], env);
  await ok(['create', '--cluster', cluster, '--yes'], env);
}, { timeout: 240_000 });

after(async () => {
  await sweep(cluster);
  delete process.env['REDIS_SWARM_SSH_CONFIG'];
  bed?.stop();
}, { timeout: 120_000 });

test('the VS Code tree lists a cluster through an ssh:// engine chosen in the settings', { timeout: 300_000 }, async () => {
  const results: TestResult[] = [];
  let exitCode: number | undefined;
  const lines: string[] = [];
  await withWorkbench(
    async (server, page) => {
      let onExit: (code: number) => void = () => undefined;
      const exited = new Promise<number>((resolve) => (onExit = resolve));
      await page.exposeFunction('codeAutomationExit', (code: unknown) => onExit(typeof code === 'number' ? code : -1));
      forwardConsole(page, (line) => {
        const r = parseResult(line);
        if (r) results.push(r);
        else if (line.includes(LOG_PREFIX)) lines.push(line);
      });
      const payload = JSON.stringify([
        ['extensionDevelopmentPath', `vscode-remote://remote${REPO_ROOT}`],
        ['extensionTestsPath', `vscode-remote://remote${path.join(REPO_ROOT, 'out', 'test', 'extensionHost', 'remoteIndex.js')}`],
      ]);
      await writeFile(path.join(server.workspace, LIVE_CLUSTER_FILE), JSON.stringify({ cluster }));
      await openWorkbench(page, workbenchUrl(server, { payload }));
      let timer: NodeJS.Timeout | undefined;
      exitCode = await Promise.race([
        exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no exit code within ${RUN_TIMEOUT_MS} ms:\n${lines.join('\n')}`)), RUN_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    [],
    { 'redisSwarm.dockerHost': bed!.dockerHost },
  );
  assert.equal(results.length, 1, `one extension-host result expected:\n${lines.join('\n')}`);
  assert.ok(results[0]?.ok, results[0]?.error ?? lines.join('\n'));
  assert.equal(exitCode, 0);
});
