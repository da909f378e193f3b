/**
 * The extension-host entry for test/remote/vscodeRemote.test.ts: the engine is the one the
 * launcher put in the user settings (redisSwarm.dockerHost, what Select Docker Engine writes), an
 * ssh:// address; the tree must list the live cluster through it.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runTests } from './harness';
import { api, liveCluster } from './sidebarSuite';

const READY_TIMEOUT_MS = 25_000;

export function run(): Promise<void> {
  return runTests([
    {
      name: 'the tree lists the live cluster through the ssh:// engine chosen in the settings',
      async run() {
        const host = vscode.workspace.getConfiguration('redisSwarm').get<string>('dockerHost') ?? '';
        assert.match(host, /^ssh:\/\//, 'the launcher sets redisSwarm.dockerHost to the ssh engine');
        await vscode.extensions.getExtension('redis-swarm.redis-swarm')?.activate();
        const name = liveCluster();
        const { topology, store } = api();
        const deadline = Date.now() + READY_TIMEOUT_MS;
        let last = 'nothing read';
        for (;;) {
          await store.refresh();
          const roots = (await topology.getChildren()) ?? [];
          const items = await Promise.all(roots.map(async (n) => topology.getTreeItem(n)));
          const labels = items.map((i) => `${typeof i.label === 'string' ? i.label : (i.label?.label ?? '')} [${String(i.description ?? '')}] {${typeof i.tooltip === 'string' ? i.tooltip : ''}}`);
          last = `${labels.join('; ')}${store.error ? ` (error: ${store.error})` : ''}`;
          const engine = items.find((i) => i.label === 'Docker engine');
          const cluster = items.find((i) => i.label === name);
          if (engine && cluster && /^ok · 3 nodes · 16384\/16384 slots$/.test(String(cluster.description ?? ''))) {
            const tip = engine.tooltip;
            const tipText = typeof tip === 'string' ? tip : (tip?.value ?? '');
            assert.match(`${String(engine.description ?? '')} ${tipText}`, /ssh:\/\/rsremote@127\.0\.0\.1/, `the engine item names the ssh engine: ${last} / ${tipText}`);
            return;
          }
          if (Date.now() > deadline) throw new Error(`the tree did not list ${name} as ok with 3 nodes within ${READY_TIMEOUT_MS} ms; last seen: ${last}`);
          await new Promise((r) => setTimeout(r, 500));
        }
      },
    },
  ]);
}
