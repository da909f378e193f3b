/**
 * An operation started while the cluster is still converging waits for it (bounded) instead of
 * calling it broken: real loopback nodes (ports 26700-26702, bus 26750-26752), a slot left open
 * for a moment as a move or a fresh formation leaves it, closed 1.5 s later.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { readTopology } from '../../src/core/cluster/readTopology';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { blockingFindings, readSettledTopology, requireReadyForMoves } from '../../src/core/ops/opsTopology';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const BASE = 26700;
const SEED = { host: '127.0.0.1', port: BASE };
/** When the slot opened by the test is closed again. */
const CLOSE_AFTER_MS = 1_500;

let nodes: LoopbackNodes | undefined;
let router: StaticRouter;
let pool: AdminPool;

before(async () => {
  nodes = await startOpsNodes(BASE, 3, BASE + 50);
  createWithRedisCli(nodes.endpoints, 0);
  await waitClusterOk(nodes.ports);
  router = new StaticRouter();
  pool = new AdminPool(router);
}, { timeout: 60_000 });

after(async () => {
  await pool?.close();
  await router?.dispose();
  await nodes?.stop();
}, { timeout: 30_000 });

function openSlot(on: number): void {
  redisCli(['-p', String(on), 'CLUSTER', 'SETSLOT', '100', 'MIGRATING', redisCli(['-p', String(BASE + 1), 'CLUSTER', 'MYID']).toString().trim()]);
}
const closeSlot = (on: number): void => void redisCli(['-p', String(on), 'CLUSTER', 'SETSLOT', '100', 'STABLE']);

test('a cluster that settles within the bound is read as ready, not reported as broken', { timeout: 60_000 }, async () => {
  openSlot(BASE);
  const closer = setTimeout(() => closeSlot(BASE), CLOSE_AFTER_MS);
  try {
    const first = await readTopology(router, [SEED], { pool });
    assert.throws(() => requireReadyForMoves(first), /open/, 'read once, the converging cluster looks broken');
    const settled = await readSettledTopology(router, pool, [SEED], { settleMs: 20_000 });
    assert.deepEqual(blockingFindings(settled).map((f) => f.message), [], 'read until settled, nothing blocks the move');
  } finally {
    clearTimeout(closer);
    closeSlot(BASE);
  }
});

test('a cluster that does not settle is still reported, in one sentence without backticks', { timeout: 60_000 }, async () => {
  openSlot(BASE);
  try {
    const t = await readSettledTopology(router, pool, [SEED], { settleMs: 1_000 });
    let message = '';
    try {
      requireReadyForMoves(t);
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    assert.match(message, /^Please fix your cluster problems first \(redis-swarm fix\): .*100/);
    assert.ok(!message.includes('`'), `no literal backticks: ${message}`);
  } finally {
    closeSlot(BASE);
  }
});
