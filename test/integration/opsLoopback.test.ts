/**
 * Operations on a real loopback cluster (redis-server processes, ports 23000-23005, bus 23050-23055): failover,
 * reshard and rebalance under a live writer, cancel, a BUSYKEY conflict, fix of a crashed move.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import Redis, { Cluster } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { checkCluster } from '../../src/core/cluster/check';
import { readTopology } from '../../src/core/cluster/readTopology';
import { type ClusterTopology, countSlots } from '../../src/core/cluster/topology';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { failover } from '../../src/core/ops/failover';
import { applyReshard, planReshardOn } from '../../src/core/ops/reshard';
import { type MoveEngine } from '../../src/core/ops/mover';
import { applyRebalance, planRebalanceOn } from '../../src/core/ops/rebalance';
import { type CancellationToken } from '../../src/core/lifecycle';
import { copyChunk, copySlot, listSlotKeys, TargetCopies } from '../../src/core/ops/mover/copySlot';
import { WireLink } from '../../src/core/redis/wireLink';
import { applyFix, planFix } from '../../src/core/ops/fix';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { startWriter, verifyAcked } from '../support/opsWriter';

const BASE = 23000;
const SEED = { host: '127.0.0.1', port: BASE };

describe('operations on a loopback cluster', { timeout: 240_000 }, () => {
  let nodes: LoopbackNodes | undefined;
  let router: StaticRouter;
  let pool: AdminPool;
  let client: Cluster;

  const topo = (): Promise<ClusterTopology> => readTopology(router, [SEED], { pool });
  const masters = (t: ClusterTopology) => t.nodes.filter((n) => n.role === 'master' && n.slots.length > 0).sort((a, b) => a.endpoint.port - b.endpoint.port);
  const assertHealthy = async (what: string): Promise<ClusterTopology> => {
    // Gossip settles in a moment after the last SETSLOT; give it a short, bounded wait.
    let t = await topo();
    for (let i = 0; i < 60 && !checkCluster(t).ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      t = await topo();
    }
    const report = checkCluster(t);
    const open = t.views.flatMap((v) => [...v.view.self.migrating, ...v.view.self.importing]);
    assert.deepEqual(open, [], `${what}: no slot is left open`);
    assert.ok(report.ok, `${what}: the cluster checks ok: ${report.findings.filter((f) => f.severity === 'error').map((f) => f.message).join('; ')}`);
    return t;
  };

  before(async () => {
    nodes = await startOpsNodes(BASE, 6, BASE + 50);
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    router = new StaticRouter();
    pool = new AdminPool(router);
    client = new Cluster([{ host: '127.0.0.1', port: BASE }], { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } });
    // 20,000 keys of data over all slots, besides the writer's own keys.
    for (let i = 0; i < 20_000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => client.set(`data:${i + j}`, `v${i + j}`)));
    }
  });

  after(async () => {
    client?.disconnect();
    await pool?.close();
    await nodes?.stop();
  });

  it('failover promotes a replica and waits until the roles have swapped', async () => {
    const t = await topo();
    const replica = t.nodes.find((n) => n.role === 'replica');
    assert.ok(replica?.masterId, 'a replica to promote');
    const r = await failover(pool, replica.endpoint);
    assert.equal(r.newMasterId, replica.id);
    assert.ok(r.oldMasterConfirmed, 'the old master reports itself a replica of the new one');
    const after = await topo();
    assert.equal(after.nodes.find((n) => n.id === replica.id)?.role, 'master');
    assert.equal(after.nodes.find((n) => n.id === replica.masterId)?.masterId, replica.id);
    await assertHealthy('after failover');
  });

  it('reshard under a live writer: every acknowledged write reads back, no slot left open', () => reshardUnderWriter('migrate'));
  it('the copy engine under a live writer: every acknowledged write reads back, no slot left open', () => reshardUnderWriter('copy'));

  async function reshardUnderWriter(engine: MoveEngine): Promise<void> {
    const writer = startWriter(client, { keys: 5000, prefix: `rs-${engine}` });
    await new Promise((r) => setTimeout(r, 300));
    const t = await topo();
    const [target] = masters(t);
    assert.ok(target);
    const plan = planReshardOn(t, { to: target.id, from: 'all', slots: 3000 });
    assert.equal(plan.moves.length, 3000);
    const report = await applyReshard({ pool, settings: { slotsInFlight: 32, keysPerMigrate: 100, engine } }, t, plan);
    await new Promise((r) => setTimeout(r, 300));
    const stats = await writer.stop();
    assert.equal(report.moved.length, 3000, `all slots moved: ${JSON.stringify(report.failed.slice(0, 3))}`);
    assert.ok(report.keysMoved > 0);
    assert.ok(stats.writes > 500, `the writer kept writing (${stats.writes} writes)`);
    assert.deepEqual(stats.staleReads, [], 'reads during the move saw the last write');
    const after = await assertHealthy('after reshard');
    assert.equal(countSlots(after.nodes.find((n) => n.id === target.id)?.slots ?? []), countSlots(target.slots) + 3000);
    assert.deepEqual(await verifyAcked(client, writer.acked), [], 'every acknowledged write is readable');
    const data = await Promise.all(Array.from({ length: 2000 }, (_, i) => client.get(`data:${i * 10}`)));
    assert.ok(data.every((v, i) => v === `v${i * 10}`), 'the preloaded data is intact');
  }

  it('the copy engine: a key written during the copy ends with its last value, TTLs are kept', async () => {
    const t = await topo();
    const [a, b] = masters(t);
    assert.ok(a && b);
    const slot = a.slots[a.slots.length - 1]?.end ?? 0;
    let tag = '';
    for (let i = 0; tag === ''; i++) if (calculateSlot(`{cw${i}}`) === slot) tag = `{cw${i}}`;
    const changing = `${tag}:changing`;
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.set(`${tag}:plain:${i}`, `p${i}`)));
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.set(`${tag}:ttl:${i}`, `t${i}`, 'PX', 600_000)));
    await client.set(changing, 'first');
    const link = (port: number): Promise<WireLink> => WireLink.open({ announced: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port }, timeoutMs: 10_000 });
    const source = await link(a.endpoint.port);
    const target = await link(b.endpoint.port);
    let handedOver = false;
    try {
      // The write lands after the snapshot and before the hand-over: when the copies are restored.
      let writes = 0;
      const send = target.send.bind(target);
      target.send = async (w, maxBytes) => {
        if (writes++ === 0) await client.set(changing, 'last');
        return send(w, maxBytes);
      };
      redisCli(['-p', String(b.endpoint.port), 'cluster', 'setslot', String(slot), 'importing', a.id]);
      const limits = { maxKeys: 1000, maxBytes: 1 << 20 };
      const [keys] = await listSlotKeys(source, [slot], limits.maxKeys);
      // The slot may hold the preloaded data's keys too.
      assert.ok(keys && !(keys instanceof Error) && keys.length >= 31, 'the slot lists at least our 31 keys');
      const ours = new TargetCopies();
      const first = (await copyChunk(source, [{ slot, targetId: b.id, keys, target, ours }], limits)).get(slot);
      assert.equal(writes, 1, 'the write happened during the copy');
      assert.equal(first?.kind, 'retry', `the changed key stops the hand-over: ${JSON.stringify(first)}`);
      assert.equal(ours.size, keys.length, 'the first attempt left its copies, invisible, on the target');
      assert.equal(await client.get(changing), 'last', 'the source still serves the new value');
      const second = await copySlot(source, { slot, targetId: b.id, target, ours }, limits);
      assert.deepEqual(second, { kind: 'committed', keys: keys.length, left: 0 });
      assert.equal(Number(redisCli(['-p', String(a.endpoint.port), 'cluster', 'countkeysinslot', String(slot)]).toString().trim()), 0, 'the source gave every key up');
      for (const n of [b, a, ...masters(t).filter((m) => m.id !== a.id && m.id !== b.id)]) {
        redisCli(['-p', String(n.endpoint.port), 'cluster', 'setslot', String(slot), 'node', b.id]);
      }
      handedOver = true;
    } finally {
      // A failed run leaves the slot as it was (the copies are invisible while it is importing).
      if (!handedOver) redisCli(['-p', String(b.endpoint.port), 'cluster', 'setslot', String(slot), 'stable']);
      source.close();
      target.close();
    }
    assert.equal(await client.get(changing), 'last', 'the key written during the copy has its last value');
    const plain = await Promise.all(Array.from({ length: 20 }, (_, i) => client.get(`${tag}:plain:${i}`)));
    assert.deepEqual(plain, Array.from({ length: 20 }, (_, i) => `p${i}`));
    for (let i = 0; i < 10; i++) {
      assert.equal(await client.get(`${tag}:ttl:${i}`), `t${i}`);
      const ttl = await client.pttl(`${tag}:ttl:${i}`);
      assert.ok(ttl > 590_000 && ttl <= 600_000, `${tag}:ttl:${i} kept its TTL (${ttl} ms)`);
    }
    assert.equal(await client.pttl(`${tag}:plain:0`), -1, 'a key without TTL still has none');
    await assertHealthy('after the copy');
  });

  it('rebalance under a live writer evens the masters out, losing nothing', async () => {
    const writer = startWriter(client, { keys: 5000, prefix: 'rb' });
    await new Promise((r) => setTimeout(r, 200));
    const t = await topo();
    const plan = planRebalanceOn(t, {});
    assert.ok(plan.needed, 'the reshard left the cluster unbalanced');
    const report = await applyRebalance({ pool }, t, plan);
    const stats = await writer.stop();
    assert.equal(report.moved.length, plan.moves.length);
    assert.deepEqual(stats.staleReads, []);
    const after = await assertHealthy('after rebalance');
    for (const m of masters(after)) assert.ok(Math.abs(countSlots(m.slots) - 5461) <= 2, `master ${m.endpoint.port} holds ~5461 slots (${countSlots(m.slots)})`);
    assert.equal(planRebalanceOn(after, {}).needed, false, 'a second rebalance finds nothing to do');
    assert.deepEqual(await verifyAcked(client, writer.acked), []);
  });

  it('cancelling mid-reshard finishes the slots in flight: no slot open, no key lost', async () => {
    const writer = startWriter(client, { keys: 3000, prefix: 'cx' });
    const t = await topo();
    const [target] = masters(t);
    assert.ok(target);
    const plan = planReshardOn(t, { to: target.id, slots: 4000 });
    let cancelled = false;
    const listeners: (() => void)[] = [];
    const token: CancellationToken = {
      get isCancellationRequested() {
        return cancelled;
      },
      onCancellationRequested: (l) => {
        listeners.push(l);
        return { dispose: () => undefined };
      },
    };
    const report = await applyReshard(
      {
        pool,
        token,
        settings: { slotsInFlight: 8, keysPerMigrate: 10 },
        onProgress: (p) => {
          if (p.slotsDone >= 40 && !cancelled) {
            cancelled = true;
            listeners.forEach((l) => l());
          }
        },
      },
      t,
      plan,
    );
    const stats = await writer.stop();
    assert.ok(report.cancelled, 'the run says it was cancelled');
    assert.ok(report.moved.length >= 40 && report.moved.length < 4000, `stopped part-way (${report.moved.length} moved)`);
    assert.equal(report.moved.length + report.notStarted.length, 4000, 'every slot is either moved or not started');
    assert.deepEqual(stats.staleReads, []);
    await assertHealthy('after cancel');
    assert.deepEqual(await verifyAcked(client, writer.acked), []);
  });

  it('a reshard keeps every TTL: the copy engine sees them in INFO keyspace and reads them in one more round trip', async () => {
    const t = await topo();
    const [a, b] = masters(t);
    assert.ok(a && b);
    const slot = a.slots[0]?.start ?? 0;
    let tag = '';
    for (let i = 0; tag === ''; i++) if (calculateSlot(`{ttl${i}}`) === slot) tag = `{ttl${i}}`;
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.set(`${tag}:v${i}`, `x${i}`, 'PX', 900_000)));
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.set(`${tag}:p${i}`, `y${i}`)));
    const report = await applyReshard({ pool, settings: { engine: 'copy' } }, t, { sourceIds: [a.id], targetId: b.id, moves: [{ slot, sourceId: a.id, targetId: b.id }] });
    assert.equal(report.moved.length, 1, JSON.stringify(report.failed));
    assert.equal(report.engine, 'copy');
    const owner = new Redis({ host: '127.0.0.1', port: b.endpoint.port, lazyConnect: true });
    try {
      await owner.connect();
      for (let i = 0; i < 30; i++) {
        const ttl = await owner.pttl(`${tag}:v${i}`);
        assert.ok(ttl > 890_000 && ttl <= 900_000, `${tag}:v${i} kept its TTL on the new owner (${ttl} ms)`);
        assert.equal(await owner.pttl(`${tag}:p${i}`), -1, `${tag}:p${i} still has no TTL`);
        assert.equal(await owner.get(`${tag}:v${i}`), `x${i}`);
      }
    } finally {
      owner.disconnect();
    }
    await assertHealthy('after moving a slot with TTLs');
  });

  it('a key on both sides (BUSYKEY) is reported and not overwritten', async () => {
    const t = await topo();
    const [a, b] = masters(t);
    assert.ok(a && b);
    // A slot of a: put an orphan copy of one of its keys on b (ASKING while b imports it).
    const slot = a.slots[0]?.start ?? 0;
    let key = '';
    for (let i = 0; key === ''; i++) if (calculateSlot(`busy:${i}`) === slot) key = `busy:${i}`;
    await client.set(key, 'on-a');
    const bPort = String(b.endpoint.port);
    redisCli(['-p', bPort, 'cluster', 'setslot', String(slot), 'importing', a.id]);
    // One connection: ASKING applies to the next command only.
    const out = redisCli(['-p', bPort], `ASKING\nSET ${key} on-b\nCLUSTER SETSLOT ${slot} STABLE\n`).toString();
    assert.match(out, /OK[\s\S]*OK[\s\S]*OK/);
    const plan = planReshardOn(await topo(), { to: b.id, ranges: [{ start: slot, end: slot + 1 }] });
    const report = await applyReshard({ pool }, t, plan);
    assert.equal(report.conflicts.length, 1, 'the slot with the key on both sides is reported');
    assert.equal(report.conflicts[0]?.move.slot, slot);
    assert.deepEqual(report.conflicts[0]?.keys, [key]);
    assert.equal(report.moved.length, 1, 'the other slot moved');
    assert.equal(await client.get(key), 'on-a', "the owner's value is still served");
    const onB = redisCli(['-p', bPort], `CLUSTER SETSLOT ${slot} IMPORTING ${a.id}\nASKING\nGET ${key}\nCLUSTER SETSLOT ${slot} STABLE\n`).toString();
    assert.match(onB, /on-b/, "b's copy is not overwritten either");
    await assertHealthy('after the conflict');
    // Clean up the orphan so later tests see a tidy cluster.
    redisCli(['-p', bPort], `CLUSTER SETSLOT ${slot} IMPORTING ${a.id}\nASKING\nDEL ${key}\nCLUSTER SETSLOT ${slot} STABLE\n`);
  });
  it('fix finishes a move a crash left open, and covers a slot nobody owns', async () => {
    const t = await topo();
    const slot = calculateSlot('{fx}');
    const owner = t.nodes.find((n) => n.role === 'master' && n.slots.some((r) => r.start <= slot && slot <= r.end));
    const other = masters(t).find((n) => n.id !== owner?.id);
    assert.ok(owner && other);
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.set(`{fx}:${i}`, `f${i}`)));
    // The crash: the slot opened on both sides, 20 of its 50 keys moved, then nothing more.
    const oPort = String(owner.endpoint.port);
    redisCli(['-p', String(other.endpoint.port), 'cluster', 'setslot', String(slot), 'importing', owner.id]);
    redisCli(['-p', oPort, 'cluster', 'setslot', String(slot), 'migrating', other.id]);
    const keys = Array.from({ length: 20 }, (_, i) => `{fx}:${i}`);
    assert.match(redisCli(['-p', oPort, 'migrate', '127.0.0.1', String(other.endpoint.port), '', '0', '5000', 'KEYS', ...keys]).toString(), /OK/);
    // And a slot with no key that nobody owns any more.
    const free = (masters(t)[2] ?? other).slots[0]?.end ?? 0;
    const holder = t.nodes.find((n) => n.role === 'master' && n.slots.some((r) => r.start <= free && free <= r.end));
    assert.ok(holder);
    for (const n of nodes?.ports ?? []) redisCli(['-p', String(n), 'cluster', 'delslots', String(free)]);
    const broken = await topo();
    assert.equal(checkCluster(broken).ok, false, 'the check sees the damage');
    const plan = await planFix(pool, broken);
    assert.deepEqual(plan.actions.map((a) => a.kind).sort(), ['assign', 'finish-move']);
    const result = await applyFix({ pool }, broken, plan);
    assert.deepEqual(result.problems, []);
    await assertHealthy('after fix');
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => client.get(`{fx}:${i}`)));
    assert.deepEqual(values, Array.from({ length: 50 }, (_, i) => `f${i}`), 'every key of the interrupted slot is readable');
    const fixed = await topo();
    assert.ok(fixed.nodes.find((n) => n.id === other.id)?.slots.some((r) => r.start <= slot && slot <= r.end), 'the move was finished, not undone');
  });
});
