/**
 * Real redis-server processes on loopback ports, for tests and benchmarks that need no Docker.
 * Each process gets its own scratch directory; `stop()` kills them and removes the folders,
 * and is safe to call from a test's `after` even when start failed part-way.
 */
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';

/** A TLS node's files: it listens on `tls-port` only (`port 0`), bus and replication in TLS too. */
export interface LoopbackTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** redis-cli's flags to reach a node started with `tls`. */
export function tlsCliArgs(tls: LoopbackTls | undefined): string[] {
  return tls ? ['--tls', '--cacert', tls.caFile, '--cert', tls.certFile, '--key', tls.keyFile] : [];
}

export interface LoopbackNodes {
  readonly ports: readonly number[];
  readonly endpoints: readonly string[];
  stop(): Promise<void>;
}

/** Ports and their bus ports (port + 10000) must stay below 32768, the ephemeral range. */
export const MAX_LOOPBACK_PORT = 32767 - 10000;

export async function startRedisNodes(
  basePort: number,
  count: number,
  options: { cluster?: boolean; extraArgs?: readonly string[]; busBase?: number; tls?: LoopbackTls } = {},
): Promise<LoopbackNodes> {
  // With an explicit bus port block (cluster-port, Redis 7) only that block must stay low; a
  // node outside a cluster has no bus port.
  if (options.cluster === false) {
    if (basePort + count - 1 > 32767) throw new Error(`ports ${basePort}+${count} reach the ephemeral range`);
  } else if (options.busBase !== undefined) {
    if (Math.max(basePort, options.busBase) + count - 1 > 32767) throw new Error(`ports ${basePort}/${options.busBase}+${count} reach the ephemeral range`);
  } else if (basePort + count - 1 > MAX_LOOPBACK_PORT) {
    throw new Error(`ports ${basePort}..${basePort + count - 1} would put bus ports in the ephemeral range`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'redis-swarm-test-'));
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
    for (const [i, port] of ports.entries()) {
      const tls = options.tls;
      const args = [
        ...(tls
          ? ['--port', '0', '--tls-port', String(port), '--tls-cluster', 'yes', '--tls-replication', 'yes',
             '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile]
          : ['--port', String(port)]),
        ...(options.busBase !== undefined ? ['--cluster-port', String(options.busBase + i)] : []),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--dbfilename', `dump-${port}.rdb`,
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--logfile', join(dir, `${port}.log`),
        // A new replica's sync otherwise waits 5 s before it starts.
        '--repl-diskless-sync-delay', '0',
        ...(options.cluster !== false
          ? ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']
          : []),
        ...(options.extraArgs ?? []),
      ];
      const p = spawn('redis-server', args, { stdio: 'ignore' });
      procs.push(p);
    }
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

/** Runs the reference redis-cli and returns its stdout as bytes. */
export function redisCli(args: readonly string[], input?: string | Buffer): Buffer {
  return execFileSync('redis-cli', args, { input: input ?? '', maxBuffer: 256 * 1024 * 1024 });
}

/** Forms a cluster with the reference tool (for tests that need a cluster but not our create). */
export function createWithRedisCli(endpoints: readonly string[], replicas: number, cliArgs: readonly string[] = []): void {
  execFileSync('redis-cli', [...cliArgs, '--cluster', 'create', ...endpoints, '--cluster-replicas', String(replicas), '--cluster-yes'], {
    stdio: 'ignore',
  });
}

/** Polls until every node reports cluster_state:ok and the same config epoch view. */
export async function waitClusterOk(ports: readonly number[], timeoutMs = 30_000, cliArgs: readonly string[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = ports.map((p) => redisCli([...cliArgs, '-p', String(p), 'cluster', 'info']).toString());
    if (states.every((s) => s.includes('cluster_state:ok'))) return;
    if (Date.now() > deadline) throw new Error(`cluster on ports ${ports.join(',')} not ok after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
