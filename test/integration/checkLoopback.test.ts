/**
 * `check` against a real 6-node cluster (formed by redis-cli on ports 22040-22045) that each
 * test damages and repairs: open slot, uncovered slot, master without replica, dead node.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { checkCluster, type CheckReport } from '../../src/core/cluster/check';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { readTopology } from '../../src/core/cluster/readTopology';
import { type NodesView } from '../../src/core/cluster/topology';
import { StaticRouter } from '../../src/core/routes/router';
import { createWithRedisCli, type LoopbackNodes, redisCli, startRedisNodes, waitClusterOk } from '../support/loopbackCluster';

const SEED = { host: '127.0.0.1', port: 22040 };
let servers: LoopbackNodes | undefined;
before(async () => {
  servers = await startRedisNodes(22040, 6);
  createWithRedisCli(servers.endpoints, 1);
  await waitClusterOk(servers.ports);
  // cluster_state:ok comes before every node has heard of every other and which are replicas
  // (check reports a node one peer does not know yet); the tests below read roles from node
  // 22040. Wait (bounded) until every node lists all six and node 22040 knows the 3 replicas.
  const ports = servers.ports;
  const deadline = Date.now() + 20_000;
  while (view(22040).nodes.filter((n) => n.role === 'replica').length < 3 || !ports.every((p) => view(p).nodes.length === ports.length)) {
    if (Date.now() > deadline) throw new Error('the nodes did not all learn each other and the 3 replicas within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  await servers?.stop();
});

const cli = (port: number, ...args: string[]): string => redisCli(['-p', String(port), ...args]).toString().trim();
const view = (port: number): NodesView => parseClusterNodes(cli(port, 'cluster', 'nodes'));
async function check(): Promise<CheckReport> {
  return checkCluster(await readTopology(new StaticRouter(), [SEED]));
}
const codes = (r: CheckReport): string[] => r.findings.map((f) => f.code);

test('a healthy cluster checks clean: nodes agree, all slots covered, no error', async () => {
  const r = await check();
  assert.equal(r.ok, true, r.findings.map((f) => f.message).join('\n'));
  assert.ok(codes(r).includes('config-agree'));
  assert.ok(codes(r).includes('coverage-ok'));
  const run = spawnSync(process.execPath, ['bin/redis-swarm', 'check', '127.0.0.1:22040'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\[OK\] All 16384 slots covered\./);
});

test('a slot left migrating/importing is reported as open, on both nodes', async () => {
  const owner = view(22040).self;
  const other = view(22041).self;
  const slot = owner.slots[0]?.start ?? 0;
  cli(22040, 'cluster', 'setslot', String(slot), 'migrating', other.id);
  cli(22041, 'cluster', 'setslot', String(slot), 'importing', owner.id);
  try {
    const r = await check();
    assert.equal(r.ok, false);
    assert.ok(codes(r).includes('slot-migrating'), 'migrating side reported');
    assert.ok(codes(r).includes('slot-importing'), 'importing side reported');
    const open = r.findings.find((f) => f.code === 'open-slots');
    assert.match(open?.message ?? '', new RegExp(`The following slots are open: ${slot}\\.`));
  } finally {
    cli(22040, 'cluster', 'setslot', String(slot), 'stable');
    cli(22041, 'cluster', 'setslot', String(slot), 'stable');
  }
});

test('a slot its owner dropped is reported as not covered, with the slot number', async () => {
  const owner = view(22040).self;
  const slot = owner.slots[0]?.start ?? 0;
  cli(22040, 'cluster', 'delslots', String(slot));
  try {
    const r = await check();
    const coverage = r.findings.find((f) => f.code === 'coverage');
    assert.ok(coverage, `no coverage finding in: ${codes(r).join(', ')}`);
    assert.match(coverage.message, new RegExp(`1 slot\\(s\\) have no owner \\(${slot}\\)`));
  } finally {
    cli(22040, 'cluster', 'addslots', String(slot));
  }
});

test('a master whose only replica moved to another master is reported as without replica', async () => {
  const v = view(22040);
  const masters = v.nodes.filter((n) => n.role === 'master');
  const [a, b] = masters;
  assert.ok(a && b);
  const replicaOfA = v.nodes.find((n) => n.masterId === a.id);
  assert.ok(replicaOfA);
  cli(replicaOfA.endpoint.port, 'cluster', 'replicate', b.id);
  try {
    const r = await check();
    const f = r.findings.find((x) => x.code === 'no-replica');
    assert.ok(f, `no no-replica finding in: ${codes(r).join(', ')}`);
    assert.deepEqual(f.nodeIds, [a.id]);
  } finally {
    cli(replicaOfA.endpoint.port, 'cluster', 'replicate', a.id);
  }
});

test('a node that is down is reported as unreachable (last: it stays down)', async () => {
  const v = view(22040);
  const replica = v.nodes.find((n) => n.role === 'replica');
  assert.ok(replica);
  cli(replica.endpoint.port, 'shutdown', 'nosave');
  const r = await check();
  assert.equal(r.ok, false);
  const f = r.findings.find((x) => x.code === 'unreachable');
  assert.match(f?.message ?? '', new RegExp(`Cannot reach node 127\\.0\\.0\\.1:${replica.endpoint.port}`));
});
