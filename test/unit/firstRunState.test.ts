/**
 * Where a first-time user stands, from the model the sidebar read: the welcome view shown and
 * the commands offered follow from it (src/extension/firstRun/firstRunState.ts).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildClusterModel, type SwarmModel } from '../../src/core/model/clusterModel';
import { firstRunContext, firstRunState } from '../../src/extension/firstRun/firstRunState';
import { ENGINE, SWARM, clusterFrom } from './modelSamples';
import { FORMED_22190 } from './clusterNodesSamples';

const model = (over: Partial<SwarmModel> = {}): SwarmModel => ({ engine: ENGINE, clusters: [], readAt: 0, ...over });

describe('first-run state from the model', () => {
  it('no engine: the last read failed, whatever model is left from before', () => {
    assert.equal(firstRunState(undefined, 'Cannot reach the Docker engine at unix:///nowhere.sock'), 'noEngine');
    assert.equal(firstRunState(model({ clusters: [clusterFrom(FORMED_22190)] }), 'Cannot reach the Docker engine'), 'noEngine');
    assert.equal(firstRunState(undefined, undefined), 'noEngine');
  });

  it('an engine in no swarm, and one that cannot manage services', () => {
    assert.equal(firstRunState(model({ engine: { ...ENGINE, swarm: 'inactive', isManager: false } }), undefined), 'swarmInactive');
    assert.equal(firstRunState(model({ engine: { ...ENGINE, isManager: false } }), undefined), 'notManager');
    assert.equal(firstRunState(model({ engine: { ...ENGINE, swarm: 'locked' } }), undefined), 'notManager');
    assert.equal(firstRunState(model({ engine: { ...ENGINE, swarm: 'pending' } }), undefined), 'notManager');
  });

  it('a manager with no cluster, then with clusters', () => {
    assert.equal(firstRunState(model(), undefined), 'noCluster');
    assert.equal(firstRunState(model({ clusters: [clusterFrom(FORMED_22190)] }), undefined), 'clusters');
  });

  it('context keys: formed and unformed clusters enable different commands', () => {
    const unformed = buildClusterModel({ ...SWARM, name: 'fresh' }, undefined);
    assert.deepEqual(firstRunContext(model({ clusters: [unformed] }), undefined), {
      'redisSwarm.modelRead': true,
      'redisSwarm.state': 'clusters',
      'redisSwarm.swarmReady': true,
      'redisSwarm.hasCluster': true,
      'redisSwarm.hasFormedCluster': false,
      'redisSwarm.hasUnformedCluster': true,
    });
    const both = firstRunContext(model({ clusters: [unformed, clusterFrom(FORMED_22190)] }), undefined);
    assert.equal(both['redisSwarm.hasFormedCluster'], true);
    assert.equal(both['redisSwarm.hasUnformedCluster'], true);
  });

  it('context keys: an unreachable engine offers nothing that needs a swarm, even with an old model', () => {
    const keys = firstRunContext(model({ clusters: [clusterFrom(FORMED_22190)] }), 'Cannot reach the Docker engine');
    assert.equal(keys['redisSwarm.state'], 'noEngine');
    assert.equal(keys['redisSwarm.swarmReady'], false);
    assert.equal(keys['redisSwarm.hasCluster'], false);
    assert.equal(keys['redisSwarm.hasFormedCluster'], false);
  });
});
