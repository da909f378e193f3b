// A bounded, local CPU load generator for stress runs: keeps `--workers` threads busy (default:
// one per core) for at most `--seconds`, then exits by itself. It does no I/O and opens no socket.
// Usage: node scripts/cpu-load.mjs [--workers N] [--seconds S]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, workerData } from 'node:worker_threads';

/** A hard bound whatever the caller asks: a forgotten generator must not run for a day. */
const MAX_SECONDS = 4 * 3600;

if (isMainThread) {
  const { values } = parseArgs({ options: { workers: { type: 'string' }, seconds: { type: 'string' } } });
  const workers = Number(values.workers ?? availableParallelism());
  const seconds = Number(values.seconds ?? 600);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`--workers must be 1..64, not ${values.workers}`);
  if (!(seconds > 0 && seconds <= MAX_SECONDS)) throw new Error(`--seconds must be in (0, ${MAX_SECONDS}], not ${values.seconds}`);
  const until = Date.now() + seconds * 1000;
  for (let i = 0; i < workers; i++) new Worker(new URL(import.meta.url), { workerData: { until } });
  console.log(`cpu-load: ${workers} busy thread(s) for ${seconds} s (pid ${process.pid})`);
} else {
  const { until } = workerData;
  let x = 0;
  // Check the clock every few million iterations: cheap, and the thread still stops on time.
  while (Date.now() < until) for (let i = 0; i < 5_000_000; i++) x = (x * 31 + i) | 0;
  if (x === 42) console.log('');
}
