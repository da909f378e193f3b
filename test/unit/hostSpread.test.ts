import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { hostSpreadMessage, masterSpreadMessage, planHostSpread, planMasterSpread } from '../../src/core/cluster/hostSpread';
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

  it("moves a replica of the host with the most masters, so that one of them can then fail over there", () => {
    // After a drain: x runs masters a, b and c's replica; y runs c and the replicas of a and b; z is empty.
    const after = [node('a', 'x'), node('b', 'x'), node('cr', 'x', 'c'), node('c', 'y'), node('ar', 'y', 'a'), node('br', 'y', 'b')];
    const moves = planHostSpread(after, [host('x'), host('y'), host('z')]);
    assert.equal(moves.length, 1);
    assert.ok(['ar', 'br'].includes(moves[0]?.nodeId ?? ''), `moved ${moves[0]?.nodeId}, not a replica of x's masters`);
    // The moved replica comes back serving its master; a failover then spreads the masters.
    const moved = after.map((n) => (n.id === moves[0]?.nodeId ? { ...n, swarm: { service: `svc-${n.id}`, swarmNode: 'z', swarmHost: 'host-z' } } : n));
    assert.equal(planMasterSpread(moved, [host('x'), host('y'), host('z')])[0]?.toHost, 'host-z');
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

describe('master spread (a host that runs too many masters to survive losing it)', () => {
  const hosts = [host('x'), host('y'), host('z')];

  it('hands a master on the host with two to its replica on the host with none', () => {
    // x runs masters a and b (b promoted there when its host died), z came back with b's replica.
    const nodes = [node('a', 'x'), node('b', 'x'), node('c', 'y'), node('ar', 'y', 'a'), node('br', 'z', 'b'), node('cr', 'x', 'c')];
    const moves = planMasterSpread(nodes, hosts);
    assert.deepEqual(moves.map((m) => [m.master, m.replica, m.fromHost, m.toHost]), [['svc-b', 'svc-br', 'host-x', 'host-z']]);
    assert.match(masterSpreadMessage(moves, nodes) ?? '', /host-x runs 2 of the 3 masters: losing it leaves too few masters to elect/);
  });

  it('does nothing when no replica of the crowded host\'s masters lives on a host with two fewer masters', () => {
    const nodes = [node('a', 'x'), node('b', 'x'), node('c', 'y'), node('ar', 'y', 'a'), node('br', 'y', 'b'), node('cr', 'z', 'c')];
    assert.deepEqual(planMasterSpread(nodes, hosts), []);
    assert.equal(masterSpreadMessage([], nodes), undefined);
  });

  it('never swaps which host is fullest (two hosts, three masters), nor acts on one host', () => {
    const nodes = [node('a', 'x'), node('b', 'x'), node('c', 'y'), node('ar', 'y', 'a'), node('br', 'y', 'b'), node('cr', 'x', 'c')];
    assert.deepEqual(planMasterSpread(nodes, [host('x'), host('y')]), []);
    assert.deepEqual(planMasterSpread(nodes, [host('x')]), []);
  });

  it('spreads four masters from one host over three, one failover at a time', () => {
    const nodes = [node('a', 'x'), node('b', 'x'), node('c', 'x'), node('d', 'y'), node('ar', 'y', 'a'), node('br', 'z', 'b'), node('cr', 'z', 'c'), node('dr', 'x', 'd')];
    const moves = planMasterSpread(nodes, hosts);
    const after = new Map([['x', 3], ['y', 1], ['z', 0]]);
    for (const m of moves) {
      after.set(m.fromHost.slice(5), (after.get(m.fromHost.slice(5)) ?? 0) - 1);
      after.set(m.toHost.slice(5), (after.get(m.toHost.slice(5)) ?? 0) + 1);
    }
    assert.ok(Math.max(...after.values()) - Math.min(...after.values()) <= 1, `balanced: ${JSON.stringify([...after])}`);
  });
});
