import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterModel, type SwarmModel } from '../../src/core/model/clusterModel';
import { modelChanges } from '../../src/core/model/modelChanges';
import { FORMED_22190 } from './clusterNodesSamples';
import { ENGINE, clusterFrom } from './modelSamples';

function model(...clusters: ClusterModel[]): SwarmModel {
  return { engine: ENGINE, clusters, readAt: 0 };
}

/** FORMED_22190 after redis-5 (e71037…, replica of redis-1 e49484…) took over slots 0-5460. */
function promoted(): string {
  const oldMaster = 'e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61';
  const replica = 'e71037220ac3fac1a576a8de74d411c94ffa7c67';
  return FORMED_22190.split('\n')
    .map((line) => {
      if (line.startsWith(replica)) return line.replace(`slave ${oldMaster}`, 'master -').replace(/connected$/, 'connected 0-5460');
      if (line.startsWith(oldMaster)) return line.replace('myself,master - ', `myself,slave ${replica} `).replace(/ 0-5460$/, '');
      return line;
    })
    .join('\n');
}

test('no previous model: nothing to report', () => {
  assert.deepEqual(modelChanges(undefined, model(clusterFrom(FORMED_22190))), []);
});

test('the same model twice: nothing to report', () => {
  assert.deepEqual(modelChanges(model(clusterFrom(FORMED_22190)), model(clusterFrom(FORMED_22190))), []);
});

test('a cluster going from ok to fail is a warning naming it', () => {
  const changes = modelChanges(model(clusterFrom(FORMED_22190)), model(clusterFrom(FORMED_22190, 'fail')));
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const [c] = changes;
  assert.equal(c?.kind, 'cluster-failed');
  assert.equal(c?.severity, 'warning');
  assert.match(c?.message ?? '', /"redis" went from ok to fail/);
});

test('a cluster coming back from fail to ok is only info', () => {
  const changes = modelChanges(model(clusterFrom(FORMED_22190, 'fail')), model(clusterFrom(FORMED_22190)));
  assert.deepEqual(changes.map((c) => [c.kind, c.severity]), [['cluster-recovered', 'info']]);
});

test('a replica promoted in place of its master is a failover warning with both IDs', () => {
  const before = clusterFrom(FORMED_22190);
  const after = clusterFrom(promoted());
  assert.equal(after.shards[0]?.master.node.id, 'e71037220ac3fac1a576a8de74d411c94ffa7c67', 'the sample edit did not promote the replica');
  const changes = modelChanges(model(before), model(after));
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const [c] = changes;
  assert.ok(c && c.kind === 'failover');
  assert.equal(c.oldMasterId, 'e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61');
  assert.equal(c.newMasterId, 'e71037220ac3fac1a576a8de74d411c94ffa7c67');
  assert.match(c.message, /slots 0-5460 moved from .* to .*its replica/);
});

test('slots moving between existing masters (a reshard) is not a failover', () => {
  const moved = FORMED_22190.replace(' 0-5460\n', '\n').replace('connected 5461-10922', 'connected 0-10922');
  const changes = modelChanges(model(clusterFrom(FORMED_22190)), model(clusterFrom(moved)));
  assert.deepEqual(changes.filter((c) => c.kind === 'failover'), []);
});

test('clusters that appear or disappear are not reported', () => {
  assert.deepEqual(modelChanges(model(), model(clusterFrom(FORMED_22190, 'fail'))), []);
  assert.deepEqual(modelChanges(model(clusterFrom(FORMED_22190)), model()), []);
});

test('each cluster is compared with its own previous state', () => {
  const before = model(clusterFrom(FORMED_22190, 'ok', 'a'), clusterFrom(FORMED_22190, 'ok', 'b'));
  const after = model(clusterFrom(FORMED_22190, 'ok', 'a'), clusterFrom(FORMED_22190, 'fail', 'b'));
  assert.deepEqual(modelChanges(before, after).map((c) => c.cluster), ['b']);
});

