/**
 * Live load from real nodes (loopback, ports 26720-26725, bus 26770-26775: 3 masters with a
 * replica each) under a bounded writer: the poller's INFO figures show the writes (ops/s, keys),
 * replicas report their offsets, slow commands show up, and rounds reuse one connection per
 * node (the nodes' client counts do not grow).
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { LoadPoller } from '../../src/core/model/loadPoller';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { startWriter } from '../support/opsWriter';

const BASE = 26720;
/** Writes the writer may make at most: bounded load. */
const WRITER_MAX_OPS = 40_000;
/** Redis's instantaneous_ops_per_sec averages the last 1.6 s (16 samples at 100 ms). */
const OPS_WINDOW_MS = 2_000;

let nodes: LoopbackNodes | undefined;
let router: StaticRouter;
let pool: AdminPool;
let client: Cluster | undefined;

before(async () => {
  nodes = await startOpsNodes(BASE, 6, BASE + 50);
  createWithRedisCli(nodes.endpoints, 1);
  await waitClusterOk(nodes.ports);
  router = new StaticRouter();
  pool = new AdminPool(router);
}, { timeout: 60_000 });

after(async () => {
  client?.disconnect();
  await pool?.close();
  await router?.dispose();
  await nodes?.stop();
}, { timeout: 30_000 });

test('the poller sees a writer: ops/s and keys on the masters, offsets on the replicas, slow commands; one connection per node', { timeout: 90_000 }, async (t) => {
  const endpoints = (nodes?.ports ?? []).map((port) => ({ host: '127.0.0.1', port }));
  const poller = new LoadPoller();
  await poller.poll(pool, endpoints);
  const idle = endpoints.map((ep) => poller.latest(ep));
  assert.ok(idle.every((l) => l !== undefined), 'every node answered the first round');
  const clientsBefore = idle.map((l) => l?.clients ?? 0);

  // A command slower than 0 µs is slow: the slowlog fills at once.
  redisCli(['-p', String(BASE), 'CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  client = new Cluster([{ host: '127.0.0.1', port: BASE }], { redisOptions: { maxRetriesPerRequest: 5 } });
  const writer = startWriter(client, { keys: 2000, workers: 8, maxOps: WRITER_MAX_OPS, prefix: 'load' });
  try {
    await sleep(OPS_WINDOW_MS);
    await poller.poll(pool, endpoints);
    await poller.poll(pool, endpoints);
  } finally {
    const stats = await writer.stop();
    t.diagnostic(`writer: ${stats.writes} writes, ${stats.reads} reads, ${stats.errors.length} errors`);
  }
  const busy = endpoints.map((ep) => poller.latest(ep));
  const masters = busy.filter((l) => l?.role === 'master');
  const replicas = busy.filter((l) => l?.role === 'replica');
  t.diagnostic(`masters: ${masters.map((l) => `${l?.opsPerSec} ops/s, ${l?.keys} keys`).join('; ')}`);
  assert.equal(masters.length, 3);
  assert.ok(masters.reduce((s, l) => s + (l?.opsPerSec ?? 0), 0) > 0, 'the writes show as ops/s on the masters');
  assert.ok(masters.reduce((s, l) => s + (l?.keys ?? 0), 0) > 0, 'and as keys');
  assert.ok(replicas.length === 3 && replicas.every((l) => l?.replOffset !== undefined), 'every replica reports its offset');
  assert.equal(poller.history(endpoints[0] as { host: string; port: number })?.all.length, 3, 'three rounds, three samples');

  await poller.poll(pool, endpoints);
  await poller.poll(pool, endpoints);
  await poller.poll(pool, endpoints); // round 6: the slowlog is read again
  const slow = poller.latest(endpoints[0] as { host: string; port: number })?.slowlog ?? [];
  t.diagnostic(`slowlog of ${BASE}: ${slow.map((s) => `${s.micros} µs ${s.command}`).join(' | ')}`);
  assert.ok(slow.length > 0, 'the newest slow commands are read');
  redisCli(['-p', String(BASE), 'CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);

  client.disconnect();
  client = undefined;
  await sleep(200);
  await poller.poll(pool, endpoints);
  const clientsAfter = endpoints.map((ep) => poller.latest(ep)?.clients ?? 0);
  assert.deepEqual(clientsAfter, clientsBefore, 'six rounds later each node still has the same clients: the poller keeps one connection per node');
});
