import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { hostSpreadMessage, planHostSpread } from '../../src/core/cluster/hostSpread';
import { type ClusterNode } from '../../src/core/cluster/topology';
import { type SwarmHost } from '../../src/core/swarm/swarmHosts';

const FLAGS = { myself: false, master: false, replica: false, fail: false, pfail: false, handshake: false, noaddr: false, nofailover: false, raw: [] };

function node(id: string, host: string, master?: string): ClusterNode {
  return {
    id,
    endpoint: { host: `192.0.2.${id.length}`, port: 6379 },
    busPort: 16379,
    role: master ? 'replica' : 'master',
    ...(master ? { masterId: master } : {}),
    flags: FLAGS,
    pingSent: 0,
    pongReceived: 0,
    configEpoch: 0,
    linkState: 'connected',
    slots: master ? [] : [{ start: 0, end: 10 }],
    migrating: [],
    importing: [],
    swarm: { service: `svc-${id}`, swarmNode: host, swarmHost: `host-${host}` },
  };
}

function host(id: string, over: Partial<SwarmHost> = {}): SwarmHost {
  return { id, hostname: `host-${id}`, state: 'ready', availability: 'active', role: 'worker', ...over };
}

describe('host spread (a usable swarm node that runs nothing of the cluster)', () => {
  // Three masters a, b, c; host z came back empty, x runs a and b's replica, y runs b, c and the others.
  const nodes = [node('a', 'x'), node('b', 'y'), node('c', 'y'), node('ar', 'y', 'a'), node('br', 'x', 'b'), node('cr', 'x', 'c')];

  it('moves one replica from the fullest host to each empty usable host', () => {
    const moves = planHostSpread(nodes, [host('x'), host('y'), host('z')]);
    assert.equal(moves.length, 1);
    assert.equal(moves[0]?.toHost, 'host-z');
    assert.ok(['host-x', 'host-y'].includes(moves[0]?.fromHost ?? ''));
    const moved = nodes.find((n) => n.id === moves[0]?.nodeId);
    assert.equal(moved?.role, 'replica', 'only replicas move (a master would stop its slots)');
    assert.match(hostSpreadMessage(moves) ?? '', /host-z can take tasks but runs no node of this cluster.*heal --spread-hosts/);
  });

  it('offers nothing when every usable host runs a node, or the empty one is Down or drained', () => {
    assert.deepEqual(planHostSpread(nodes, [host('x'), host('y')]), []);
    assert.deepEqual(planHostSpread(nodes, [host('x'), host('y'), host('z', { state: 'down' })]), []);
    assert.deepEqual(planHostSpread(nodes, [host('x'), host('y'), host('z', { availability: 'drain' })]), []);
    assert.equal(hostSpreadMessage([]), undefined);
  });

  it('prefers a replica whose master keeps another replica', () => {
    const withTwo = [node('a', 'x'), node('ar1', 'x', 'a'), node('ar2', 'y', 'a'), node('b', 'y'), node('br', 'x', 'b')];
    const moves = planHostSpread(withTwo, [host('x'), host('y'), host('z')]);
    assert.equal(moves[0]?.nodeId, 'ar1');
  });

  it('one move per empty host, never the same replica twice', () => {
    const moves = planHostSpread(nodes, [host('x'), host('y'), host('z'), host('w')]);
    assert.equal(moves.length, 2);
    assert.notEqual(moves[0]?.nodeId, moves[1]?.nodeId);
    assert.deepEqual(new Set(moves.map((m) => m.toHost)), new Set(['host-z', 'host-w']));
  });
});
