/**
 * Extension-host tests of the operations commands on the live cluster (after the sidebar
 * tests, which expect the cluster as it was formed): move a slot range to another master and
 * back, then fail a master over to its replica, through the same commands the slot map and the
 * tree menus run.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClusterModel } from '../../src/core/model/clusterModel';
import type { TreeNode } from '../../src/extension/tree/nodes';
import type { ExtensionTest } from './harness';
import { api, liveCluster, readyCluster } from './sidebarSuite';

const ROLE_SWAP_TIMEOUT_MS = 30_000;

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

export const opsTests: readonly ExtensionTest[] = [
  {
    name: 'Move Slots moves a range to another master with its keys, and back',
    async run() {
      const name = liveCluster();
      await readyCluster(name);
      const before = await freshCluster(name);
      const from = ownerOf(before, 0);
      const to = before.shards.find((s) => s.master.node.id !== from)?.master.node.id;
      assert.ok(from && to, 'two masters to move between');
      await vscode.commands.executeCommand('redisSwarm.moveSlots', name, [{ start: 0, end: 99 }], to);
      const moved = await freshCluster(name);
      for (const slot of [0, 50, 99]) assert.equal(ownerOf(moved, slot), to, `slot ${slot} moved to the target master`);
      assert.equal(ownerOf(moved, 100), from, 'slot 100 stayed where it was');
      await vscode.commands.executeCommand('redisSwarm.moveSlots', name, [{ start: 0, end: 99 }], from);
      const back = await freshCluster(name);
      assert.equal(ownerOf(back, 0), from, 'slot 0 moved back');
      assert.equal(back.health, 'ok', 'the cluster is ok after both moves');
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
      await vscode.commands.executeCommand('redisSwarm.failover', node);
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
