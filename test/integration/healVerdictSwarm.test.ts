/**
 * Issue 13 item 5 on the real swarm: two node services of a cache-mode cluster scaled to 0,
 * heal run, then `redis-swarm check --cluster` run as a person would right after. Heal's
 * verdict must be check's: when check exits 1, heal neither says ok nor prints [OK].
 * Everything is swept afterwards, even on failure.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { formatHealOutcome } from '../../src/core/heal/formatHeal';
import { healCluster, openHealSession } from '../../src/core/heal/healCluster';
import { deployFormedCluster, localEngine, runPrefix, sweep } from '../support/swarm';

describe("heal's verdict on the real swarm", { timeout: 400_000 }, () => {
  const prefix = runPrefix('k4');
  after(async () => {
    await sweep(prefix);
  });

  it('two services scaled to 0 in a cache-mode cluster: heal says ok only when check does, and names what is left', async () => {
    const name = `${prefix}v`;
    await deployFormedCluster(name, { nodes: 6, replicas: 1, mode: 'cache' });
    const session = await openHealSession(localEngine(), name);
    try {
      execFileSync('docker', ['service', 'scale', '--detach', `${name}-3=0`, `${name}-4=0`], { stdio: 'ignore' });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const c = await session.refresh();
        if (c.nodes.filter((n) => n.task?.state === 'running').length === 4) break;
        assert.ok(Date.now() < deadline, 'the two services stopped within 60 s');
        await sleep(500);
      }
      // The two stopped services will not come back: heal does what it can, waits for them, and
      // stops at its (shortened) deadline.
      const r = await healCluster(session, { graceMs: 0, timeoutMs: 30_000 });
      const printed = formatHealOutcome(r);
      process.stdout.write(`heal: ${r.applied} action(s), ok=${r.ok}, timedOut=${r.timedOut}\n${printed}`);

      const check = spawnSync(process.execPath, ['bin/redis-swarm', 'check', '--cluster', name], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, DOCKER_HOST: '' },
      });
      process.stdout.write(`check exit ${check.status}\n${check.stdout}`);
      assert.equal(check.status, 1, `check exits 1 while stopped nodes are still known: ${check.stderr}`);
      assert.equal(r.ok, false, "heal's verdict is check's: not ok");
      assert.doesNotMatch(printed, /\[OK\]/, 'heal prints no [OK] when check fails');
      assert.match(printed, /\[ERR\] The cluster is not ok/);
      // What heal says is left is what check says, word for word.
      const errors = r.remaining.filter((f) => f.severity === 'error');
      assert.ok(errors.length > 0, 'heal names what is still wrong');
      for (const f of r.remaining) assert.ok(check.stdout.includes(f.message), `check says too: ${f.message}`);
      assert.match(check.stdout, new RegExp(`\\[WARNING\\] ${name}-3 is not running`), 'check knows the swarm side (--cluster)');
    } finally {
      await session.dispose();
    }
  });
});
