/**
 * `reshard`: move 2,000 slots (with ~122,000 of 1,000,000 keys) from one master to another,
 * with redis-swarm's slot mover and with `redis-cli --cluster reshard` (its default pipeline of
 * 10 keys per MIGRATE, and `--cluster-pipeline 1000`), in the same run. Each run gets a fresh
 * 3-master loopback cluster loaded with the same 1,000,000 keys (SETs piped with
 * `redis-cli --pipe`, grouped by owning master: DEBUG POPULATE would put them all in one node's
 * slots), and the same plan: slots 0-1999 of the first master to the second.
 *
 * Ports 23100-23102, bus ports 23150-23152 (below the ephemeral range). Each run is bounded.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { readTopology } from '../../src/core/cluster/readTopology';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { applyReshard, planReshardOn } from '../../src/core/ops/reshard';
import { DEFAULT_MIGRATE_SETTINGS, MigrateSettings } from '../../src/core/ops/migrate';
import { checkCluster } from '../../src/core/cluster/check';
import { createWithRedisCli, LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 23100;
const BUS_BASE = 23150;
const KEYS = 1_000_000;
const SLOTS = 2000;
const VALUE = 'v'.repeat(16);
const RUN_TIMEOUT_MS = 600_000;

interface RunResult {
  readonly ms: number;
  readonly keys: number;
}

export async function benchReshard(): Promise<void> {
  process.stdout.write(
    `Fresh 3-master loopback cluster per run, ${KEYS.toLocaleString('en')} keys (16-byte values), ` +
      `slots 0-${SLOTS - 1} of the first master moved to the second; time from start to the tool's end.\n`,
  );
  const mine: MigrateSettings = { ...DEFAULT_MIGRATE_SETTINGS, ...benchSettings() };
  const oursName = `redis-swarm (engine ${mine.engine}, ${mine.slotsInFlight} slots in flight, ${mine.keysPerMigrate} keys per MIGRATE)`;
  const ours = await run(oursName, async (from, to) => {
    const router = new StaticRouter();
    const pool = new AdminPool(router);
    try {
      const readStarted = Date.now();
      const topology = await readTopology(router, [{ host: '127.0.0.1', port: BASE }], { pool });
      const plan = planReshardOn(topology, { from: [from], to, slots: SLOTS });
      const moveStarted = Date.now();
      const report = await applyReshard({ pool, settings: benchSettings() }, topology, plan);
      if (process.env['REDIS_SWARM_BENCH_CPU']) {
        process.stdout.write(`  reading the topology and planning: ${moveStarted - readStarted} ms; the move itself: ${Date.now() - moveStarted} ms\n`);
      }
      if (report.moved.length !== SLOTS) throw new Error(`redis-swarm moved ${report.moved.length} of ${SLOTS} slots`);
    } finally {
      await pool.close();
    }
  });
  if (process.env['REDIS_SWARM_BENCH_ONLY_OURS']) return;
  const cliDefault = await run('redis-cli --cluster reshard (default pipeline 10)', (from, to) => redisCliReshard(from, to, []));
  const cli1000 = await run('redis-cli --cluster reshard --cluster-pipeline 1000', (from, to) => redisCliReshard(from, to, ['--cluster-pipeline', '1000']));
  const rate = (r: RunResult): number => Math.round((r.keys * 1000) / r.ms);
  const line = (name: string, r: RunResult): string => `  ${name.padEnd(56)} ${String(r.ms).padStart(7)} ms  ${String(rate(r)).padStart(8)} keys/s  (${r.keys} keys)\n`;
  process.stdout.write(line(`redis-swarm (${mine.engine})`, ours) + line('redis-cli (pipeline 10)', cliDefault) + line('redis-cli (pipeline 1000)', cli1000));
  const r1 = rate(ours) / rate(cliDefault);
  const r2 = rate(ours) / rate(cli1000);
  process.stdout.write(
    `ratio vs redis-cli default: ${r1.toFixed(2)}x (target >= 5) ${r1 >= 5 ? 'OK' : 'MISSED'}\n` +
      `ratio vs redis-cli --cluster-pipeline 1000: ${r2.toFixed(2)}x (target >= 2) ${r2 >= 2 ? 'OK' : 'MISSED'}\n`,
  );
}

async function run(name: string, tool: (fromId: string, toId: string) => Promise<void>): Promise<RunResult> {
  process.stdout.write(`${name}: starting a cluster and loading keys…\n`);
  const nodes = await startOpsNodes(BASE, 3, BUS_BASE);
  try {
    createWithRedisCli(nodes.endpoints, 0);
    await waitClusterOk(nodes.ports);
    const ids = nodes.ports.map((p) => redisCli(['-p', String(p), 'cluster', 'myid']).toString().trim());
    const owners = ownersBySlot(nodes);
    load(nodes, owners);
    const keys = countKeys(BASE, SLOTS);
    if (process.env['REDIS_SWARM_BENCH_CPU']) for (const p of nodes.ports) redisCli(['-p', String(p), 'config', 'resetstat']);
    const cpuBefore = nodes.ports.map(serverCpuMs);
    // The load's garbage (a million strings) is collected now, not during the timed move.
    (globalThis as { gc?: () => void }).gc?.();
    hook('start');
    const profile = await startProfile();
    const ownBefore = process.cpuUsage();
    const threadsBefore = threadCpuMs();
    const machineBefore = machineTicks();
    const started = Date.now();
    await tool(ids[0] as string, ids[1] as string);
    const ms = Date.now() - started;
    await profile?.stop(name);
    hook('stop');
    if (process.env['REDIS_SWARM_BENCH_CPU']) {
      const own = process.cpuUsage(ownBefore);
      const threads = [...threadCpuMs()].map(([t, ms]) => [t, ms - (threadsBefore.get(t) ?? 0)] as const).filter(([, ms]) => ms >= 5);
      const machine = machineTicks();
      const busy = machine.busy - machineBefore.busy;
      const idle = machine.idle - machineBefore.idle;
      process.stdout.write(`  machine: ${Math.round((100 * busy) / Math.max(1, busy + idle))}% of all cores busy\n`);
      process.stdout.write(`  this process by thread (ms): ${threads.map(([t, ms]) => `${t} ${Math.round(ms)}`).join(', ')}\n`);
      const servers = nodes.ports.map((p, i) => Math.round(serverCpuMs(p) - (cpuBefore[i] as number)));
      process.stdout.write(`  CPU ms: this process ${Math.round((own.user + own.system) / 1000)} (user ${Math.round(own.user / 1000)}), nodes ${servers.join(' / ')} (source / target / other)\n`);
      for (const [i, p] of nodes.ports.slice(0, 2).entries()) process.stdout.write(`  ${i === 0 ? 'source' : 'target'} commandstats:\n${commandStats(p)}`);
    }
    await verify(nodes, keys);
    process.stdout.write(`  done in ${ms} ms\n`);
    return { ms, keys };
  } finally {
    await nodes.stop();
  }
}

/** The owner's port of every slot, from CLUSTER SLOTS. */
function ownersBySlot(nodes: LoopbackNodes): Int32Array {
  const owners = new Int32Array(16384);
  const text = redisCli(['-p', String(nodes.ports[0]), 'cluster', 'nodes']).toString();
  for (const line of text.trim().split('\n')) {
    const f = line.split(' ');
    const port = Number((f[1] ?? '').split('@')[0]?.split(':')[1]);
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue;
      const [a, b] = s.split('-').map(Number);
      for (let x = a as number; x <= (b ?? a as number); x++) owners[x] = port;
    }
  }
  return owners;
}

/** SETs grouped by owning master, piped into each with `redis-cli --pipe`, in chunks. */
function load(nodes: LoopbackNodes, owners: Int32Array): void {
  const CHUNK = 200_000;
  for (let start = 0; start < KEYS; start += CHUNK) {
    const perPort = new Map<number, string[]>();
    for (let i = start; i < Math.min(KEYS, start + CHUNK); i++) {
      const key = `key:${i}`;
      const port = owners[calculateSlot(key)] as number;
      let list = perPort.get(port);
      if (!list) perPort.set(port, (list = []));
      list.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE.length}\r\n${VALUE}\r\n`);
    }
    for (const [port, cmds] of perPort) redisCli(['-p', String(port), '--pipe'], cmds.join(''));
  }
  const total = nodes.ports.reduce((n, p) => n + Number(redisCli(['-p', String(p), 'dbsize']).toString().trim()), 0);
  if (total !== KEYS) throw new Error(`loaded ${total} keys, expected ${KEYS}`);
}

/** CPU time of each of this process's threads, by thread name (summed), in ms (Linux /proc). */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * tick);
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}

/** Busy and idle clock ticks of the whole machine, all cores (Linux /proc/stat). */
function machineTicks(): { busy: number; idle: number } {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: f.reduce((a, b) => a + b, 0) - idle, idle };
  } catch {
    return { busy: 0, idle: 0 };
  }
}

/** used_cpu_sys + used_cpu_user of a node, in ms (INFO cpu). */
function serverCpuMs(port: number): number {
  const text = redisCli(['-p', String(port), 'info', 'cpu']).toString();
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

/** REDIS_SWARM_BENCH_HOOK='<command>': run as `<command> start` and `<command> stop` around each timed move (a system profiler, say). */
function hook(phase: 'start' | 'stop'): void {
  const command = process.env['REDIS_SWARM_BENCH_HOOK'];
  if (command) execSync(`${command} ${phase}`, { stdio: 'inherit' });
}

/** REDIS_SWARM_BENCH_PROFILE=<dir>: a CPU profile of this process during each timed move. */
async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env['REDIS_SWARM_BENCH_PROFILE'];
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await new Promise((resolve) => session.post('Profiler.setSamplingInterval', { interval: 100 }, resolve));
  await post('Profiler.start');
  return {
    async stop(name: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stdout.write(`  CPU profile of the move: ${file}\n`);
    },
  };
}

/** INFO commandstats as `  name calls usec` lines (the node's own time per command). */
function commandStats(port: number): string {
  const text = redisCli(['-p', String(port), 'info', 'commandstats']).toString();
  return [...text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)]
    .map((m) => `    ${(m[1] as string).padEnd(28)} ${String(m[2]).padStart(8)} calls ${String(Math.round(Number(m[3]) / 1000)).padStart(6)} ms\n`)
    .join('');
}

function countKeys(port: number, slots: number): number {
  const script = Array.from({ length: slots }, (_, s) => `CLUSTER COUNTKEYSINSLOT ${s}`).join('\n') + '\n';
  return redisCli(['-p', String(port)], script).toString().trim().split('\n').reduce((n, l) => n + Number(l), 0);
}

async function verify(nodes: LoopbackNodes, keysMoved: number): Promise<void> {
  const router = new StaticRouter();
  const pool = new AdminPool(router);
  try {
    const t = await readTopology(router, [{ host: '127.0.0.1', port: BASE }], { pool });
    const open = t.views.flatMap((v) => [...v.view.self.migrating, ...v.view.self.importing]);
    if (open.length > 0 || !checkCluster(t).findings.every((f) => f.code !== 'open-slots' && f.code !== 'coverage')) throw new Error('slots left open or uncovered');
  } finally {
    await pool.close();
  }
  const total = nodes.ports.reduce((n, p) => n + Number(redisCli(['-p', String(p), 'dbsize']).toString().trim()), 0);
  if (total !== KEYS) throw new Error(`after the move the cluster holds ${total} keys, expected ${KEYS}`);
  const onTarget = countKeys(nodes.ports[1] as number, SLOTS);
  if (onTarget !== keysMoved) throw new Error(`the target holds ${onTarget} keys of the moved slots, expected ${keysMoved}`);
}

function redisCliReshard(from: string, to: string, extra: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-cli',
      ['--cluster', 'reshard', `127.0.0.1:${BASE}`, '--cluster-from', from, '--cluster-to', to, '--cluster-slots', String(SLOTS), '--cluster-yes', ...extra],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`redis-cli exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

/**
 * REDIS_SWARM_BENCH_SETTINGS='{"engine":"migrate"}' or '{"slotsInFlight":256}' tries other settings of the slot mover.
 * REDIS_SWARM_BENCH_CPU=1 prints the CPU time each process spent during each move;
 * REDIS_SWARM_BENCH_ONLY_OURS=1 skips the redis-cli runs; REDIS_SWARM_BENCH_PROFILE=<dir> writes CPU profiles;
 * REDIS_SWARM_BENCH_HOOK='<command>' runs `<command> start|stop` around each timed move.
 */
function benchSettings(): Partial<MigrateSettings> {
  const text = process.env['REDIS_SWARM_BENCH_SETTINGS'];
  return text ? (JSON.parse(text) as Partial<MigrateSettings>) : {};
}
