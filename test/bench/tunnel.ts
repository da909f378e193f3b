/**
 * The Docker API tunnel over ssh (DOCKER_HOST=ssh://, the test sshd on 127.0.0.1:26523, which
 * reaches this machine's own engine) against the same tunnel over the local socket, to one Redis
 * container: round-trip latency (sequential PINGs, median and p99), throughput (1 MiB values SET
 * then GET), and the time to open a tunnel connection (each is a new exec: over ssh, also a new
 * ssh process). The tools take turns; medians of ROUNDS runs are compared, with the ratio.
 */
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { type Engine, openEngine } from '../../src/core/docker/engine';
import { openTunnel } from '../../src/core/swarm/tunnel';
import { startSshBed } from '../support/sshBed';
import { TEST_IMAGE, runPrefix } from '../support/swarm';

const SSH_PORT = 26523;
const PINGS = 2000;
const VALUE_BYTES = 1 << 20;
const VALUES = 32;
const CONNECTS = 10;
const ROUNDS = 3;

interface Sample {
  readonly pingMedianUs: number;
  readonly pingP99Us: number;
  readonly setMiBs: number;
  readonly getMiBs: number;
  readonly connectMs: number;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] as number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

async function measure(engine: Engine, containerId: string): Promise<Sample> {
  const tunnel = await openTunnel(engine.docker, containerId, 6379);
  try {
    // Opening a connection: the exec, and over ssh the ssh process and its handshake.
    const connects: number[] = [];
    for (let i = 0; i < CONNECTS; i++) {
      const t0 = now();
      const c = new Redis({ host: tunnel.local.host, port: tunnel.local.port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      await c.connect();
      await c.ping();
      connects.push(now() - t0);
      c.disconnect();
    }
    const client = new Redis({ host: tunnel.local.host, port: tunnel.local.port, maxRetriesPerRequest: 0 });
    try {
      await client.ping();
      const rtt: number[] = [];
      for (let i = 0; i < PINGS; i++) {
        const t0 = now();
        await client.ping();
        rtt.push((now() - t0) * 1000);
      }
      const value = Buffer.alloc(VALUE_BYTES, 'x');
      let t0 = now();
      for (let i = 0; i < VALUES; i++) await client.set(`bench:${i}`, value);
      const setMs = now() - t0;
      t0 = now();
      for (let i = 0; i < VALUES; i++) await client.getBuffer(`bench:${i}`);
      const getMs = now() - t0;
      const mib = (VALUES * VALUE_BYTES) / (1 << 20);
      return {
        pingMedianUs: quantile(rtt, 0.5),
        pingP99Us: quantile(rtt, 0.99),
        setMiBs: mib / (setMs / 1000),
        getMiBs: mib / (getMs / 1000),
        connectMs: quantile(connects, 0.5),
      };
    } finally {
      client.disconnect();
    }
  } finally {
    await tunnel.close();
  }
}

function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export async function benchTunnel(): Promise<void> {
  const name = runPrefix('rem');
  const bed = await startSshBed(SSH_PORT);
  let containerId = '';
  try {
    containerId = execFileSync('docker', ['run', '-d', '--name', name, '--label', 'org.redis-swarm.bench=tunnel', TEST_IMAGE, 'redis-server', '--port', '6379', '--save', '', '--appendonly', 'no'], {
      encoding: 'utf8',
    }).trim();
    const local = openEngine({ env: { ...process.env, DOCKER_HOST: '', DOCKER_CONTEXT: '' } });
    const ssh = openEngine({ env: bed.env() });
    const samples: { local: Sample[]; ssh: Sample[] } = { local: [], ssh: [] };
    for (let r = 0; r < ROUNDS; r++) {
      samples.local.push(await measure(local, containerId));
      samples.ssh.push(await measure(ssh, containerId));
    }
    const row = (label: string, pick: (s: Sample) => number, unit: string, digits: number): string => {
      const l = median(samples.local.map(pick));
      const s = median(samples.ssh.map(pick));
      return `${label.padEnd(30)} ${`${l.toFixed(digits)} ${unit}`.padStart(14)} ${`${s.toFixed(digits)} ${unit}`.padStart(14)} ${`${(s / l).toFixed(2)}x`.padStart(8)}`;
    };
    process.stdout.write(`tunnel to one Redis container, median of ${ROUNDS} runs each (ssh: OpenSSH to 127.0.0.1, docker system dial-stdio)\n`);
    process.stdout.write(`${''.padEnd(30)} ${'local socket'.padStart(14)} ${'ssh'.padStart(14)} ${'ssh/local'.padStart(8)}\n`);
    process.stdout.write(row(`PING round trip, median`, (s) => s.pingMedianUs, 'us', 0) + '\n');
    process.stdout.write(row(`PING round trip, p99`, (s) => s.pingP99Us, 'us', 0) + '\n');
    process.stdout.write(row(`SET 1 MiB values`, (s) => s.setMiBs, 'MiB/s', 1) + '\n');
    process.stdout.write(row(`GET 1 MiB values`, (s) => s.getMiBs, 'MiB/s', 1) + '\n');
    process.stdout.write(row(`open a tunnel connection`, (s) => s.connectMs, 'ms', 1) + '\n');
  } finally {
    if (containerId) execFileSync('docker', ['rm', '-f', '-v', containerId], { stdio: 'ignore' });
    bed.stop();
  }
}
