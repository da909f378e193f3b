/**
 * The cluster manager over TLS, on loopback TLS nodes (`port 0`, `tls-port`, TLS bus and
 * replication): `create`, `check`, `reshard` with each key engine and `fix` run as the CLI,
 * with redis-cli's TLS flags, and the result checked with the real `redis-cli --tls`. Ports
 * 26321-26326, bus 26331-26336.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type LoopbackNodes, redisCli, tlsCliArgs, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { type TlsTestFiles, writeLoopbackTls } from '../support/tlsFiles';

const BASE = 26321;
const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
/** Bound for one CLI run. */
const RUN_TIMEOUT_MS = 120_000;
const KEYS = 3000;

describe('create, check, reshard and fix over TLS on loopback TLS nodes', { timeout: 300_000 }, () => {
  let files: TlsTestFiles | undefined;
  let nodes: LoopbackNodes | undefined;
  let tls: string[] = [];

  const cli = (port: number, ...args: string[]): string => redisCli([...tls, '-p', String(port), ...args]).toString();
  const ours = (...args: string[]): { out: string; status: number | null } => {
    const r = spawnSync('node', [BIN, ...args, ...tls], { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
    return { out: `${r.stdout}${r.stderr}`, status: r.status };
  };
  const masters = (): { id: string; port: number }[] =>
    cli(BASE, 'cluster', 'nodes')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => (f[2] ?? '').includes('master'))
      .map((f) => ({ id: f[0] as string, port: Number((f[1] as string).split(':')[1]?.split('@')[0]) }))
      .sort((a, b) => a.port - b.port);
  const slotsOf = (id: string): number =>
    cli(BASE, 'cluster', 'nodes')
      .split('\n')
      .filter((l) => l.startsWith(id))
      .flatMap((l) => l.trim().split(' ').slice(8))
      .filter((r) => !r.startsWith('['))
      .reduce((n, r) => {
        const [a, b] = r.split('-').map(Number);
        return n + ((b ?? a ?? 0) - (a ?? 0) + 1);
      }, 0);

  before(async () => {
    files = writeLoopbackTls('ops');
    tls = tlsCliArgs(files);
    nodes = await startOpsNodes(BASE, 6, BASE + 10, [], files);
  });

  after(async () => {
    await nodes?.stop();
    files?.remove();
  });

  it('create forms the cluster over TLS and check finds it healthy', async () => {
    const n = nodes as LoopbackNodes;
    const created = ours('create', ...n.endpoints, '--replicas', '1', '--yes');
    assert.equal(created.status, 0, `create over TLS should succeed: ${created.out}`);
    await waitClusterOk(n.ports, 60_000, tls);
    for (let i = 0; i < KEYS; i += 500) redisCli([...tls, '-p', String(BASE), '-c'], Array.from({ length: 500 }, (_, j) => `set k${i + j} v${i + j}`).join('\n') + '\n');
    const checked = ours('check', `127.0.0.1:${BASE}`);
    assert.equal(checked.status, 0, `check over TLS should be ok: ${checked.out}`);
    assert.match(checked.out, /certificate/i, 'check should say when the nodes\' certificates expire');
    const plain = spawnSync('node', [BIN, 'check', `127.0.0.1:${BASE}`], { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
    assert.notEqual(plain.status, 0, 'check without --tls cannot talk to TLS nodes');
  });

  for (const engine of ['copy', 'migrate'] as const) {
    it(`reshard --engine ${engine} moves slots and their keys over TLS`, () => {
      const [a, b] = masters();
      assert.ok(a && b, 'the cluster should have masters');
      const before = slotsOf(b.id);
      const r = ours('reshard', `127.0.0.1:${BASE}`, '--from', a.id, '--to', b.id, '--slots', '200', '--engine', engine, '--yes');
      assert.equal(r.status, 0, `reshard over TLS should succeed: ${r.out}`);
      assert.equal(slotsOf(b.id), before + 200, 'the target should own 200 more slots');
      const total = masters().reduce((n, m) => n + Number(cli(m.port, 'dbsize').trim()), 0);
      assert.equal(total, KEYS, 'every key should still be in the cluster after the move');
    });
  }

  it('fix closes a slot left open over TLS', () => {
    const [a, b] = masters();
    assert.ok(a && b);
    const slot = Number(cli(a.port, 'cluster', 'keyslot', 'k1').trim());
    const owner = masters().find((m) => cli(m.port, 'cluster', 'countkeysinslot', String(slot)).trim() !== '0') ?? a;
    const other = masters().find((m) => m.id !== owner.id) as { id: string; port: number };
    cli(owner.port, 'cluster', 'setslot', String(slot), 'migrating', other.id);
    cli(other.port, 'cluster', 'setslot', String(slot), 'importing', owner.id);
    const r = ours('fix', `127.0.0.1:${BASE}`, '--yes');
    assert.equal(r.status, 0, `fix over TLS should succeed: ${r.out}`);
    const open = masters().map((m) => cli(m.port, 'cluster', 'nodes')).join('\n');
    assert.doesNotMatch(open, /\[\d+-[<>]-/, 'no slot should be left migrating or importing');
  });
});
