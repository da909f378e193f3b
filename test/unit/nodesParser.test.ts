import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSignature, parseClusterNodes, parseNodeLine } from '../../src/core/cluster/nodesParser';
import { FORMED_22190, OPEN_AND_FAILED_22190, OPEN_AND_FAILED_22191 } from './clusterNodesSamples';

test('parses a formed 6-node cluster: endpoints, hostnames, roles, masters, epochs, slots', () => {
  const v = parseClusterNodes(FORMED_22190);
  assert.equal(v.nodes.length, 6);
  assert.equal(v.self.id, 'e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61');
  assert.deepEqual(v.self.endpoint, { host: '127.0.0.1', port: 22190 });
  assert.equal(v.self.busPort, 32190);
  assert.equal(v.self.hostname, 'redis-1.example');
  assert.equal(v.self.role, 'master');
  assert.equal(v.self.masterId, undefined);
  assert.equal(v.self.configEpoch, 1);
  assert.deepEqual(v.self.slots, [{ start: 0, end: 5460 }]);
  const replica = v.nodes.find((n) => n.endpoint.port === 22194);
  assert.equal(replica?.role, 'replica');
  assert.equal(replica?.masterId, v.self.id);
  assert.equal(replica?.linkState, 'connected');
  assert.deepEqual(replica?.slots, []);
});

test('parses migrating and importing slots on both sides of a move', () => {
  const src = parseClusterNodes(OPEN_AND_FAILED_22190).self;
  const dst = parseClusterNodes(OPEN_AND_FAILED_22191).self;
  assert.deepEqual(src.slots, [{ start: 0, end: 5460 }]);
  assert.deepEqual(src.migrating, [{ slot: 100, peerId: dst.id }]);
  assert.deepEqual(dst.importing, [{ slot: 100, peerId: src.id }]);
  assert.deepEqual(dst.migrating, []);
});

test('parses a failed, disconnected replica: fail flag, link down, ping times kept', () => {
  const failed = parseClusterNodes(OPEN_AND_FAILED_22190).nodes.find((n) => n.endpoint.port === 22195);
  assert.ok(failed);
  assert.equal(failed.flags.fail, true);
  assert.equal(failed.flags.pfail, false);
  assert.equal(failed.flags.replica, true);
  assert.equal(failed.linkState, 'disconnected');
  assert.ok(failed.pingSent > 0);
});

test('parses a node with no address yet (fresh node) and the noaddr / handshake / fail? flags', () => {
  const fresh = parseNodeLine('e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61 :22190@32190,redis-1.example myself,master - 0 0 0 connected');
  assert.equal(fresh.endpoint.host, '');
  assert.equal(fresh.endpoint.port, 22190);
  const odd = parseNodeLine('0000000000000000000000000000000000000001 :0@0 master,fail?,noaddr,handshake - 1 2 0 disconnected');
  assert.equal(odd.flags.noaddr, true);
  assert.equal(odd.flags.pfail, true);
  assert.equal(odd.flags.handshake, true);
  assert.equal(odd.flags.fail, false, '"fail?" is pfail, not fail');
});

test('parses lines without a hostname, with single slots, several ranges and 7.2 aux fields', () => {
  const n = parseNodeLine('07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected');
  assert.equal(n.hostname, undefined);
  const m = parseNodeLine('e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 192.0.2.15:6379@16379,,shard-id=abc master - 0 0 7 connected 0-10 12 20-30');
  assert.equal(m.hostname, undefined);
  assert.deepEqual(m.slots, [{ start: 0, end: 10 }, { start: 12, end: 12 }, { start: 20, end: 30 }]);
  const h = parseNodeLine('e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 192.0.2.15:6379@16379,redis-3,shard-id=abc master - 0 0 7 connected');
  assert.equal(h.hostname, 'redis-3');
});

test('refuses malformed lines with a sentence quoting the line', () => {
  assert.throws(() => parseNodeLine('not a node line'), /Unexpected CLUSTER NODES line/);
  assert.throws(() => parseNodeLine('e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 1.2.3.4:1@2 master - 0 0 7 connected 16384'), /bad slot/);
  assert.throws(() => parseClusterNodes(''), /no "myself" line/);
});

test('config signatures are equal for views agreeing on slots, whatever the line order', () => {
  const a = parseClusterNodes(OPEN_AND_FAILED_22190);
  const b = parseClusterNodes(OPEN_AND_FAILED_22191);
  assert.equal(configSignature(a), configSignature(b));
  assert.equal(configSignature(a).split('|').length, 3);
});
