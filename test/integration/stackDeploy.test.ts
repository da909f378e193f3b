/**
 * A cluster deployed with the real `docker stack deploy` from the file `deploy --stack-file`
 * writes: its services are `STACK_NAME-1` … with the stack's labels, and create, check, heal and
 * destroy (the built CLI) manage it as they manage deploy's. Needs `npm run build` (dist/cli.js).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { pollUntil } from '../../src/core/lifecycle';
import { expectOk, runBounded as run, runCliBounded, sweepStack, waitStackCluster } from '../support/stackRun';
import { TEST_IMAGE, leftovers, localEngine, runPrefix } from '../support/swarm';

const PASSWORD = 'stack pw#1';
const cli = (...args: string[]): ReturnType<typeof runCliBounded> => runCliBounded(args);

describe('a cluster deployed from a stack file with docker stack deploy', { timeout: 900_000 }, () => {
  const prefix = runPrefix('ks');
  // Starts with the prefix, so sweep also finds the stack's services (`<stack>_<prefix>-1`).
  const stack = `${prefix}st`;
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const file = path.join(dir, 'cluster.yml');

  after(() => sweepStack(stack, prefix, dir));

  it('is written by deploy --stack-file, deployed by docker stack deploy, then formed, checked, healed and destroyed', async () => {
    const written = await run(
      process.execPath,
      [path.resolve('bin/redis-swarm'), 'deploy', '--stack-file', file, '--name', prefix, '--image', TEST_IMAGE, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1', '--mode', 'cache'],
      { env: { REDIS_SWARM_PASSWORD: PASSWORD } },
    );
    expectOk(written, 'deploy --stack-file');
    assert.match(written.stdout, /Nothing was created on the swarm/);
    assert.deepEqual(leftovers(prefix), [], 'writing the stack file created nothing');
    assert.ok(!readFileSync(file, 'utf8').includes(PASSWORD), 'the password is not in the stack file');

    // The secret, as the CLI says to create it.
    const secretLine = written.stdout.split('\n').find((l) => l.includes('docker secret create'));
    assert.ok(secretLine, `deploy --stack-file says how to create the secret:\n${written.stdout}`);
    expectOk(await run('sh', ['-c', secretLine.trim()], { env: { REDIS_PASSWORD: PASSWORD } }), 'docker secret create');

    expectOk(await run('docker', ['stack', 'deploy', '-c', file, '--resolve-image', 'never', stack], { cwd: dir }), 'docker stack deploy');

    const docker = localEngine().docker;
    const cluster = await waitStackCluster(prefix, 6);
    assert.equal(cluster.stack, stack, 'the cluster knows its stack');
    assert.equal(cluster.managed, true);
    assert.equal(cluster.mode, 'cache');
    assert.equal(cluster.replicas, 1);
    assert.deepEqual(cluster.nodes.map((n) => [n.service, n.hostname]), [1, 2, 3, 4, 5, 6].map((i) => [`${stack}_${prefix}-${i}`, `${prefix}-${i}`]));

    expectOk(await cli('create', '--cluster', prefix, '--yes'), 'create');
    const checked = await cli('check', '--cluster', prefix);
    expectOk(checked, 'check');

    // Keys on all three masters' slots (a: 15495, b: 3300, c: 7365): from any seed, redirects
    // name the nodes' announced names (`<prefix>-2:6379`), which are not their service names.
    for (const key of ['a', 'b', 'c']) {
      expectOk(await cli('cli', '--cluster', prefix, '-c', 'SET', key, `v-${key}`), `cli -c SET ${key}`);
      const got = await cli('cli', '--cluster', prefix, '-c', 'GET', key);
      expectOk(got, `cli -c GET ${key}`);
      assert.match(got.stdout, new RegExp(`v-${key}`), `GET ${key} through redirects:\n${got.stdout}\n${got.stderr}`);
    }

    // The stack file owns the services: add-node refuses rather than make one beside them.
    const added = await cli('add-node', '--cluster', prefix, '--yes');
    assert.notEqual(added.status, 0, `add-node on a stack's cluster should refuse:\n${added.stdout}`);
    assert.match(added.stderr, /belongs to stack/);
    assert.equal(leftovers(prefix).filter((x) => x.startsWith('service ')).length, 6, 'add-node created no service');

    // del-node refuses too: the file would bring the removed service back, empty, at the next stack deploy.
    const deleted = await cli('del-node', '--cluster', prefix, `${stack}_${prefix}-6`, '--yes');
    assert.notEqual(deleted.status, 0, `del-node on a stack's cluster should refuse:\n${deleted.stdout}`);
    assert.match(deleted.stderr, /belongs to stack .*docker stack deploy --prune/);
    assert.equal(leftovers(prefix).filter((x) => x.startsWith('service ')).length, 6, 'del-node removed no service');

    // mode works on a stack's services, and says the file still holds the old label.
    const toPersistent = await cli('mode', '--cluster', prefix, 'persistent');
    expectOk(toPersistent, 'mode persistent');
    assert.match(toPersistent.stdout, new RegExp(`\\[WARN\\] Cluster ${prefix} belongs to stack "${stack}": its stack file still sets org\\.redis-swarm\\.mode`));
    assert.equal((await findSwarmCluster(docker, prefix)).mode, 'persistent', 'mode changed the stack services\' label');
    expectOk(await cli('mode', '--cluster', prefix, 'cache'), 'mode cache (back)');
    assert.equal((await findSwarmCluster(docker, prefix)).mode, 'cache');

    // Nothing to heal on a healthy cluster.
    expectOk(await cli('heal', '--cluster', prefix, '--yes'), 'heal (healthy)');

    // A node's container dies: swarm starts a new task (new IP, same volume); heal brings it back.
    const victim = cluster.nodes[1];
    assert.ok(victim?.task?.containerId);
    execFileSync('docker', ['rm', '-f', victim.task.containerId], { stdio: 'ignore' });
    await pollUntil(
      async () => {
        const c = await findSwarmCluster(docker, prefix);
        const n = c.nodes.find((x) => x.service === victim.service);
        return n?.task?.state === 'running' && n.task.containerId !== victim.task?.containerId ? undefined : 'no new running task';
      },
      { deadline: Date.now() + 120_000, intervalMs: 500, timeout: () => `${victim.service} did not get a new running task`, cancelled: 'cancelled' },
    );
    expectOk(await cli('heal', '--cluster', prefix, '--yes'), 'heal (after a task restart)');
    expectOk(await cli('check', '--cluster', prefix), 'check after heal');

    const destroyed = await cli('destroy', '--cluster', prefix, '--volumes');
    expectOk(destroyed, 'destroy');
    assert.deepEqual(leftovers(prefix), [], 'destroy left nothing with the prefix');
    const stacks = execFileSync('docker', ['stack', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' });
    assert.ok(!stacks.split('\n').includes(stack), `docker stack ls still lists ${stack}`);
  });
});
