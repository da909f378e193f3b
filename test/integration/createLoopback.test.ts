/**
 * `create` against real redis-server 7.0.15 processes on loopback (ports 22000-22039): through
 * the built CLI and through the API, and its refusals of unsuitable nodes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { applyCreate, inspectNodes } from '../../src/core/cluster/applyCreate';
import { checkCluster } from '../../src/core/cluster/check';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type CreateNodeInput, planCreate } from '../../src/core/cluster/planCreate';
import { readTopology } from '../../src/core/cluster/readTopology';
import { isBadInputError, isRedisSwarmError, isTimeoutError } from '../../src/core/errors';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { type LoopbackNodes, redisCli, startRedisNodes } from '../support/loopbackCluster';

/** Tests run from the repository root (npm run test:integration). */
const REPO = process.cwd();
const started: LoopbackNodes[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});
async function nodes(basePort: number, count: number, cluster = true): Promise<LoopbackNodes> {
  const s = await startRedisNodes(basePort, count, { cluster });
  started.push(s);
  return s;
}
const inputs = (s: LoopbackNodes): CreateNodeInput[] =>
  s.ports.map((port) => ({ endpoint: { host: '127.0.0.1', port }, placementKey: '127.0.0.1' }));

test('CLI create forms 3 masters with 1 replica each; all nodes ok, 16384 slots, keys readable across nodes', async () => {
  const s = await nodes(22000, 6);
  const run = spawnSync(process.execPath, [join(REPO, 'bin', 'redis-swarm'), 'create', ...s.endpoints, '--replicas', '1', '--yes'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `create failed: ${run.stderr}\n${run.stdout}`);
  assert.match(run.stdout, /Master\[0\] -> Slots 0 - 5460/);
  assert.match(run.stdout, /\[OK\] All 16384 slots covered\./);
  for (const port of s.ports) {
    const info = redisCli(['-p', String(port), 'cluster', 'info']).toString();
    assert.match(info, /cluster_state:ok/, `node ${port} is not ok right after create`);
    assert.match(info, /cluster_slots_assigned:16384/, `node ${port} does not see all slots assigned`);
  }
  const view = parseClusterNodes(redisCli(['-p', String(s.ports[0]), 'cluster', 'nodes']).toString());
  const masters = view.nodes.filter((n) => n.role === 'master');
  assert.equal(masters.length, 3, 'three masters');
  for (const m of masters) assert.equal(view.nodes.filter((r) => r.masterId === m.id).length, 1, `master ${m.endpoint.port} has one replica`);
  redisCli(['-c', '-p', String(s.ports[0]), 'set', 'greeting', 'hello']);
  assert.equal(redisCli(['-c', '-p', String(s.ports[4]), 'get', 'greeting']).toString().trim(), 'hello');
});

test('API create: the slots each master holds are the planned ones and the check finds no error', async (t) => {
  const s = await nodes(22010, 6);
  const router = new StaticRouter();
  const pool = new AdminPool(router);
  try {
    const ids = await inspectNodes(pool, inputs(s));
    const plan = planCreate(inputs(s), 1);
    const result = await applyCreate(pool, plan, ids);
    // How fast is for `npm run bench`; here it is only reported.
    t.diagnostic(`create took ${result.elapsedMs} ms`);
    const topology = await readTopology(router, [{ host: '127.0.0.1', port: 22010 }], { pool });
    assert.equal(topology.views.length, 6, 'every node found from one seed');
    for (const m of plan.masters) {
      const node = topology.nodes.find((n) => n.id === ids[m]);
      assert.deepEqual(node?.slots, [plan.nodes[m]?.slots], `master ${m} holds its planned slots`);
    }
    const report = checkCluster(topology);
    assert.equal(report.ok, true, report.findings.map((f) => f.message).join('\n'));
  } finally {
    await pool.close();
  }
});

test('a node that already knows another node is refused as not empty, naming it', async () => {
  const s = await nodes(22020, 6);
  redisCli(['-p', '22020', 'cluster', 'meet', '127.0.0.1', '22021']);
  const pool = new AdminPool(new StaticRouter());
  try {
    await assert.rejects(inspectNodes(pool, inputs(s)), (e: unknown) => isRedisSwarmError(e, 'conflict') && /\[ERR\] Node 127\.0\.0\.1:22020 is not empty/.test(e.message));
  } finally {
    await pool.close();
  }
});

test('a node without cluster-enabled is refused as not configured as a cluster node (CLI exit code 2)', async () => {
  const s = await nodes(22030, 3, false);
  const pool = new AdminPool(new StaticRouter());
  try {
    await assert.rejects(inspectNodes(pool, inputs(s)), (e: unknown) => isBadInputError(e) && /\[ERR\] Node 127\.0\.0\.1:22030 is not configured as a cluster node\./.test(e.message));
  } finally {
    await pool.close();
  }
  const run = spawnSync(process.execPath, [join(REPO, 'bin', 'redis-swarm'), 'create', ...s.endpoints, '--yes'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /is not configured as a cluster node/);
});

test('CLI create without --yes refuses when stdin is not a terminal, and changes nothing', async () => {
  const s = await nodes(22033, 3);
  const run = spawnSync(process.execPath, [join(REPO, 'bin', 'redis-swarm'), 'create', ...s.endpoints], { encoding: 'utf8', input: 'yes\n', timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--yes/);
  assert.match(redisCli(['-p', '22033', 'cluster', 'info']).toString(), /cluster_slots_assigned:0/);
});

test('a deadline too short to converge ends in a TimeoutError naming each node and what it waits for', async () => {
  const s = await nodes(22036, 3);
  const pool = new AdminPool(new StaticRouter());
  try {
    const ids = await inspectNodes(pool, inputs(s));
    await assert.rejects(
      applyCreate(pool, planCreate(inputs(s), 0), ids, { timeoutMs: 1 }),
      (e: unknown) => isTimeoutError(e) && /did not converge/.test(e.message) && /127\.0\.0\.1:22036: .*cluster_state:fail/.test(e.message),
    );
  } finally {
    await pool.close();
  }
});
