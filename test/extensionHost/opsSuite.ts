/**
 * Extension-host tests of the operations commands on the live cluster (after the sidebar
 * tests, which expect the cluster as it was formed): move a slot range to another master and
 * back, then fail a master over to its replica, through the same commands the slot map and the
 * tree menus run.
 */
import * as assert from 'node:assert/strict';
import calculateSlot from 'cluster-key-slot';
import * as vscode from 'vscode';
import type { ClusterModel } from '../../src/core/model/clusterModel';
import { moveComplete } from '../../src/core/ops/formatOps';
import { replyText } from '../../src/core/redis/adminConnection';
import type { TreeNode } from '../../src/extension/tree/nodes';
import type { ExtensionTest } from './harness';
import { api, liveCluster, readyCluster } from './sidebarSuite';

const ROLE_SWAP_TIMEOUT_MS = 30_000;
/** The range the move test moves, and how many keys it writes there first. */
const MOVED_RANGE = { start: 0, end: 99 };
const MOVED_KEYS = 20;

type MoveReport = Parameters<typeof moveComplete>[0];

async function freshCluster(name: string): Promise<ClusterModel> {
  const { store } = api();
  await store.refresh();
  const cluster = store.cluster(name);
  assert.ok(cluster, `the store does not know cluster ${name}`);
  return cluster;
}

function ownerOf(cluster: ClusterModel, slot: number): string | undefined {
  return cluster.shards.find((s) => s.slots.some((r) => r.start <= slot && slot <= r.end))?.master.node.id;
}

/** `count` keys whose slots lie in the range, each in a slot of its own (hash tags found by trying). */
function keysInRange(range: { start: number; end: number }, count: number, run: string): string[] {
  const keys: string[] = [];
  const slots = new Set<number>();
  for (let i = 0; keys.length < count && i < 1_000_000; i++) {
    const key = `{k9:${i}}:${run}`;
    const slot = calculateSlot(key);
    if (slot >= range.start && slot <= range.end && !slots.has(slot)) {
      slots.add(slot);
      keys.push(key);
    }
  }
  assert.equal(keys.length, count, `found ${count} keys in slots ${range.start}-${range.end}`);
  return keys;
}

/** The cluster's own connections (the extension's router and pool: tunnels or published ports). */
async function connections(cluster: ClusterModel) {
  return api().store.getReader().connectionsFor(cluster.swarm);
}

function masterEndpoint(cluster: ClusterModel, id: string) {
  const shard = cluster.shards.find((s) => s.master.node.id === id);
  assert.ok(shard, `master ${id.slice(0, 8)} is in the model`);
  return shard.master.node.endpoint;
}

/** Runs the command as the slot map does; a failure, which the command reports to the user instead of throwing, fails the test. */
async function moveSlots(name: string, to: string): Promise<MoveReport> {
  const report = await vscode.commands.executeCommand<MoveReport | undefined>('redisSwarm.moveSlots', name, [MOVED_RANGE], to, { confirmed: true });
  assert.ok(report, `redisSwarm.moveSlots to ${to.slice(0, 8)} failed: its error went to an error notification and the Redis Swarm log`);
  assert.ok(moveComplete(report), `not every slot moved: ${[...report.failed.map((f) => f.error), ...report.conflicts.map((c) => c.message)].join('; ') || `${report.notStarted.length} not started`}`);
  return report;
}

/** Each key's value as read on `master`, and how many keys of the keys' slots `master` holds. */
async function readOn(cluster: ClusterModel, master: string, keys: readonly string[]): Promise<{ values: (string | undefined)[]; held: number }> {
  const { pool } = await connections(cluster);
  const ep = masterEndpoint(cluster, master);
  const values = await Promise.all(keys.map(async (k) => (await pool.command(ep, ['GET', k]).then((v) => (v === null ? undefined : replyText(v)), () => undefined))));
  const counts = await Promise.all(keys.map((k) => pool.command(ep, ['CLUSTER', 'COUNTKEYSINSLOT', calculateSlot(k)])));
  return { values, held: counts.reduce<number>((sum, c) => sum + Number(c), 0) };
}

export const opsTests: readonly ExtensionTest[] = [
  {
    name: 'Move Slots moves a range to another master with its keys, and back',
    async run() {
      const name = liveCluster();
      await readyCluster(name);
      const before = await freshCluster(name);
      const from = ownerOf(before, MOVED_RANGE.start);
      const to = before.shards.find((s) => s.master.node.id !== from)?.master.node.id;
      assert.ok(from && to, 'two masters to move between');
      assert.equal(ownerOf(before, MOVED_RANGE.end), from, 'one master owns the whole range');
      const keys = keysInRange(MOVED_RANGE, MOVED_KEYS, Date.now().toString(36));
      const values = keys.map((k, i) => `value ${i} of ${k}`);
      const { pool } = await connections(before);
      const fromEp = masterEndpoint(before, from);
      try {
        for (const [i, k] of keys.entries()) assert.equal(replyText(await pool.command(fromEp, ['SET', k, values[i] as string])), 'OK', `SET ${k}`);

        const there = await moveSlots(name, to);
        assert.ok(there.keysMoved >= keys.length, `the move reports ${there.keysMoved} key(s) moved, fewer than the ${keys.length} written`);
        const moved = await freshCluster(name);
        for (const slot of [MOVED_RANGE.start, 50, MOVED_RANGE.end]) assert.equal(ownerOf(moved, slot), to, `slot ${slot} moved to the target master`);
        assert.equal(ownerOf(moved, MOVED_RANGE.end + 1), from, `slot ${MOVED_RANGE.end + 1} stayed where it was`);
        const onTarget = await readOn(moved, to, keys);
        assert.deepEqual(onTarget.values, values, 'every key reads back with its value from the target master');
        assert.equal((await readOn(moved, from, keys)).held, 0, 'the source master holds none of the keys any more');

        const back = await moveSlots(name, from);
        assert.ok(back.keysMoved >= keys.length, `the move back reports ${back.keysMoved} key(s) moved, fewer than the ${keys.length} written`);
        const after = await freshCluster(name);
        assert.equal(ownerOf(after, MOVED_RANGE.start), from, `slot ${MOVED_RANGE.start} moved back`);
        assert.deepEqual((await readOn(after, from, keys)).values, values, 'every key reads back with its value from the first master again');
        assert.equal((await readOn(after, to, keys)).held, 0, 'the other master holds none of the keys any more');
        assert.equal(after.health, 'ok', 'the cluster is ok after both moves');
      } finally {
        // Whoever owns the range now deletes the keys; a key that cannot be deleted is left to the launcher's cleanup.
        const now = await freshCluster(name);
        const owner = ownerOf(now, MOVED_RANGE.start);
        if (owner) await Promise.all(keys.map((k) => pool.command(masterEndpoint(now, owner), ['DEL', k]).catch(() => undefined)));
      }
    },
  },
  {
    name: 'Failover on a replica of the tree makes it the master of its shard',
    async run() {
      const name = liveCluster();
      const { masters } = await readyCluster(name);
      const replicaItem = masters[0]?.replicas[0];
      assert.ok(replicaItem, 'a replica item in the tree');
      const node = replicaItem.node as TreeNode;
      assert.equal(node.kind, 'replica');
      const replicaId = node.kind === 'replica' ? node.node.node.id : '';
      await vscode.commands.executeCommand('redisSwarm.failover', node, { confirmed: true });
      const deadline = Date.now() + ROLE_SWAP_TIMEOUT_MS;
      for (;;) {
        const cluster = await freshCluster(name);
        if (cluster.shards.some((s) => s.master.node.id === replicaId)) break;
        assert.ok(Date.now() < deadline, `the replica became a master within ${ROLE_SWAP_TIMEOUT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 500));
      }
      await readyCluster(name);
    },
  },
];
