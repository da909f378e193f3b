/**
 * 10,000 commands piped through `redis-swarm cli -c` and through `redis-cli -c` on the same
 * loopback cluster (ports 21050-21055). Keys spread over all slots, so most commands are
 * redirected. Runs alternate and the median of each side is compared; target: ours at most
 * 1.5x redis-cli.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createWithRedisCli, redisCli, startRedisNodes, waitClusterOk } from '../support/loopbackCluster';

const BASE_PORT = 21050;
const NODES = 6;
const COMMANDS = 10_000;
/** Alternating runs per side; the median is reported. */
const ROUNDS = 3;
/** Upper bound for one run. */
const RUN_TIMEOUT_MS = 120_000;
export const REPL_TARGET_RATIO = 1.5;

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');

function script(): string {
  const lines: string[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const k = `key:${i % 2000}`;
    const kind = i % 4;
    lines.push(kind === 0 ? `set ${k} value-${i}` : kind === 1 ? `get ${k}` : kind === 2 ? `incr n:${i % 500}` : `hset h:${i % 300} f${i % 7} "v ${i}"`);
  }
  return lines.join('\n') + '\n';
}

function timeRun(cmd: string, args: readonly string[], input: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let bytes = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${cmd} exited with ${code}`));
      resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, bytes });
    });
    child.stdin.end(input);
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function benchRepl(): Promise<void> {
  const nodes = await startRedisNodes(BASE_PORT, NODES);
  try {
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    const input = script();
    const port = String(BASE_PORT);
    const flush = (): void => {
      for (const p of nodes.ports) redisCli(['-p', String(p), 'flushall']);
    };
    const ref: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      flush();
      const a = await timeRun('redis-cli', ['-p', port, '-c'], input);
      flush();
      const b = await timeRun('node', [BIN, 'cli', '-p', port, '-c'], input);
      if (a.bytes !== b.bytes) throw new Error(`outputs differ in size: redis-cli ${a.bytes} bytes, redis-swarm ${b.bytes} bytes`);
      ref.push(a.ms);
      ours.push(b.ms);
    }
    const refMs = median(ref);
    const ourMs = median(ours);
    const ratio = ourMs / refMs;
    process.stdout.write(
      `repl: ${COMMANDS} commands piped with -c\n` +
        `  redis-cli -c        ${refMs.toFixed(0)} ms (runs ${ref.map((x) => x.toFixed(0)).join(', ')})\n` +
        `  redis-swarm cli -c  ${ourMs.toFixed(0)} ms (runs ${ours.map((x) => x.toFixed(0)).join(', ')})\n` +
        `  ratio ${ratio.toFixed(2)}x (target <= ${REPL_TARGET_RATIO}x) ${ratio <= REPL_TARGET_RATIO ? 'OK' : 'OVER TARGET'}\n`,
    );
  } finally {
    await nodes.stop();
  }
}
