/**
 * The reshard benchmark's own run of redis-swarm, in a fresh Node process per run, as a CLI
 * user gets it: nothing compiled yet (V8 compiles the hot paths during the move). Timed from
 * reading the topology to the end of the move, inside this process; Node's own start is not
 * counted (redis-cli's, a C program's, is a millisecond).
 *
 * `node reshardMove.js <port> <from id> <to id> <slots> [settings JSON]`; the last line of
 * stdout is `{"ms":…,"moved":…}`.
 */
import { readTopology } from '../../src/core/cluster/readTopology';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { applyReshard, planReshardOn } from '../../src/core/ops/reshard';
import { type MoveSettings } from '../../src/core/ops/mover';
import { cpuDiagnostics, startCpuWatch, startProfile } from './benchDiagnostics';

async function main(): Promise<void> {
  const [port, from, to, slots, settings] = process.argv.slice(2);
  if (!port || !from || !to || !slots) throw new Error('usage: reshardMove <port> <from id> <to id> <slots> [settings JSON]');
  const router = new StaticRouter();
  const pool = new AdminPool(router);
  const profile = await startProfile();
  const cpu = startCpuWatch();
  try {
    const started = Date.now();
    const topology = await readTopology(router, [{ host: '127.0.0.1', port: Number(port) }], { pool });
    const plan = planReshardOn(topology, { from: [from], to, slots: Number(slots) });
    const moveStarted = Date.now();
    const report = await applyReshard({ pool, settings: settings ? (JSON.parse(settings) as Partial<MoveSettings>) : {} }, topology, plan);
    const ms = Date.now() - started;
    await profile?.stop('reshard');
    if (cpuDiagnostics()) process.stdout.write(`  reading the topology: ${moveStarted - started} ms; the move: ${Date.now() - moveStarted} ms\n` + cpu.end());
    process.stdout.write(`${JSON.stringify({ ms, moved: report.moved.length, keys: report.keysMoved, engine: report.engine, failed: report.failed.slice(0, 3) })}\n`);
  } finally {
    await pool.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
