/**
 * SIGTERM (what CI, `timeout` and service managers send) cancels a running verb the way the
 * first Ctrl+C does: the real `bin/redis-swarm` process is signalled mid-way and must leave
 * nothing half done. Loopback ports 25200-25205 (bus 25230-25235); swarm objects named with the
 * run's prefix. Needs `npm run build` (dist/cli.js).
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import Redis from 'ioredis';
import { EXIT_CANCELLED } from '../../src/cli/main';
import { applyCreate, inspectNodes } from '../../src/core/cluster/applyCreate';
import { planCreate } from '../../src/core/cluster/planCreate';
import { isCancelledError } from '../../src/core/errors';
import { tokenFromSignal } from '../../src/core/lifecycle';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { TEST_IMAGE, leftovers, runPrefix, sweep } from '../support/swarm';
import { type Run, runCli } from '../support/cliRun';

const BASE = 25200;

function kill(run: Run): void {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}

describe('SIGTERM cancels like the first Ctrl+C', { timeout: 400_000 }, () => {
  const prefix = runPrefix('k3s');
  let nodes: LoopbackNodes | undefined;
  const runs: Run[] = [];
  after(async () => {
    runs.forEach(kill);
    await nodes?.stop();
    await sweep(prefix);
  });

  it('a deploy signalled while it creates services removes everything it made and exits with the cancel status', async () => {
    const run = runCli(['deploy', '--name', prefix, '--image', TEST_IMAGE, '--network', `${prefix}-net`, '--nodes', '6']);
    runs.push(run);
    await run.waitFor(/creating service/, 120_000);
    run.child.kill('SIGTERM');
    const code = await run.exit(180_000);
    assert.equal(code, EXIT_CANCELLED, `the cancel status; output:\n${run.output()}`);
    assert.match(run.output(), /cancelled/i, 'it says it was cancelled');
    assert.deepEqual(leftovers(prefix), [], 'no service, volume, config, secret or network is left');
  });

  it('a create cancelled once slots are assigned finishes forming the cluster; cancelled before, it changes nothing', async () => {
    const createBase = BASE + 10;
    const formed = await startOpsNodes(createBase, 6, createBase + 30);
    const router = new StaticRouter();
    const pool = new AdminPool(router);
    try {
      const inputs = formed.ports.map((port) => ({ endpoint: { host: '127.0.0.1', port }, placementKey: String(port), busPort: port + 30 }));
      const plan = planCreate(inputs, 1);
      const ids = await inspectNodes(pool, inputs);
      // The CLI's own token: an AbortSignal, as SIGINT/SIGTERM abort it.
      const controller = new AbortController();
      const token = tokenFromSignal(controller.signal);
      const cancel = (): void => controller.abort();
      // Already cancelled: nothing is touched.
      const early = tokenFromSignal(AbortSignal.abort());
      await assert.rejects(applyCreate(pool, plan, ids, { token: early }), (err: unknown) => isCancelledError(err) && /before any node was changed/.test((err as Error).message));
      assert.match(redisCli(['-p', String(createBase), 'cluster', 'info']).toString(), /cluster_slots_assigned:0/, 'no slot was assigned');
      // Cancelled as the slots are being assigned: the formation completes.
      const steps: string[] = [];
      const result = await applyCreate(pool, plan, ids, {
        token,
        progress: {
          report: ({ message }) => {
            if (message) steps.push(message);
            if (message?.startsWith('Assigning slots')) cancel();
          },
        },
      });
      assert.deepEqual(result.ids, ids, 'the formation that went on reports the nodes it formed');
      assert.ok(steps.some((s) => /Cancel requested: finishing the formation/.test(s)), `says why it went on: ${steps.join(' | ')}`);
      const check = redisCli(['--cluster', 'check', `127.0.0.1:${createBase}`]).toString();
      assert.match(check, /\[OK\] All 16384 slots covered/);
      assert.match(check, /\[OK\] All nodes agree about slots configuration/);
    } finally {
      await pool.close();
      await router.dispose();
      await formed.stop();
    }
  });

  it('a reshard signalled mid-move finishes or closes the slots in flight: no slot left open', async () => {
    nodes = await startOpsNodes(BASE, 6, BASE + 30);
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    // Keys in every slot, so each slot's move takes a while and the signal lands mid-way.
    const seed = new Redis({ host: '127.0.0.1', port: BASE, lazyConnect: true });
    const target = redisCli(['-p', String(BASE), 'cluster', 'myid']).toString().trim();
    try {
      await seed.connect();
      const cluster = new Redis.Cluster([{ host: '127.0.0.1', port: BASE }]);
      try {
        for (let i = 0; i < 20_000; i += 1000) {
          await Promise.all(Array.from({ length: 1000 }, (_, j) => cluster.set(`sig:${i + j}`, `v${i + j}`)));
        }
      } finally {
        cluster.disconnect();
      }
    } finally {
      seed.disconnect();
    }
    const run = runCli(['reshard', `127.0.0.1:${BASE}`, '--to', target, '--slots', '8000', '--slots-in-flight', '4', '--pipeline', '10', '--yes']);
    runs.push(run);
    await run.waitFor(/^moved /m, 120_000);
    run.child.kill('SIGTERM');
    const code = await run.exit(180_000);
    assert.equal(code, EXIT_CANCELLED, `the cancel status; output:\n${run.output()}`);
    const open = nodes.ports.flatMap((p) =>
      redisCli(['-p', String(p), 'cluster', 'nodes'])
        .toString()
        .split('\n')
        .filter((l) => l.includes('myself') && /\[\d+-[<>]-/.test(l))
        .map((l) => `${p}: ${l}`),
    );
    assert.deepEqual(open, [], 'no node has a slot left migrating or importing');
    // The reference tool agrees: every slot covered, none open.
    const check = redisCli(['--cluster', 'check', `127.0.0.1:${BASE}`]).toString();
    assert.match(check, /\[OK\] All 16384 slots covered/);
    assert.doesNotMatch(check, /\[WARNING\]|\[ERR\]/, 'no warning about open slots');
  });
});
