import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterStartsExpanded, filterClusters, masterStartsExpanded } from '../../src/core/model/treeLayout';
import { FORMED_22190 } from './clusterNodesSamples';
import { clusterFrom } from './modelSamples';

test('tree: a few small clusters open by themselves; many clusters, or a huge one, start folded', () => {
  assert.equal(clusterStartsExpanded(1, 6), true);
  assert.equal(clusterStartsExpanded(3, 6), true);
  assert.equal(clusterStartsExpanded(4, 6), false, 'four clusters: folded');
  assert.equal(clusterStartsExpanded(1, 600), false, 'one cluster of 600 nodes: folded');
  assert.equal(masterStartsExpanded(6), true);
  assert.equal(masterStartsExpanded(600), false);
});

test('tree filter: words match the name or the state, case-insensitively; empty keeps all', () => {
  const clusters = [clusterFrom(FORMED_22190, 'ok', 'cache-eu'), clusterFrom(FORMED_22190, 'fail', 'cache-us'), clusterFrom(FORMED_22190, 'ok', 'sessions')];
  assert.deepEqual(filterClusters(clusters, 'CACHE').map((c) => c.name), ['cache-eu', 'cache-us']);
  assert.deepEqual(filterClusters(clusters, 'fail').map((c) => c.name), ['cache-us']);
  assert.deepEqual(filterClusters(clusters, 'cache ok').map((c) => c.name), ['cache-eu']);
  assert.equal(filterClusters(clusters, '  ').length, 3);
  assert.equal(filterClusters(clusters, undefined).length, 3);
});
