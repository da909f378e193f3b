/**
 * Optional diagnostics of the benchmarks (environment variables, all off by default): where the
 * CPU went during a timed step, in this process and on the machine. They only print; no result
 * depends on them.
 *
 * - REDIS_SWARM_BENCH_CPU=1: CPU per thread of the timed process, the machine's busy share.
 * - REDIS_SWARM_BENCH_PROFILE=<dir>: a V8 CPU profile of the timed step.
 * - REDIS_SWARM_BENCH_HOOK='<command>': `<command> start` and `<command> stop` around the step
 *   (a system profiler, say).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export const cpuDiagnostics = (): boolean => Boolean(process.env['REDIS_SWARM_BENCH_CPU']);

/** CPU time of each of this process's threads in ms: `main`, and the others (V8's compiler and GC helpers) by name (Linux /proc). */
export function threadCpuMs(): Map<string, number> {
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
export function machineTicks(): { busy: number; idle: number } {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: f.reduce((a, b) => a + b, 0) - idle, idle };
  } catch {
    return { busy: 0, idle: 0 };
  }
}

/** A measurement of this process's CPU (by thread) and the machine's, from now until `end()`. */
/** Read and write system calls of this process so far (Linux /proc/self/io). */
function syscalls(): { reads: number; writes: number } {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

export function startCpuWatch(): { end(): string } {
  const calls = syscalls();
  const own = process.cpuUsage();
  const threads = threadCpuMs();
  const machine = machineTicks();
  return {
    end() {
      const used = process.cpuUsage(own);
      const byThread = [...threadCpuMs()].map(([t, ms]) => [t, ms - (threads.get(t) ?? 0)] as const).filter(([, ms]) => ms >= 5);
      const m = machineTicks();
      const busy = m.busy - machine.busy;
      const idle = m.idle - machine.idle;
      return (
        `  this process: ${Math.round((used.user + used.system) / 1000)} ms CPU (user ${Math.round(used.user / 1000)}); ` +
        `by thread: ${byThread.map(([t, ms]) => `${t} ${Math.round(ms)}`).join(', ')}; ` +
        `machine: ${Math.round((100 * busy) / Math.max(1, busy + idle))}% of all cores busy; ` +
        `system calls: ${syscalls().reads - calls.reads} reads, ${syscalls().writes - calls.writes} writes\n`
      );
    },
  };
}

export function hook(phase: 'start' | 'stop'): void {
  const command = process.env['REDIS_SWARM_BENCH_HOOK'];
  if (command) execSync(`${command} ${phase}`, { stdio: 'inherit' });
}

/** A CPU profile of this process (100 µs sampling) when REDIS_SWARM_BENCH_PROFILE is set. */
export async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env['REDIS_SWARM_BENCH_PROFILE'];
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(name: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stdout.write(`  CPU profile: ${file}\n`);
    },
  };
}
