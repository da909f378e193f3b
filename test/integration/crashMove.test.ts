/**
 * A move killed with SIGKILL at many points, with either engine, under a live writer: `fix`
 * must then return the cluster to a clean state (no open slot, every slot covered, redis-cli
 * --cluster check clean) with the owner's values, no acknowledged write lost and no deleted
 * key back, and the next reshard must run. Real redis-server processes on loopback ports
 * 25000-25002 (bus ports 25050-25052), the real CLI as a child process (needs `npm run build`).
 *
 * The kill points are states of the move, not delays: the test watches the receiving master's
 * own CLUSTER NODES line and kills the CLI when the first slot is open, then when given shares
 * of the range have arrived, so the points spread over the move however fast the machine is.
 * Every other time, the first fix is killed too, while it applies its plan.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis, { Cluster } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { createWithRedisCli, type LoopbackNodes } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 25000;
const BUS_BASE = 25050;
const SEED = `127.0.0.1:${BASE}`;
const REPO = join(__dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'redis-swarm');
/** The slots every reshard of this test moves (from whoever owns them). */
const RANGE = { start: 0, end: 799 };
/** Hash tags per slot of the range; each tag has a data key, a counter and a key the writer deletes and recreates. */
const TAGS_PER_SLOT = 6;
/**
 * Kill points: the first open slot on the receiver, then these shares of the range arrived;
 * for the copy engine also twice the moment copies sit on the receiver before their hand-over
 * (a share lands there only now and then: the copy of a window is quick).
 */
const KILL_SHARES = [0, 0.01, 0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9];
type KillPoint = number | 'copies';
const killPoints = (engine: string): KillPoint[] => [...KILL_SHARES, ...(engine === 'copy' ? (['copies', 'copies'] as const) : [])];
/** Bounds (they are limits, not expectations of speed). */
const CHILD_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 20_000;
const FIX_RUNS = 3;
const WRITER_WORKERS = 6;

type Expected = Map<string, string | null>;

interface CrashState {
  /** Slots open somewhere, as `port:[slot->-id]` texts. */
  readonly open: string[];
  /** Importing slots whose owner does not migrate them and whose importer holds keys of them. */
  readonly copiesOnImporter: number;
  /** Slots migrating on their source. */
  readonly migrating: number;
}

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function cli(args: readonly string[], timeoutMs = CHILD_TIMEOUT_MS): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function redisCliCheck(): Run {
  const r = spawnSync('redis-cli', ['--cluster', 'check', SEED], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** One node's own CLUSTER NODES line. */
async function selfLine(conn: Redis): Promise<string> {
  const text = String(await conn.call('CLUSTER', 'NODES'));
  return text.split('\n').find((l) => l.includes('myself')) ?? '';
}

function ownedInRange(line: string): number {
  let n = 0;
  for (const part of line.split(' ').slice(8)) {
    if (part.startsWith('[')) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    const lo = Math.max(a, RANGE.start);
    const hi = Math.min(b ?? a, RANGE.end);
    if (hi >= lo) n += hi - lo + 1;
  }
  return n;
}

/** A writer whose workers own disjoint tags: INCR the counter, DEL or SET the other key, each acknowledged result remembered. */
function startWriter(client: Cluster, tags: readonly string[], expected: Expected): { stop(): Promise<{ ops: number; errors: string[] }> } {
  let stopping = false;
  let ops = 0;
  const errors: string[] = [];
  const loops = Array.from({ length: WRITER_WORKERS }, async (_, w) => {
    const mine = tags.filter((_, i) => i % WRITER_WORKERS === w);
    for (let n = 0; !stopping && n < 1_000_000; n++) {
      const tag = mine[Math.floor(Math.random() * mine.length)] as string;
      const choice = Math.random();
      const key = choice < 0.5 ? `${tag}:c` : `${tag}:x`;
      try {
        if (choice < 0.5) expected.set(key, String(await client.incr(key)));
        else if (choice < 0.75) {
          await client.del(key);
          expected.set(key, null);
        } else {
          const value = `x${w}-${n}`;
          await client.set(key, value);
          expected.set(key, value);
        }
        ops++;
      } catch (err) {
        // Not acknowledged: it may or may not have happened, so the key is not checked any more.
        expected.delete(key);
        errors.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(10);
      }
    }
  });
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      return { ops, errors };
    },
  };
}

describe('a move killed at any point is closed by fix', { timeout: 900_000 }, () => {
  let nodes: LoopbackNodes | undefined;
  let client: Cluster | undefined;
  const conns: Redis[] = [];
  const tags: string[] = [];
  const expected: Expected = new Map();
  let child: ChildProcess | undefined;

  before(async () => {
    assert.ok(existsSync(join(REPO, 'dist', 'cli.js')), 'dist/cli.js exists (run `npm run build` first)');
    nodes = await startOpsNodes(BASE, 3, BUS_BASE);
    createWithRedisCli(nodes.endpoints, 0);
    for (const port of nodes.ports) conns.push(new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 }));
    await Promise.all(conns.map((c) => c.connect()));
    for (let i = 0; i < 200 && !(await Promise.all(conns.map((c) => c.call('CLUSTER', 'INFO')))).every((s) => String(s).includes('cluster_state:ok')); i++) await sleep(50);
    client = new Cluster([{ host: '127.0.0.1', port: BASE }], { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 20 } });
    const perSlot = new Map<number, number>();
    for (let i = 0; tags.length < (RANGE.end - RANGE.start + 1) * TAGS_PER_SLOT; i++) {
      const tag = `{t${i}}`;
      const slot = calculateSlot(tag);
      if (slot < RANGE.start || slot > RANGE.end || (perSlot.get(slot) ?? 0) >= TAGS_PER_SLOT) continue;
      perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
      tags.push(tag);
    }
    const writer = client;
    assert.ok(writer, 'no cluster client to load the keys with');
    for (let i = 0; i < tags.length; i += 400) {
      await Promise.all(
        tags.slice(i, i + 400).flatMap((tag, j) => {
          const n = i + j;
          expected.set(`${tag}:d`, `d${n}`);
          expected.set(`${tag}:c`, '0');
          expected.set(`${tag}:x`, `x${n}`);
          return [writer.set(`${tag}:d`, `d${n}`), writer.set(`${tag}:c`, '0'), writer.set(`${tag}:x`, `x${n}`)];
        }),
      );
    }
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    client?.disconnect();
    for (const c of conns) c.disconnect();
    await nodes?.stop();
  });

  const ids = async (): Promise<string[]> => Promise.all(conns.map(async (c) => String(await c.call('CLUSTER', 'MYID'))));

  /** Every node's open slots, and whether an importer holds keys of a slot its owner does not migrate. */
  async function crashState(): Promise<CrashState> {
    const lines = await Promise.all(conns.map(selfLine));
    const open: string[] = [];
    const migratingSlots = new Set<number>();
    const importing: { conn: Redis; slot: number }[] = [];
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\[(\d+)-([<>])-(\w+)\]/g)) {
        open.push(`${BASE + i}:${m[0]}`);
        if (m[2] === '>') migratingSlots.add(Number(m[1]));
        else importing.push({ conn: conns[i] as Redis, slot: Number(m[1]) });
      }
    });
    let copiesOnImporter = 0;
    for (const x of importing) {
      if (migratingSlots.has(x.slot)) continue;
      if (Number(await x.conn.call('CLUSTER', 'COUNTKEYSINSLOT', x.slot)) > 0) copiesOnImporter++;
    }
    return { open, copiesOnImporter, migrating: migratingSlots.size };
  }

  /** The receiver for the next move: the master owning the fewest slots of the range. */
  async function pickTarget(): Promise<string> {
    const lines = await Promise.all(conns.map(selfLine));
    const owned = lines.map(ownedInRange);
    const i = owned.indexOf(Math.min(...owned));
    return (await ids())[i] as string;
  }

  /** Starts a reshard of the range to `target` and kills it (SIGKILL) at the point (a share of the range arrived, or copies seen); false when it ended first. */
  async function reshardKilledAt(engine: string, target: string, point: KillPoint): Promise<{ killed: boolean; out: string }> {
    const share = point === 'copies' ? 0 : point;
    const targetConn = conns[(await ids()).indexOf(target)] as Redis;
    const before = ownedInRange(await selfLine(targetConn));
    const want = before + Math.ceil(share * (RANGE.end - RANGE.start + 1 - before));
    let out = '';
    const proc = spawn(
      process.execPath,
      [BIN, 'reshard', SEED, '--to', target, '--range', `${RANGE.start}-${RANGE.end}`, '--engine', engine, '--slots-in-flight', '16', '--pipeline', '10', '--yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + CHILD_TIMEOUT_MS;
    let killed = false;
    while (proc.exitCode === null && proc.signalCode === null && Date.now() < deadline) {
      const line = await selfLine(targetConn);
      const reached = point === 'copies' ? (await crashState()).copiesOnImporter > 0 : share === 0 ? line.includes('-<-') : ownedInRange(line) >= want;
      if (reached && proc.exitCode === null) {
        proc.kill('SIGKILL');
        killed = true;
        break;
      }
      await sleep(2);
    }
    if (!killed && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    child = undefined;
    assert.ok(killed || proc.exitCode === 0, `the reshard ran (exit ${proc.exitCode}): ${out.slice(-2000)}`);
    return { killed, out };
  }

  /** A fix killed (SIGKILL) `delayMs` after it printed its plan, while it applies it: the next fix must finish the job. */
  async function fixKilled(delayMs: number): Promise<void> {
    const proc = spawn(process.execPath, [BIN, 'fix', SEED, '--yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const planned = new Promise<void>((resolve) => {
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('>>> ')) resolve();
      });
    });
    await Promise.race([planned, exited, sleep(CHILD_TIMEOUT_MS)]);
    await sleep(delayMs);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    child = undefined;
  }

  /** fix (again while it reports problems), then the cluster must be clean by redis-cli's check and ours. */
  async function fixAndCheck(what: string): Promise<void> {
    const runs: Run[] = [];
    for (let i = 0; i < FIX_RUNS; i++) {
      const r = cli(['fix', SEED, '--yes']);
      runs.push(r);
      if (r.code === 0) break;
      await sleep(500);
    }
    const log = runs.map((r, i) => `fix #${i + 1} (exit ${r.code}):\n${r.out.slice(-3000)}`).join('\n');
    assert.equal(runs[runs.length - 1]?.code, 0, `${what}: fix ends with exit 0\n${log}`);
    // Gossip spreads the last SETSLOTs in a moment; the wait is a bound, not an expectation.
    let check = redisCliCheck();
    for (const end = Date.now() + SETTLE_TIMEOUT_MS; check.code !== 0 && Date.now() < end; ) {
      await sleep(200);
      check = redisCliCheck();
    }
    assert.equal(check.code, 0, `${what}: redis-cli --cluster check is clean\n${check.out.slice(-3000)}\n${log}`);
    assert.match(check.out, /All 16384 slots covered/, `${what}: every slot is covered`);
    const state = await crashState();
    assert.deepEqual(state.open, [], `${what}: no slot is open on any node`);
    const again = cli(['fix', SEED, '--yes']);
    assert.match(again.out, /Nothing to fix/, `${what}: a second fix finds nothing to do\n${again.out}`);
  }

  /** Every key reads back the last acknowledged value; deleted keys stay deleted. */
  async function verifyValues(what: string): Promise<void> {
    const c = client as Cluster;
    const bad: string[] = [];
    const entries = [...expected];
    for (let i = 0; i < entries.length; i += 1000) {
      const chunk = entries.slice(i, i + 1000);
      const values = await Promise.all(chunk.map(([k]) => c.get(k)));
      chunk.forEach(([k, v], j) => {
        if (values[j] !== v) bad.push(`${k}: expected ${v === null ? '(deleted)' : v}, read ${values[j] === null ? '(none)' : values[j]}`);
      });
    }
    assert.deepEqual(bad.slice(0, 20), [], `${what}: ${bad.length} key(s) do not hold their last acknowledged value (first 20 shown)`);
  }

  it('an importer holding a stale copy of a counter and a copy of a key deleted since: fix keeps the owner\'s values and brings nothing back', async () => {
    const c = client as Cluster;
    // A slot of the range, its owner and another master, and two keys of one tag in it.
    const tag = tags[0] as string;
    const slot = calculateSlot(tag);
    const lines = await Promise.all(conns.map(selfLine));
    const ownerAt = lines.findIndex((l) => l.split(' ').slice(8).some((r) => !r.startsWith('[') && Number(r.split('-')[0]) <= slot && slot <= Number(r.split('-')[1] ?? r)));
    const owner = conns[ownerAt] as Redis;
    const importer = conns[(ownerAt + 1) % conns.length] as Redis;
    const ownerId = String(await owner.call('CLUSTER', 'MYID'));
    // What the copy engine leaves when killed before its hand-over: the slot importing on the
    // target, the keys copied there with RESTORE-ASKING, the owner still stable and serving them.
    await importer.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', ownerId);
    const keys = (await owner.call('CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
    for (const k of keys) {
      const dump = await owner.dumpBuffer(k);
      if (dump) await importer.pipeline().call('ASKING').call('RESTORE-ASKING', k, '0', dump).exec();
    }
    assert.equal(Number(await importer.call('CLUSTER', 'COUNTKEYSINSLOT', slot)), keys.length, 'the copies are on the importer');
    // Then clients go on writing to the owner: the copies go stale, a copied key is deleted.
    expected.set(`${tag}:c`, String(await c.incrby(`${tag}:c`, 7)));
    await c.del(`${tag}:x`);
    expected.set(`${tag}:x`, null);
    await fixAndCheck('stale copies on an importer');
    await verifyValues('stale copies on an importer');
    assert.equal(Number(await importer.call('CLUSTER', 'COUNTKEYSINSLOT', slot)), 0, 'the importer holds no key of the slot any more');
  });

  for (const engine of ['copy', 'migrate'] as const) {
    it(`${engine} engine: killed at ${killPoints(engine).length} points of a reshard, fix leaves a clean cluster with every acknowledged write, and a reshard runs again`, async (t) => {
      const c = client as Cluster;
      const states: { point: KillPoint; killed: boolean; state: CrashState; openAfterFixKill?: number }[] = [];
      for (const point of killPoints(engine)) {
        const what = `${engine} engine, killed at ${point === 'copies' ? 'copies on the receiver' : point === 0 ? 'the first open slot' : `${point * 100}% of the range`}`;
        const target = await pickTarget();
        const writer = startWriter(c, tags, expected);
        await sleep(100);
        const run = await reshardKilledAt(engine, target, point);
        const state = await crashState();
        states.push({ point, killed: run.killed, state });
        // The writer goes on against the broken cluster for a moment, then stops before fix.
        await sleep(200);
        const w = await writer.stop();
        assert.ok(w.ops > 0, `${what}: the writer wrote`);
        // Every other time fix itself is killed part-way first.
        if (states.length % 2 === 1) {
          await fixKilled(states.length % 4 === 1 ? 0 : 40);
          (states[states.length - 1] as { openAfterFixKill?: number }).openAfterFixKill = (await crashState()).open.length;
        }
        await fixAndCheck(what);
        await verifyValues(what);
      }
      const killed = states.filter((s) => s.killed);
      const summary = JSON.stringify(states.map((s) => ({ point: s.point, killed: s.killed, open: s.state.open.length, copies: s.state.copiesOnImporter, migrating: s.state.migrating, ...(s.openAfterFixKill !== undefined ? { openAfterFixKill: s.openAfterFixKill } : {}) })));
      t.diagnostic(`kill points (open slots, importers holding invisible copies, migrating slots at the kill; open slots after fix was killed): ${summary}`);
      assert.ok(killed.length >= states.length - 2, `most kills landed mid-move: ${summary}`);
      assert.ok(killed.some((s) => s.state.open.length > 0), `some kill left open slots: ${summary}`);
      if (engine === 'copy') assert.ok(killed.some((s) => s.state.copiesOnImporter > 0), `some kill left copies on an importer whose owner was not migrating: ${summary}`);
      else assert.ok(killed.some((s) => s.state.migrating > 0), `some kill left a migrating slot: ${summary}`);
      // Afterwards a whole reshard runs and the data is still right.
      const target = await pickTarget();
      const full = cli(['reshard', SEED, '--to', target, '--range', `${RANGE.start}-${RANGE.end}`, '--engine', engine, '--yes']);
      assert.equal(full.code, 0, `a reshard after the fixes runs to the end:\n${full.out.slice(-3000)}`);
      await fixAndCheck(`${engine} engine, after the last reshard`);
      await verifyValues(`${engine} engine, after the last reshard`);
    });
  }
});
