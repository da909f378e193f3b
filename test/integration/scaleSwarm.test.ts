/**
 * Scale out and scale in on the real local swarm (issue 8): add-node as a master with a
 * rebalance, add-node as a replica, del-node of that master (slots and replica moved away
 * first), del-node of a replica through the CLI. Nodes are reached only through Docker API
 * tunnels; overlay IPs appear only inside the CLUSTER MEET the new node runs. Bounded in time;
 * everything is swept afterwards, even on failure.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { countSlots } from '../../src/core/cluster/topology';
import { AdminPool, replyText } from '../../src/core/redis/adminConnection';
import { applyAddNode, planAddNode } from '../../src/core/ops/addNode';
import { applyDelNode, planDelNode } from '../../src/core/ops/delNode';
import { readFresh, type ScaleContext } from '../../src/core/ops/scaleSupport';
import { type ClusterAccess, openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { infoField } from '../../src/core/cluster/nodesParser';
import { deployFormedCluster, runPrefix, sweep } from '../support/swarm';

const env = { ...process.env, DOCKER_HOST: '' };
const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
const KEYS = Array.from({ length: 200 }, (_, i) => `scale:${i}`);

function dockerNames(kind: 'service' | 'volume'): string[] {
  return execFileSync('docker', [kind, 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Each key through the master that owns its slot, as the nodes report it now. */
async function byOwner(ctx: ScaleContext, name: string, keys: readonly string[]): Promise<Map<string, { ep: { host: string; port: number }; keys: string[] }>> {
  const { topology } = await readFresh(ctx, name);
  const out = new Map<string, { ep: { host: string; port: number }; keys: string[] }>();
  for (const k of keys) {
    const slot = calculateSlot(k);
    const m = topology.nodes.find((n) => n.role === 'master' && n.slots.some((r) => r.start <= slot && slot <= r.end));
    assert.ok(m, `slot ${slot} of ${k} has a master`);
    const g = out.get(m.id) ?? { ep: m.endpoint, keys: [] as string[] };
    g.keys.push(k);
    out.set(m.id, g);
  }
  return out;
}

async function writeKeys(ctx: ScaleContext, name: string): Promise<void> {
  for (const g of (await byOwner(ctx, name, KEYS)).values()) {
    const res = await ctx.pool.pipeline(g.ep, g.keys.map((k) => ['SET', k, `v-${k}`]));
    assert.ok(res.every((r) => r.ok), `SET through ${g.ep.host}`);
  }
}

async function missingKeys(ctx: ScaleContext, name: string): Promise<string[]> {
  const missing: string[] = [];
  for (const g of (await byOwner(ctx, name, KEYS)).values()) {
    const res = await ctx.pool.pipeline(g.ep, g.keys.map((k) => ['GET', k]));
    res.forEach((r, i) => {
      if (!r.ok || r.value === null || replyText(r.value) !== `v-${g.keys[i] ?? ''}`) missing.push(g.keys[i] ?? '');
    });
  }
  return missing;
}

async function assertHealthy(ctx: ScaleContext, name: string, nodes: number): Promise<void> {
  const { topology } = await readFresh(ctx, name);
  assert.equal(topology.views.length, nodes, `${nodes} nodes answer`);
  assert.ok(topology.views.every((v) => v.clusterState === 'ok'), `every node says cluster_state:ok: ${topology.views.map((v) => `${v.view.self.hostname}=${v.clusterState}`).join(' ')}`);
  const masters = topology.nodes.filter((n) => n.role === 'master');
  assert.equal(masters.reduce((s, m) => s + countSlots(m.slots), 0), 16384, 'all slots covered');
}

describe('scale out and in on the real swarm', { timeout: 240_000 }, () => {
  const name = runPrefix('s');
  let access: ClusterAccess | undefined;
  let ctx: ScaleContext;
  const log = (m: string): void => {
    process.stdout.write(`# ${m}\n`);
  };

  before(async () => {
    const t0 = Date.now();
    await deployFormedCluster(name);
    access = await openClusterAccess(name, { env });
    ctx = { engine: access.engine, router: access.router, pool: new AdminPool(access.router) };
    // Right after forming, nodes answer CLUSTERDOWN for a moment: wait for ok everywhere.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { topology } = await readFresh(ctx, name);
      if (topology.views.length === 6 && topology.views.every((v) => v.clusterState === 'ok')) break;
      assert.ok(Date.now() < deadline, 'the new cluster is ok within 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    await writeKeys(ctx, name);
    log(`deployed, formed and wrote ${KEYS.length} keys in ${Date.now() - t0} ms`);
  });

  after(async () => {
    await ctx?.pool.close();
    await access?.dispose();
    await sweep(name);
  });

  let newMaster = '';
  let newReplica = '';

  it('add-node --master --rebalance: the new master gets its share of slots, every key stays readable', async () => {
    const t0 = Date.now();
    const prepared = await planAddNode(ctx, name, { role: 'master', rebalance: true });
    assert.equal(prepared.plan.service, `${name}-7`);
    assert.equal(prepared.plan.volume, `${name}-7-data`);
    assert.ok((prepared.plan.rebalanceSlots ?? 0) > 4000, `the plan gives it about a quarter of the slots: ${prepared.plan.rebalanceSlots}`);
    const r = await applyAddNode(ctx, prepared);
    log(`add master + rebalance: ${Date.now() - t0} ms (moved ${r.rebalance?.report.moved.length} slots, ${r.rebalance?.report.keysMoved} keys)`);
    assert.ok(r.ok, `add-node ok: ${r.findings.map((f) => f.message).join(' ')}`);
    newMaster = r.nodeId;
    const { topology } = await readFresh(ctx, name);
    const me = topology.nodes.find((n) => n.id === r.nodeId);
    assert.equal(me?.role, 'master');
    assert.ok(countSlots(me.slots) >= 4000, `the new master holds ${countSlots(me.slots)} slots`);
    assert.ok(topology.views.every((v) => v.view.nodes.some((n) => n.id === r.nodeId && !n.flags.handshake)), 'every node knows it');
    await assertHealthy(ctx, name, 7);
    assert.deepEqual(await missingKeys(ctx, name), [], 'every key is readable');
  });

  it('add-node as a replica: it serves the master that needed one (the new one), and its link is up', async () => {
    const t0 = Date.now();
    const prepared = await planAddNode(ctx, name, { role: 'replica' });
    assert.equal(prepared.plan.master?.id, newMaster, 'the master without replica was chosen');
    const r = await applyAddNode(ctx, prepared);
    log(`add replica: ${Date.now() - t0} ms`);
    assert.ok(r.ok, `add-node ok: ${r.findings.map((f) => f.message).join(' ')}`);
    assert.equal(r.masterId, newMaster);
    newReplica = r.nodeId;
    const info = replyText(await ctx.pool.command(r.endpoint, ['INFO', 'replication']));
    assert.equal(infoField(info, 'master_link_status'), 'up');
    await assertHealthy(ctx, name, 8);
  });

  it('del-node of the added master: replica re-pointed and slots moved first, then forgotten everywhere, service gone, volume kept', async () => {
    const t0 = Date.now();
    const prepared = await planDelNode(ctx, name, { node: newMaster });
    assert.equal(prepared.plan.service, `${name}-7`);
    assert.equal(prepared.plan.drain?.moves.filter((m) => m.sourceId === newMaster).length, prepared.plan.slotCount, 'the plan moves all its slots');
    assert.deepEqual(prepared.plan.replicaMoves.map((m) => m.replicaId), [newReplica], 'its replica is re-pointed');
    const r = await applyDelNode(ctx, prepared);
    log(`del master: ${Date.now() - t0} ms (moved ${r.drain?.moved.length} slots, ${r.drain?.keysMoved} keys)`);
    assert.ok(r.ok, `del-node ok: ${r.findings.map((f) => f.message).join(' ')} ${r.forgetFailed.map((f) => f.error).join(' ')}`);
    const { topology } = await readFresh(ctx, name);
    assert.ok(topology.views.every((v) => !v.view.nodes.some((n) => n.id === newMaster)), 'no node lists it');
    const replica = topology.nodes.find((n) => n.id === newReplica);
    assert.equal(replica?.role, 'replica');
    assert.notEqual(replica.masterId, newMaster, 'the replica serves another master');
    assert.ok(!dockerNames('service').includes(`${name}-7`), 'its service is gone');
    assert.ok(dockerNames('volume').includes(`${name}-7-data`), 'its volume is kept');
    await assertHealthy(ctx, name, 7);
    assert.deepEqual(await missingKeys(ctx, name), [], 'every key is readable');
  });

  it('del-node of a replica through the CLI (--volumes): forgotten and removed with its volume', async () => {
    const t0 = Date.now();
    const out = execFileSync(BIN, ['del-node', '--cluster', name, `${name}-8`, '--yes', '--json', '--volumes'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    log(`del replica (CLI): ${Date.now() - t0} ms`);
    const parsed = JSON.parse(out) as { plan: { role: string; nodeId: string }; result: { ok: boolean } };
    assert.equal(parsed.plan.role, 'replica');
    assert.equal(parsed.plan.nodeId, newReplica);
    assert.equal(parsed.result.ok, true);
    const { topology } = await readFresh(ctx, name);
    assert.ok(topology.views.every((v) => !v.view.nodes.some((n) => n.id === newReplica)), 'no node lists it');
    assert.ok(!dockerNames('service').includes(`${name}-8`));
    assert.ok(!dockerNames('volume').includes(`${name}-8-data`), 'its volume was removed (--volumes)');
    await assertHealthy(ctx, name, 6);
    assert.deepEqual(await missingKeys(ctx, name), []);
  });
  it('an add-node that fails part-way (cancelled right after CLUSTER MEET) removes what it made; the kept volume\'s index is skipped', async () => {
    const t0 = Date.now();
    let cancelled = false;
    const token = { get isCancellationRequested() { return cancelled; }, onCancellationRequested: () => ({ dispose: () => undefined }) };
    const progress = { report: ({ message }: { message?: string }) => { if (message?.includes('meets the cluster')) cancelled = true; } };
    const prepared = await planAddNode({ ...ctx, token, progress }, name, { role: 'replica' });
    assert.equal(prepared.plan.service, `${name}-8`, 'index 7 is skipped: del-node kept its volume');
    assert.ok(prepared.plan.warnings.some((w) => /skipped/.test(w)));
    await assert.rejects(applyAddNode({ ...ctx, token, progress }, prepared), (e: Error) => /Stopped waiting/.test(e.message));
    log(`cancelled add + undo: ${Date.now() - t0} ms`);
    assert.ok(!dockerNames('service').includes(`${name}-8`), 'its service was removed');
    assert.ok(!dockerNames('volume').includes(`${name}-8-data`), 'its volume was removed');
    const { topology } = await readFresh(ctx, name);
    assert.ok(topology.nodes.every((n) => !n.hostname?.endsWith('-8')), 'no node lists it');
    await assertHealthy(ctx, name, 6);
  });
});
