/**
 * The heal watcher on the real swarm: it never acts while another operation holds the
 * cluster's lock, and heals by itself once the lock is released. The fault is the blog's one
 * (no volumes): a killed node comes back as a stranger with a new ID, which Redis never fixes
 * alone, so only the watcher can be the one that healed it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { lookAtCluster, openHealSession } from '../../src/core/heal/healCluster';
import { watchCluster } from '../../src/core/heal/watcher';
import { withClusterLock } from '../../src/core/ops/clusterLock';
import { type Logger, tokenFromSignal } from '../../src/core/lifecycle';
import { seedEndpoints } from '../../src/core/swarm/discover';
import { deployHandMadeCluster, localEngine, runPrefix, sweep } from '../support/swarm';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Turns the watcher must be seen skipping while the lock is held (it looks every 300 ms). */
const LOCKED_TURNS = 5;
/** Bound on the wait for those turns: generous, the machine is shared. */
const LOCKED_TURNS_DEADLINE_MS = 60_000;
const HEAL_DEADLINE_MS = 90_000;

describe('the heal watcher', { timeout: 240_000 }, () => {
  const name = runPrefix('w');
  after(async () => {
    await sweep(name);
  });

  it('waits while an operation holds the lock, then heals a stranger by itself', async () => {
    await deployHandMadeCluster(name);
    const engine = localEngine();
    const session = await openHealSession(engine, name);
    const stop = new AbortController();
    let release: () => void = () => undefined;
    let taken: () => void = () => undefined;
    const isTaken = new Promise<void>((r) => (taken = r));
    const lock = { cluster: name, pool: session.pool, nodes: seedEndpoints(await session.refresh()) };
    const held = withClusterLock(lock, 'a test operation', () =>
      new Promise<void>((r) => {
        release = r;
        taken();
      }),
    );
    await isTaken;
    let heals = 0;
    let watcher: Promise<void> | undefined;
    try {
      const before = await session.refresh();
      const victim = before.nodes.find((n) => n.service === `${name}-1`)?.task?.containerId;
      assert.ok(victim, 'node 1 runs');
      execFileSync('docker', ['kill', victim], { stdio: 'ignore' });
      // Wait (bounded) until the swarm runs a new task for node 1.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const c = await session.refresh();
        const n1 = c.nodes.find((n) => n.service === `${name}-1`);
        if (n1?.task?.state === 'running' && n1.task.containerId !== victim) break;
        assert.ok(Date.now() < deadline, 'the swarm restarted node 1 within 60 s');
        await sleep(250);
      }

      // What the watcher says is the proof it looked: a turn skipped for the lock is logged.
      const said: string[] = [];
      const logger: Logger = { trace: () => undefined, debug: (m) => said.push(m), info: (m) => said.push(m), warn: (m) => said.push(m), error: (m) => said.push(m) };
      const busyTurns = (): number => said.filter((m) => m.includes(`${name} is busy (a test operation)`)).length;
      watcher = watchCluster(engine, name, { graceMs: 30_000, intervalMs: 300, token: tokenFromSignal(stop.signal), logger, onHeal: () => heals++ });
      const turnsDeadline = Date.now() + LOCKED_TURNS_DEADLINE_MS;
      while (busyTurns() < LOCKED_TURNS) {
        assert.ok(Date.now() < turnsDeadline, `the watcher looked ${LOCKED_TURNS} times within ${LOCKED_TURNS_DEADLINE_MS / 1000} s, finding the lock held (it said: ${said.join(' | ')})`);
        await sleep(100);
      }
      assert.equal(heals, 0, 'the watcher did not run heal while the lock was held');
      assert.deepEqual(said.filter((m) => /needs healing/.test(m)), [], 'the watcher did not even plan a heal while the lock was held');
      const stillBroken = await lookAtCluster(session, { graceMs: 30_000 });
      assert.ok(stillBroken.plan.actions.length > 0, 'the stranger is still there while the lock is held');

      release();
      await held;
      const healDeadline = Date.now() + HEAL_DEADLINE_MS;
      for (;;) {
        const { diagnosis } = await lookAtCluster(session, { graceMs: 30_000 });
        if (heals > 0 && diagnosis.healthy) {
          const masters = diagnosis.live.filter((n) => n.role === 'master' && n.slotCount > 0);
          assert.equal(masters.length, 3);
          for (const m of masters) assert.equal(diagnosis.live.filter((r) => r.masterId === m.id).length, 1, `${m.service} has a replica`);
          break;
        }
        assert.ok(Date.now() < healDeadline, `the watcher healed the cluster within ${HEAL_DEADLINE_MS / 1000} s (heals: ${heals})`);
        await sleep(500);
      }
    } finally {
      release();
      stop.abort();
      await watcher;
      await session.dispose();
    }
  });
});
