import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatLoadLines, formatLoadShort, formatMemory, LoadHistory, loadFromInfo, parseSlowlog } from '../../src/core/model/nodeLoad';

const INFO = [
  '# Clients', 'connected_clients:12', '', '# Memory', 'used_memory:3250585', 'maxmemory:67108864', '',
  '# Stats', 'instantaneous_ops_per_sec:1234', 'evicted_keys:7', '', '# Replication', 'role:master', 'master_repl_offset:5000', '',
  '# Keyspace', 'db0:keys=18,expires=0,avg_ttl=0', 'db1:keys=2,expires=0,avg_ttl=0', '',
].join('\r\n');

test('node load: the figures of one INFO reply', () => {
  const l = loadFromInfo(INFO, 1000);
  assert.deepEqual({ ...l }, { at: 1000, opsPerSec: 1234, usedMemory: 3250585, maxMemory: 67108864, clients: 12, keys: 20, evictedKeys: 7, role: 'master', replOffset: 5000 });
  assert.equal(`${formatMemory(l)} · ${formatLoadShort(l)}`, '3.1 MiB of 64 MiB · 1.2k ops/s · 12 clients');
  const replica = loadFromInfo('role:slave\r\nslave_repl_offset:4000\r\n', 1);
  assert.equal(replica.role, 'replica');
  assert.match(formatLoadLines(replica, 5000).join('\n'), /Replication offset lag: 1000 B/);
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(25_400), '25k');
});

test('slowlog entries as ioredis returns them; history keeps the newest samples', () => {
  const entries = parseSlowlog([[3, 1700000000, 15000, ['KEYS', '*'], '127.0.0.1:5000', '']]);
  assert.deepEqual(entries, [{ id: 3, at: 1700000000, micros: 15000, command: 'KEYS *' }]);
  assert.deepEqual(parseSlowlog('nope'), []);
  const h = new LoadHistory(3);
  for (let i = 0; i < 5; i++) h.add(loadFromInfo(`instantaneous_ops_per_sec:${i}`, i));
  assert.deepEqual(h.all.map((s) => s.opsPerSec), [2, 3, 4]);
  assert.equal(h.latest?.opsPerSec, 4);
});

test('dashboard rows: masters then their replicas, with a replica lag from its master offset', async () => {
  const { dashboardRows } = await import('../../src/core/model/dashboardData');
  const { clusterFrom } = await import('./modelSamples');
  const { FORMED_22190 } = await import('./clusterNodesSamples');
  const cluster = clusterFrom(FORMED_22190);
  const histories = new Map<string, ReturnType<typeof loadFromInfo>[]>();
  for (const s of cluster.shards) {
    histories.set(`${s.master.node.endpoint.port}`, [loadFromInfo('role:master\r\nmaster_repl_offset:900\r\ninstantaneous_ops_per_sec:50', 1000)]);
    for (const r of s.replicas) histories.set(`${r.node.endpoint.port}`, [loadFromInfo('role:slave\r\nslave_repl_offset:850', 1000)]);
  }
  const rows = dashboardRows(cluster, (ep) => histories.get(String(ep.port)) ?? []);
  assert.deepEqual(rows.map((r) => r.role), ['master', 'replica', 'master', 'replica', 'master', 'replica']);
  assert.equal(rows[1]?.of, rows[0]?.name);
  assert.equal(rows[1]?.points[0]?.lag, 50);
  assert.equal(rows[0]?.points[0]?.ops, 50);
});

test('tree rows: live figures follow the memory of a master, ops/s the link of a replica; the tooltip has the rest', async () => {
  const { describeMaster, describeReplica } = await import('../../src/core/model/describeNodes');
  const { clusterFrom } = await import('./modelSamples');
  const { FORMED_22190 } = await import('./clusterNodesSamples');
  const cluster = clusterFrom(FORMED_22190);
  const shard = cluster.shards[0];
  assert.ok(shard);
  const load = loadFromInfo(INFO, 1000);
  const m = describeMaster(cluster, shard, load);
  assert.match(m.description, / · 3\.1 MiB of 64 MiB · 1\.2k ops\/s · 12 clients$/);
  assert.match(m.tooltip, /Memory: 3\.1 MiB of 64 MiB \(5%\); evicted keys: 7/);
  const replica = shard.replicas[0];
  assert.ok(replica);
  const r = describeReplica(cluster, shard, replica, loadFromInfo('role:slave\r\nslave_repl_offset:4000\r\ninstantaneous_ops_per_sec:3', 1000), load);
  assert.match(r.description, /^link up · lag 0 B · 3 ops\/s$/);
  assert.match(r.tooltip, /Replication offset lag: 1000 B/);
  assert.doesNotMatch(describeMaster(cluster, shard).description, /ops\/s/, 'not polled: no live figures');
});
