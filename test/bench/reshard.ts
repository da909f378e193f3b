/**
 * `reshard`: move 2,000 slots (with ~122,000 of 1,000,000 keys) from one master to another,
 * with redis-swarm's slot mover and with `redis-cli --cluster reshard` (its default pipeline of
 * 10 keys per MIGRATE, and `--cluster-pipeline 1000`), in the same run. Every run gets a fresh
 * 3-master loopback cluster loaded with the same 1,000,000 keys (SETs piped with
 * `redis-cli --pipe`, grouped by owning master: DEBUG POPULATE would put them all in one node's
 * slots), and the same plan: slots 0-1999 of the first master to the second.
 *
 * Each tool runs REDIS_SWARM_BENCH_RUNS times (default 3), the tools taking turns so that the
 * machine's drift touches all alike; the medians are compared. redis-cli's time is from spawn
 * to exit; redis-swarm runs in a fresh Node process each time (reshardMove.ts), so it always
 * starts with nothing compiled, as a CLI user's run does.
 *
 * Ports 23100-23102, bus ports 23150-23152 (below the ephemeral range). Each run is bounded.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { readTopology } from '../../src/core/cluster/readTopology';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { DEFAULT_MOVE_SETTINGS, type MoveSettings } from '../../src/core/ops/mover';
import { checkCluster } from '../../src/core/cluster/check';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { cpuDiagnostics, hook } from './benchDiagnostics';

const BASE = 23100;
const BUS_BASE = 23150;
const KEYS = 1_000_000;
const SLOTS = 2000;
const VALUE = 'v'.repeat(16);
const RUN_TIMEOUT_MS = 600_000;

/** A tool's run: resolves with the ms it measured itself, or nothing (then spawn to exit counts). */
type Tool = (fromId: string, toId: string) => Promise<number | void>;

interface Contender {
  readonly name: string;
  readonly label: string;
  readonly tool: Tool;
  readonly ms: number[];
}

export async function benchReshard(): Promise<void> {
  const runs = Math.max(1, Number(process.env['REDIS_SWARM_BENCH_RUNS'] ?? 3));
  const settings = benchSettings();
  const mine: MoveSettings = { ...DEFAULT_MOVE_SETTINGS, ...settings };
  process.stdout.write(
    `Fresh 3-master loopback cluster per run, ${KEYS.toLocaleString('en')} keys (16-byte values), ` +
      `slots 0-${SLOTS - 1} of the first master moved to the second; ${runs} run(s) per tool, medians compared.\n`,
  );
  const contenders: Contender[] = [
    {
      name: `redis-swarm (engine ${mine.engine}, ${mine.slotsInFlight} slots in flight), a fresh Node process per run`,
      label: `redis-swarm (${mine.engine})`,
      tool: (from, to) => oursInChild(from, to, settings),
      ms: [],
    },
  ];
  if (!process.env['REDIS_SWARM_BENCH_ONLY_OURS']) {
    contenders.push(
      { name: 'redis-cli --cluster reshard (default pipeline 10)', label: 'redis-cli (pipeline 10)', tool: (from, to) => redisCliReshard(from, to, []), ms: [] },
      {
        name: 'redis-cli --cluster reshard --cluster-pipeline 1000',
        label: 'redis-cli (pipeline 1000)',
        tool: (from, to) => redisCliReshard(from, to, ['--cluster-pipeline', '1000']),
        ms: [],
      },
    );
  }
  let keys = 0;
  for (let r = 1; r <= runs; r++) {
    for (const c of contenders) {
      const result = await run(`${c.name}, run ${r}/${runs}`, c.tool);
      c.ms.push(result.ms);
      keys = result.keys;
    }
  }
  const median = (ms: readonly number[]): number => [...ms].sort((a, b) => a - b)[Math.floor((ms.length - 1) / 2)] as number;
  const rate = (ms: number): number => Math.round((keys * 1000) / ms);
  for (const c of contenders) {
    const m = median(c.ms);
    process.stdout.write(`  ${c.label.padEnd(28)} median ${String(m).padStart(6)} ms  ${String(rate(m)).padStart(8)} keys/s  (runs: ${c.ms.join(', ')} ms; ${keys} keys)\n`);
  }
  const [ours, cliDefault, cli1000] = contenders.map((c) => median(c.ms));
  if (ours === undefined || cliDefault === undefined || cli1000 === undefined) return;
  const r1 = cliDefault / ours;
  const r2 = cli1000 / ours;
  process.stdout.write(
    `ratio vs redis-cli default: ${r1.toFixed(2)}x (target >= 5) ${r1 >= 5 ? 'OK' : 'MISSED'}\n` +
      `ratio vs redis-cli --cluster-pipeline 1000: ${r2.toFixed(2)}x (target >= 2) ${r2 >= 2 ? 'OK' : 'MISSED'}\n`,
  );
}

async function run(name: string, tool: Tool): Promise<{ ms: number; keys: number }> {
  process.stdout.write(`${name}: starting a cluster and loading keys…\n`);
  const nodes = await startOpsNodes(BASE, 3, BUS_BASE);
  try {
    createWithRedisCli(nodes.endpoints, 0);
    await waitClusterOk(nodes.ports);
    const ids = nodes.ports.map((p) => redisCli(['-p', String(p), 'cluster', 'myid']).toString().trim());
    load(nodes, ownersBySlot(nodes));
    const keys = countKeys(BASE, SLOTS);
    if (cpuDiagnostics()) for (const p of nodes.ports) redisCli(['-p', String(p), 'config', 'resetstat']);
    const cpuBefore = nodes.ports.map(serverCpuMs);
    hook('start');
    const started = Date.now();
    const own = await tool(ids[0] as string, ids[1] as string);
    const ms = typeof own === 'number' ? own : Date.now() - started;
    hook('stop');
    if (cpuDiagnostics()) {
      const servers = nodes.ports.map((p, i) => Math.round(serverCpuMs(p) - (cpuBefore[i] as number)));
      process.stdout.write(`  nodes' CPU ms: ${servers.join(' / ')} (source / target / other)\n`);
      for (const [i, p] of nodes.ports.slice(0, 2).entries()) process.stdout.write(`  ${i === 0 ? 'source' : 'target'} commandstats:\n${commandStats(p)}`);
    }
    await verify(nodes, keys);
    process.stdout.write(`  done in ${ms} ms\n`);
    return { ms, keys };
  } finally {
    await nodes.stop();
  }
}

/** redis-swarm's reshard in a fresh Node process (reshardMove.ts); its own timing. */
function oursInChild(from: string, to: string, settings: Partial<MoveSettings>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'reshardMove.js'), String(BASE), from, to, String(SLOTS), JSON.stringify(settings)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const lines = out.trim().split('\n');
      const last = lines.pop() ?? '';
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      try {
        const r = JSON.parse(last) as { ms: number; moved: number; failed: unknown };
        if (code !== 0 || r.moved !== SLOTS) throw new Error(`moved ${r.moved} of ${SLOTS} slots: ${JSON.stringify(r.failed)}`);
        resolve(r.ms);
      } catch (err) {
        reject(new Error(`redis-swarm's run failed (exit ${code}): ${err instanceof Error ? err.message : String(err)}\n${out.slice(-500)}`));
      }
    });
  });
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

/** used_cpu_sys + used_cpu_user of a node, in ms (INFO cpu). */
function serverCpuMs(port: number): number {
  const text = redisCli(['-p', String(port), 'info', 'cpu']).toString();
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
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
 * REDIS_SWARM_BENCH_SETTINGS='{"engine":"migrate"}' or '{"slotsInFlight":256}' tries other settings of the slot mover;
 * REDIS_SWARM_BENCH_RUNS=<n> sets the runs per tool; REDIS_SWARM_BENCH_ONLY_OURS=1 skips the redis-cli runs.
 * benchDiagnostics.ts lists the variables that show where the CPU went.
 */
function benchSettings(): Partial<MoveSettings> {
  const text = process.env['REDIS_SWARM_BENCH_SETTINGS'];
  return text ? (JSON.parse(text) as Partial<MoveSettings>) : {};
}
