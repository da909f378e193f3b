import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modeDriftFindings } from '../../src/core/swarm/modeDrift';
import { SwarmCluster } from '../../src/core/swarm/discover';

const cluster = (mode: 'cache' | 'persistent'): SwarmCluster => ({ name: 'c', managed: true, mode, nodes: [] });

test('check names the nodes whose setting is not the recorded mode, in heal\'s words', () => {
  const f = modeDriftFindings(cluster('cache'), [{ service: 'c-2', fullCoverage: false }, { service: 'c-3', fullCoverage: true }, { service: 'c-1', fullCoverage: true }], false);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.severity, 'warning');
  assert.equal(f[0]?.code, 'mode-setting');
  assert.match(f[0]?.message ?? '', /^c-1, c-3 still have cluster-require-full-coverage yes, but cluster c is in cache mode/);
  assert.match(f[0]?.message ?? '', /redis-swarm heal/);

  const p = modeDriftFindings(cluster('persistent'), [{ service: 'c-1', fullCoverage: false }, { service: 'c-2', fullCoverage: true }], false);
  assert.match(p[0]?.message ?? '', /^c-1 still have cluster-require-full-coverage no, but cluster c is in persistent mode/);
});

test('nothing to report when every node follows the mode, when a node cannot be asked, or while persistent mode serves partially', () => {
  assert.deepEqual(modeDriftFindings(cluster('cache'), [{ service: 'c-1', fullCoverage: false }, { service: 'c-2' }], false), []);
  assert.deepEqual(modeDriftFindings(cluster('persistent'), [{ service: 'c-1', fullCoverage: true }], false), []);
  assert.deepEqual(modeDriftFindings(cluster('persistent'), [{ service: 'c-1', fullCoverage: false }], true), []);
  // Cache mode reports even while slots are lost: that is when `yes` hurts.
  assert.equal(modeDriftFindings(cluster('cache'), [{ service: 'c-1', fullCoverage: true }], true).length, 1);
});
