/**
 * `redis-swarm cli --tls …` against the real `redis-cli --tls` on the same loopback TLS cluster
 * (every node `port 0`, `tls-port`, TLS on the bus and for replication): the same script prints
 * the same bytes through MOVED and ASK redirects, and TLS failures (untrusted node, unusable CA
 * or client certificate file, no client certificate) print what redis-cli prints, with its
 * exit status. Ports 26301-26306, bus 26311-26316 (this helper's block is 26300-26399).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWithRedisCli, type LoopbackNodes, redisCli, tlsCliArgs, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { replScript } from '../support/replScript';
import { type TlsTestFiles, writeLoopbackTls } from '../support/tlsFiles';

const BASE_PORT = 26301;
const BUS_BASE = 26311;
const NODES = 6;
const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
/** Upper bound for one replay of the script (either client). */
const RUN_TIMEOUT_MS = 60_000;
const ASK_KEY = 'askme';

interface Run {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly status: number | null;
}

function run(cmd: string, args: readonly string[], input: string): Run {
  const r = spawnSync(cmd, args, { input, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.error, undefined, `${cmd} could not run: ${String(r.error)}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const ours = (args: readonly string[], input = ''): Run => run('node', [BIN, 'cli', ...args], input);
const reference = (args: readonly string[], input = ''): Run => run('redis-cli', args, input);

function firstDifference(expected: Buffer, actual: Buffer): string {
  const e = expected.toString('latin1').split('\n');
  const a = actual.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return `line ${i + 1} differs: redis-cli printed ${JSON.stringify(e[i])}, redis-swarm printed ${JSON.stringify(a[i])}`;
  }
  return 'outputs differ only in bytes the line split does not show';
}

describe('redis-swarm cli --tls matches redis-cli --tls 7 byte for byte on a loopback TLS cluster', () => {
  let files: TlsTestFiles | undefined;
  let nodes: LoopbackNodes | undefined;
  let tls: string[] = [];
  let askSlot = 0;
  let ports: number[] = [];
  const ids = new Map<number, string>();
  let askSource = 0;
  let askTarget = 0;

  const cli = (port: number, ...args: string[]): string => redisCli([...tls, '-p', String(port), ...args]).toString();

  function resetData(): void {
    for (const p of ports) {
      if (!cli(p, 'role').startsWith('master')) continue;
      cli(p, 'flushall');
      cli(p, 'cluster', 'setslot', String(askSlot), 'stable');
    }
    cli(askTarget, 'cluster', 'setslot', String(askSlot), 'importing', ids.get(askSource) as string);
    cli(askSource, 'cluster', 'setslot', String(askSlot), 'migrating', ids.get(askTarget) as string);
  }

  before(async () => {
    files = writeLoopbackTls('repl');
    tls = tlsCliArgs(files);
    nodes = await startOpsNodes(BASE_PORT, NODES, BUS_BASE, [], files);
    ports = [...nodes.ports];
    createWithRedisCli(nodes.endpoints, 1, tls);
    await waitClusterOk(nodes.ports, 30_000, tls);
    for (const line of cli(BASE_PORT, 'cluster', 'nodes').trim().split('\n')) {
      const f = line.split(' ');
      ids.set(Number((f[1] as string).split(':')[1]?.split('@')[0]), f[0] as string);
    }
    askSlot = Number(cli(BASE_PORT, 'cluster', 'keyslot', ASK_KEY).trim());
    const slotsLine = cli(BASE_PORT, 'cluster', 'shards');
    assert.ok(slotsLine.length > 0);
    const owners = ports.filter((p) => cli(p, 'role').startsWith('master'));
    askSource = owners.find((p) => Number(cli(p, 'cluster', 'countkeysinslot', String(askSlot)).trim()) === 0 && !cli(p, 'get', ASK_KEY).startsWith('MOVED')) ?? 0;
    assert.ok(askSource !== 0, 'the ASK slot should have an owner');
    askTarget = owners.find((p) => p !== askSource) as number;
  });

  after(async () => {
    await nodes?.stop();
    files?.remove();
  });

  for (const mode of [[], ['--no-raw'], ['-3', '--no-raw']] as const) {
    it(`prints the same bytes as redis-cli --tls -c ${mode.join(' ') || '(raw)'} for the REPL script`, () => {
      const input = replScript({ askKey: ASK_KEY, connectPort: ports[1] as number }).join('\n') + '\n';
      const args = [...tls, '-p', String(BASE_PORT), '-c', ...mode];
      resetData();
      const expected = reference(args, input);
      resetData();
      const actual = ours(args, input);
      assert.ok(expected.stdout.includes('-> Redirected to slot'), 'the script should meet MOVED redirects over TLS');
      assert.ok(expected.stdout.includes(`-> Redirected to slot [${askSlot}] located at 127.0.0.1:${askTarget}\n`), 'the script should meet an ASK redirect');
      assert.ok(actual.stdout.equals(expected.stdout), firstDifference(expected.stdout, actual.stdout));
    });
  }

  it('TLS flags and TLS failures print what redis-cli prints, on stdout and stderr, with its exit status', () => {
    resetData();
    const f = files as TlsTestFiles;
    const hashedDir = join(f.dir, 'hashed');
    mkdirSync(hashedDir);
    const hash = execFileSync('openssl', ['x509', '-hash', '-noout', '-in', f.caFile]).toString().trim();
    copyFileSync(f.caFile, join(hashedDir, `${hash}.0`));
    const p = ['-p', String(BASE_PORT)];
    const cases: string[][] = [
      [...tls, ...p, '-c', 'set', 'k', 'v'],
      [...tls, ...p, '-c', 'get', 'k'],
      [...tls, ...p, '--sni', 'localhost', 'ping'],
      // A CA directory is read only through its hashed names (openssl rehash): f.dir has none…
      ['--tls', '--cacertdir', f.dir, '--cert', f.certFile, '--key', f.keyFile, ...p, 'ping'],
      // …hashedDir has the CA under its subject hash.
      ['--tls', '--cacertdir', hashedDir, '--cert', f.certFile, '--key', f.keyFile, ...p, 'ping'],
      ['--tls', '--insecure', '--cert', f.certFile, '--key', f.keyFile, ...p, 'ping'],
      // No CA that trusts the node: the handshake fails.
      ['--tls', '--cert', f.certFile, '--key', f.keyFile, ...p, 'ping'],
      // Files that cannot be used: redis-cli says so at each connection attempt.
      ['--tls', '--cacert', join(f.dir, 'missing.crt'), ...p, 'ping'],
      ['--tls', '--cacert', f.caFile, '--cert', join(f.dir, 'missing.crt'), '--key', f.keyFile, ...p, 'ping'],
      ['--tls', '--cacert', f.caFile, '--cert', f.certFile, '--key', f.caFile, ...p, 'ping'],
      // A TLS node that is spoken to in plain text.
      [...p, 'ping'],
    ];
    for (const c of cases) {
      const expected = reference(c);
      const actual = ours(c);
      assert.ok(actual.stdout.equals(expected.stdout), `stdout of ${c.join(' ')}: ${firstDifference(expected.stdout, actual.stdout)}`);
      assert.ok(actual.stderr.equals(expected.stderr), `stderr of ${c.join(' ')}: ${firstDifference(expected.stderr, actual.stderr)}`);
      assert.equal(actual.status, expected.status, `exit status of ${c.join(' ')}`);
    }
  });
});
