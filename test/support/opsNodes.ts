/**
 * Loopback redis-server processes for the operations' tests and benchmark, whose ports are
 * 23000-23199: above loopbackCluster.ts's limit, because port + 10000 would land in the
 * ephemeral range. Redis 7's `cluster-port` sets the bus port explicitly, so each node gets a
 * bus port inside the same block (`busBase + i`), and everything stays below 32768.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { LoopbackNodes } from './loopbackCluster';

export async function startOpsNodes(basePort: number, count: number, busBase: number, extraArgs: readonly string[] = []): Promise<LoopbackNodes> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-swarm-ops-'));
  const procs: ChildProcess[] = [];
  const ports = Array.from({ length: count }, (_, i) => basePort + i);
  const stop = async (): Promise<void> => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ports.forEach((port, i) => {
      const args = [
        '--port', String(port),
        '--cluster-port', String(busBase + i),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--dbfilename', `dump-${port}.rdb`,
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--logfile', join(dir, `${port}.log`),
        '--repl-diskless-sync-delay', '0',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', '5000',
        ...extraArgs,
      ];
      procs.push(spawn('redis-server', args, { stdio: 'ignore' }));
    });
    await Promise.all(ports.map((port) => waitForPort(port, 10_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, endpoints: ports.map((p) => `127.0.0.1:${p}`), stop };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on 127.0.0.1:${port} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
