/**
 * `slotsInFlight` bounds the slots open at once, with either engine: while a reshard runs on a
 * real loopback cluster (redis-server on ports 25500-25502, bus ports 25550-25552), the
 * receiving master's own CLUSTER NODES line is read again and again, and it never shows more
 * importing slots than the setting allows (nor does the source show more migrating ones).
 * Every slot is opened IMPORTING first and closed there first, so each reading is a lower
 * bound on the slots open at that instant.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import Redis from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { readTopology } from '../../src/core/cluster/readTopology';
import { type ClusterNode } from '../../src/core/cluster/topology';
import { type MoveEngine } from '../../src/core/ops/mover';
import { applyReshard, planReshardOn } from '../../src/core/ops/reshard';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { createWithRedisCli, type LoopbackNodes, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 25500;
const BUS_BASE = 25550;
const SEED = { host: '127.0.0.1', port: BASE };
/** The slots each reshard moves, and keys per slot: enough MIGRATE rounds for many readings. */
const SLOTS = 600;
const KEYS_PER_SLOT = 20;
const SLOTS_IN_FLIGHT = 16;
/** Bound on the readings of one move (a limit, not an expectation of speed). */
const MAX_SAMPLES = 200_000;

/** Open slots on a node's own CLUSTER NODES line: `[slot-<-id]` importing, `[slot->-id]` migrating. */
async function openOn(conn: Redis, arrow: '-<-' | '->-'): Promise<number> {
  const text = String(await conn.call('CLUSTER', 'NODES'));
  const self = text.split('\n').find((l) => l.includes('myself')) ?? '';
  return self.split(' ').filter((f) => f.startsWith('[') && f.includes(arrow)).length;
}

describe('slots in flight', { timeout: 300_000 }, () => {
  let nodes: LoopbackNodes | undefined;
  let pool: AdminPool | undefined;
  const conns: Redis[] = [];

  before(async () => {
    nodes = await startOpsNodes(BASE, 3, BUS_BASE);
    createWithRedisCli(nodes.endpoints, 0);
    await waitClusterOk(nodes.ports);
    pool = new AdminPool(new StaticRouter());
    for (const port of nodes.ports) conns.push(new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 3 }));
    await Promise.all(conns.map((c) => c.connect()));
  });

  after(async () => {
    for (const c of conns) c.disconnect();
    await pool?.close();
    await nodes?.stop();
  });

  /** KEYS_PER_SLOT keys in each of the slots `from` owns among 0..SLOTS-1, written on `from` itself. */
  async function load(from: ClusterNode, tag: string): Promise<void> {
    const conn = conns[(nodes as LoopbackNodes).ports.indexOf(from.endpoint.port)] as Redis;
    const perSlot = new Map<number, number>();
    const batch = conn.pipeline();
    for (let i = 0; perSlot.size < SLOTS || [...perSlot.values()].some((n) => n < KEYS_PER_SLOT); i++) {
      const key = `${tag}:${i}`;
      const slot = calculateSlot(key);
      if (slot >= SLOTS || (perSlot.get(slot) ?? 0) >= KEYS_PER_SLOT) continue;
      perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
      batch.set(key, 'v');
    }
    await batch.exec();
  }

  for (const engine of ['migrate', 'copy'] as const satisfies readonly MoveEngine[]) {
    it(`the ${engine} engine never has more than slotsInFlight slots open`, async () => {
      const p = pool as AdminPool;
      const t = await readTopology(new StaticRouter(), [SEED], { pool: p });
      const source = t.nodes.find((n) => n.slots.some((r) => r.start === 0));
      const target = t.nodes.find((n) => n.role === 'master' && n !== source);
      assert.ok(source && target, 'a source owning slot 0 and another master');
      await load(source, `k-${engine}`);
      const plan = planReshardOn(t, { to: target.id, ranges: [{ start: 0, end: SLOTS - 1 }] });
      const ports = (nodes as LoopbackNodes).ports;
      const onTarget = conns[ports.indexOf(target.endpoint.port)] as Redis;
      const onSource = conns[ports.indexOf(source.endpoint.port)] as Redis;

      let moving = true;
      const most = { importing: 0, migrating: 0, samples: 0 };
      const sampler = (async () => {
        for (; moving && most.samples < MAX_SAMPLES; most.samples++) {
          const [importing, migrating] = await Promise.all([openOn(onTarget, '-<-'), openOn(onSource, '->-')]);
          most.importing = Math.max(most.importing, importing);
          most.migrating = Math.max(most.migrating, migrating);
          await yieldTurn();
        }
      })();
      const report = await applyReshard({ pool: p, settings: { slotsInFlight: SLOTS_IN_FLIGHT, keysPerMigrate: 5, engine } }, t, plan).finally(() => {
        moving = false;
      });
      await sampler;

      assert.equal(report.moved.length, SLOTS, `every slot moved: ${JSON.stringify(report.failed.slice(0, 3))}`);
      assert.ok(most.importing > 0, `the readings saw the move (${most.samples} readings)`);
      assert.ok(most.importing <= SLOTS_IN_FLIGHT, `at most ${SLOTS_IN_FLIGHT} slots importing at once, saw ${most.importing}`);
      assert.ok(most.migrating <= SLOTS_IN_FLIGHT, `at most ${SLOTS_IN_FLIGHT} slots migrating at once, saw ${most.migrating}`);
    });
  }
});
