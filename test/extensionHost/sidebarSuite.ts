/**
 * Extension-host tests of the sidebar on a LIVE cluster: the launcher (test/e2e/foundation.test.ts)
 * deploys and forms one on the local swarm and names it in the workspace folder's
 * LIVE_CLUSTER_FILE. The tree is read through the same provider the view uses.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckOutcome } from '../../src/extension/commands/checkCluster';
import type { RedisSwarmApi } from '../../src/extension/extension';
import type { TreeNode } from '../../src/extension/tree/nodes';
import { HEALTH_WORDS } from '../../src/core/model/clusterModel';
import { summarizeClusters } from '../../src/core/model/statusSummary';
import type { ExtensionTest } from './harness';
import { LIVE_CLUSTER_FILE } from './protocol';

const EXTENSION_ID = 'redis-swarm.redis-swarm';
/** A cluster formed just before the run may still be converging (cluster_state, replica links). */
const CLUSTER_READY_TIMEOUT_MS = 20_000;
const POLL_MS = 500;

export function api(): RedisSwarmApi {
  const ext = vscode.extensions.getExtension<RedisSwarmApi>(EXTENSION_ID);
  assert.ok(ext?.isActive, `extension ${EXTENSION_ID} is not active`);
  return ext.exports;
}

export function liveCluster(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'no workspace folder is open: the launcher names the live cluster in a file there');
  const file = path.join(folder, LIVE_CLUSTER_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: these tests need a live cluster deployed by the launcher (test/e2e/foundation.test.ts)`);
  }
  const name = (JSON.parse(text) as { cluster?: unknown }).cluster;
  assert.equal(typeof name, 'string', `${file} names no cluster`);
  return name as string;
}

interface Rendered {
  readonly node: TreeNode;
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  readonly id: string;
}

async function render(tree: vscode.TreeDataProvider<TreeNode>, node: TreeNode): Promise<Rendered> {
  const item = await tree.getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  return { node, label, description: String(item.description ?? ''), contextValue: item.contextValue ?? '', id: item.id ?? '' };
}

async function children(tree: vscode.TreeDataProvider<TreeNode>, node?: TreeNode): Promise<Rendered[]> {
  const list = (await tree.getChildren(node)) ?? [];
  return Promise.all(list.map((n) => render(tree, n)));
}

/** The cluster's subtree once it shows 3 healthy masters with one linked replica each. */
export async function readyCluster(name: string): Promise<{ cluster: Rendered; masters: { master: Rendered; replicas: Rendered[] }[] }> {
  const { topology, store } = api();
  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  let last = 'nothing read';
  for (;;) {
    await store.refresh();
    const roots = await children(topology);
    const cluster = roots.find((r) => r.label === name);
    if (cluster) {
      // Findings are listed under the cluster too (on a one-host swarm: "All nodes run on one host", a warning).
      const masters = await Promise.all(
        (await children(topology, cluster.node)).filter((m) => m.contextValue !== 'finding').map(async (m) => ({ master: m, replicas: await children(topology, m.node) })),
      );
      last = `${cluster.label} "${cluster.description}": ${masters.map((m) => `${m.master.label} [${m.master.description}] -> ${m.replicas.map((r) => `${r.label} [${r.description}]`).join(', ')}`).join('; ')}`;
      const ready =
        cluster.description.startsWith('ok ·') &&
        masters.length === 3 &&
        masters.every((m) => m.master.contextValue === 'master' && m.replicas.length === 1 && m.replicas[0]?.description.startsWith('link up'));
      if (ready) return { cluster, masters };
    } else {
      last = `roots: ${roots.map((r) => r.label).join(', ')}${store.error ? ` (error: ${store.error})` : ''}`;
    }
    if (Date.now() > deadline) throw new Error(`cluster ${name} did not show 3 healthy masters with a linked replica each within ${CLUSTER_READY_TIMEOUT_MS} ms; last seen: ${last}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const sidebarTests: readonly ExtensionTest[] = [
  {
    name: 'the tree shows the live cluster: 3 master items with their slot ranges, each with 1 replica item',
    async run() {
      const name = liveCluster();
      const { topology } = api();
      // The roots are read once the cluster shows ready, not before: read earlier they may be
      // the tree's first, still-loading state.
      const { cluster, masters } = await readyCluster(name);
      const roots = await children(topology);
      assert.equal(roots[0]?.label, 'Docker engine', 'the Docker engine item is not first');
      assert.equal(cluster.contextValue, 'cluster');
      assert.match(cluster.description, /^ok · 6 nodes · 16384\/16384 slots$/);
      let slots = 0;
      for (const { master, replicas } of masters) {
        // Live load (ops/s, clients) follows the memory when the view is polled.
        const m = /^(\d+-\d+) · (\d+) slots · \d+ keys? · [\d.]+ [KMG]?i?B( · [\d.]+[kM]? ops\/s · \d+ clients?)? · on (\S+)$/.exec(master.description);
        assert.ok(m, `master ${master.label} says "${master.description}", not "<range> · <n> slots · <keys> · <memory> · on <swarm node>"`);
        // The one swarm node is this machine: the tree names it by hostname, not by node ID.
        assert.equal(m[4], hostname(), `master ${master.label} runs on "${m[4]}", not on this machine's swarm node`);
        assert.match(master.label, new RegExp(`^${name}-\\d:6379$`), `master label ${master.label} is not its announced endpoint`);
        slots += Number(m[2]);
        const replica = replicas[0];
        assert.ok(replica);
        assert.equal(replica.contextValue, 'replica');
        assert.match(replica.description, /^link up · lag \d.* · on \S+$/, `replica ${replica.label} says "${replica.description}"`);
      }
      assert.equal(slots, 16384, 'the masters\' slot counts do not add up to 16384');
      const ids = new Set([cluster.id, ...masters.flatMap((m) => [m.master.id, ...m.replicas.map((r) => r.id)])]);
      assert.equal(ids.size, 7, 'tree items need distinct, stable ids');
    },
  },
  {
    name: 'the same model read twice gives the same item ids (no flicker between refreshes)',
    async run() {
      const name = liveCluster();
      const first = await readyCluster(name);
      const second = await readyCluster(name);
      const ids = (x: typeof first): string[] => [x.cluster.id, ...x.masters.flatMap((m) => [m.master.id, ...m.replicas.map((r) => r.id)])];
      assert.deepEqual(ids(second), ids(first));
    },
  },
  {
    name: 'Check Cluster runs on the live cluster and finds no error',
    async run() {
      const name = liveCluster();
      const outcome = await vscode.commands.executeCommand<CheckOutcome | undefined>('redisSwarm.checkCluster', name);
      assert.ok(outcome, 'redisSwarm.checkCluster returned nothing (did it fail? see the Redis Swarm log)');
      assert.equal(outcome.cluster, name);
      assert.equal(outcome.errors, 0, `the check found errors:\n${outcome.text}`);
      assert.match(outcome.text, /Performing Cluster Check/);
    },
  },
  {
    name: 'the status bar shows the cluster in the worst state (or a count), and a pinned one',
    async run() {
      const name = liveCluster();
      const { statusBarItem: item, store } = api();
      await store.refresh();
      const clusters = store.current?.clusters ?? [];
      // What the user sees: "<icon> <summary>", the summary the core computes for all clusters.
      const expected = summarizeClusters(clusters);
      assert.ok(expected, 'a cluster runs, so there is a summary');
      assert.equal(item.text.replace(/^\$\([a-z~-]+\) /, ''), expected.text, `the status bar shows "${item.text}"`);
      const command = typeof item.command === 'string' ? { command: item.command, arguments: [] } : item.command;
      assert.deepEqual([command?.command, command?.arguments], ['redisSwarm.checkCluster', expected.cluster !== undefined ? [expected.cluster] : []], 'clicking the item checks the cluster it names');
      // Pinned, it names the live cluster whatever else the swarm holds.
      await vscode.commands.executeCommand('redisSwarm.pinCluster', name);
      try {
        await store.refresh();
        const cluster = store.cluster(name);
        assert.ok(cluster, `the store knows ${name}`);
        assert.match(item.text, new RegExp(`^\\$\\(pinned\\) \\$\\([a-z~-]+\\) ${name}: ${HEALTH_WORDS[cluster.health]}`), `the pinned status bar shows "${item.text}"`);
      } finally {
        await vscode.commands.executeCommand('redisSwarm.pinCluster', name);
      }
      assert.ok(!item.text.startsWith('$(pinned)'), 'pinning the pinned cluster again unpins it');
    },
  },
  {
    name: 'the sidebar commands are registered (deploy, create, check, destroy, engine, copy, logs)',
    async run() {
      const registered = new Set(await vscode.commands.getCommands(true));
      const wanted = [
        'redisSwarm.deployCluster',
        'redisSwarm.createCluster',
        'redisSwarm.checkCluster',
        'redisSwarm.destroyCluster',
        'redisSwarm.selectEngine',
        'redisSwarm.copyNodeId',
        'redisSwarm.copyEndpoint',
        'redisSwarm.showServiceLogs',
      ];
      assert.deepEqual(wanted.filter((c) => !registered.has(c)), [], 'commands not registered');
    },
  },
];
