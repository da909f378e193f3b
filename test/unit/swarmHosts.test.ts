/** Swarm nodes as the views name them, and what deploy says about where its tasks landed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostSpread, hostTrouble, type SwarmHost, toSwarmHost } from '../../src/core/swarm/swarmHosts';

const host = (hostname: string, over: Partial<SwarmHost> = {}): SwarmHost => ({ id: `id-${hostname}`, hostname, state: 'ready', availability: 'active', role: 'worker', ...over });

test("a node as Docker lists it: hostname, state, availability, role, and Docker's words when it is not ready", () => {
  assert.deepEqual(toSwarmHost({ ID: 'n1', Description: { Hostname: 'box-1' }, Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'ready' } }), {
    id: 'n1',
    hostname: 'box-1',
    state: 'ready',
    availability: 'active',
    role: 'manager',
  });
  const down = toSwarmHost({ ID: 'n2', Description: { Hostname: 'box-2' }, Spec: { Role: 'worker', Availability: 'drain' }, Status: { State: 'down', Message: 'heartbeat failure' } });
  assert.equal(down?.message, 'heartbeat failure');
  assert.equal(down && hostTrouble(down), 'Down', 'Down comes before drained');
  assert.equal(hostTrouble(host('a', { availability: 'drain' })), 'drained');
  assert.equal(hostTrouble(host('a', { availability: 'pause' })), 'paused');
  assert.equal(hostTrouble(host('a')), undefined);
  assert.equal(toSwarmHost({ ID: 'abcdef0123456789' })?.hostname, 'abcdef012345', 'no hostname: the short ID');
  assert.equal(toSwarmHost({}), undefined);
});

test('deploy on one host with replicas: a warning that losing the host stops the cluster', () => {
  const placed = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'].map((service) => ({ service, host: 'box-1' }));
  const s = hostSpread(placed, 1, [host('box-1')]);
  assert.deepEqual(s.byHost, [{ host: 'box-1', services: ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'] }]);
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0] ?? '', /Every node runs on one swarm node \(box-1\): each replica will share its master's host, so losing that host stops the cluster/);
  assert.doesNotMatch(s.warnings[0] ?? '', /--constraint may have kept/, 'one node in the swarm: nothing was kept out');
  assert.deepEqual(hostSpread(placed, 0, [host('box-1')]).warnings, [], 'no replicas: nothing to protect');
});

test('constraints keep tasks on fewer hosts than the swarm has: said, with the count', () => {
  const placed = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'].map((service) => ({ service, host: 'box-2' }));
  const s = hostSpread(placed, 1, [host('box-1'), host('box-2'), host('box-3'), host('box-4', { state: 'down' })]);
  assert.match(s.warnings[0] ?? '', /\(3 swarm nodes take tasks; --constraint may have kept the others out\)/);
});

test('two hosts for two replicas per master: siblings share a host; three hosts: no warning', () => {
  const two = hostSpread(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((service, i) => ({ service, host: `box-${(i % 2) + 1}` })), 2, [host('box-1'), host('box-2')]);
  assert.match(two.warnings[0] ?? '', /run on 2 swarm nodes, fewer than the 3 copies of each shard/);
  assert.deepEqual(two.byHost.map((h) => [h.host, h.services.length]), [['box-1', 5], ['box-2', 4]], 'fullest first');
  const three = hostSpread(['a', 'b', 'c', 'd', 'e', 'f'].map((service, i) => ({ service, host: `box-${(i % 3) + 1}` })), 1, [host('box-1'), host('box-2'), host('box-3')]);
  assert.deepEqual(three.warnings, []);
});
