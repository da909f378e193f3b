/**
 * Bad input is refused before anything is created, and a deploy that fails part-way removes
 * what it made. Each case checks the swarm afterwards for anything with the run's prefix.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import { deployCluster, hostPortsProblem } from '../../src/core/swarm/deploy';
import { DEPLOY_DEFAULTS, type DeployOptions } from '../../src/core/swarm/deployOptions';
import { isBadInputError, isRedisSwarmError } from '../../src/core/errors';
import { TEST_IMAGE, leftovers, localEngine, runPrefix, sweep } from '../support/swarm';

describe('deploy refuses bad input and leaves nothing behind', { timeout: 300_000 }, () => {
  const prefix = runPrefix('r');
  const base = (name: string, extra: Partial<DeployOptions> = {}): DeployOptions => ({
    ...DEPLOY_DEFAULTS,
    name,
    image: TEST_IMAGE,
    network: `${name}-net`,
    ...extra,
  });
  after(async () => {
    await sweep(prefix);
  });

  const refusals: [string, Partial<DeployOptions>, RegExp][] = [
    ['fewer than 3 masters', { nodes: 4, replicas: 1 }, /at least 3/],
    ['a node count that does not fit the replica count', { nodes: 7, replicas: 1 }, /multiple of 2/],
    ['an unknown image', { image: `${prefix}-no-such-image:1` }, /is not on this engine/],
    ['a bad maxmemory policy', { maxmemoryPolicy: 'lru-please' }, /maxmemory-policy/],
    ['a port whose bus port would be invalid', { port: 60000 }, /cluster bus/],
  ];
  for (const [what, extra, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const name = `${prefix}${Math.random().toString(36).slice(2, 6)}`;
      await assert.rejects(deployCluster(localEngine(), base(name, extra)), (err: unknown) => {
        assert.ok(isBadInputError(err), `a BadInputError, got ${String(err)}`);
        assert.match((err as Error).message, message);
        return true;
      });
      assert.deepEqual(leftovers(name), [], 'nothing was created');
    });
  }

  it('refuses a name that breaks hostname rules', async () => {
    await assert.rejects(deployCluster(localEngine(), base(`${prefix}_bad`)), /letters, digits/);
    assert.deepEqual(leftovers(`${prefix}_bad`), []);
  });

  it('refuses a host port already in use, and services that already exist', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '0.0.0.0', () => resolve((server.address() as net.AddressInfo).port)));
    try {
      // Ports from the ephemeral range are fine for this check: nothing is started on them.
      const name = `${prefix}port`;
      await assert.rejects(deployCluster(localEngine(), base(name, { publishBase: port - 2, nodes: 6, password: 'pw' })), new RegExp(`${port}.*in use`));
      assert.deepEqual(leftovers(name), []);
    } finally {
      server.close();
    }
    const name = `${prefix}dup`;
    await deployCluster(localEngine(), base(name, { nodes: 3, replicas: 0 }));
    const before = leftovers(name);
    await assert.rejects(deployCluster(localEngine(), base(name, { nodes: 3, replicas: 0 })), /already exist/);
    assert.deepEqual(leftovers(name), before, 'the existing services are untouched and nothing new appeared');
  });

  it('refuses to publish ports without a password unless told it is insecure', async () => {
    const name = `${prefix}open`;
    await assert.rejects(deployCluster(localEngine(), base(name, { nodes: 3, replicas: 0, publishBase: 25280 })), (err: unknown) => {
      assert.ok(isBadInputError(err), `a BadInputError, got ${String(err)}`);
      assert.match((err as Error).message, /25280-25282 without a password .* every interface .* --insecure-no-password/);
      return true;
    });
    assert.deepEqual(leftovers(name), [], 'nothing was created');
  });

  it('refuses a name Docker would refuse as a DNS name, and the ingress network, in one sentence', async () => {
    const dots = `${prefix}..x`;
    await assert.rejects(deployCluster(localEngine(), base(dots, { nodes: 3, replicas: 0 })), /is not a valid DNS name/);
    assert.deepEqual(leftovers(dots), []);
    const name = `${prefix}ing`;
    await assert.rejects(deployCluster(localEngine(), base(name, { nodes: 3, replicas: 0, network: 'ingress' })), (err: unknown) => {
      assert.ok(isBadInputError(err), `a BadInputError, got ${String(err)}`);
      assert.match((err as Error).message, /"ingress" is the swarm's routing-mesh network/);
      assert.doesNotMatch((err as Error).message, /HTTP|\(\d{3}\)/);
      return true;
    });
    assert.deepEqual(leftovers(name), []);
  });

  it('compares names as Docker does (ignoring case), and refuses host ports another cluster publishes', async () => {
    const upper = `${prefix}UP`;
    await deployCluster(localEngine(), base(upper, { nodes: 3, replicas: 0, publishBase: 25250, insecureNoPassword: true }));
    const before = leftovers(prefix);
    const lower = `${prefix}up`;
    await assert.rejects(deployCluster(localEngine(), base(lower, { nodes: 3, replicas: 0 })), (err: unknown) => {
      assert.ok(isBadInputError(err), `a BadInputError, got ${String(err)}`);
      assert.match((err as Error).message, new RegExp(`service\\(s\\) ${lower}-1 \\(as ${upper}-1\\).* already exist`));
      assert.match((err as Error).message, new RegExp(`config ${lower}-conf-[0-9a-f]+ \\(as ${upper}-conf-`));
      return true;
    });
    const other = `${prefix}pp`;
    await assert.rejects(
      deployCluster(localEngine(), base(other, { nodes: 3, replicas: 0, publishBase: 25252, password: 'pw' })),
      new RegExp(`host port\\(s\\) 25252 \\(${upper}-3\\) are already published`),
    );
    // The Deploy wizard's port step asks the same question.
    assert.match((await hostPortsProblem(localEngine(), [25249, 25250])) ?? '', new RegExp(`25250 \\(${upper}-1\\)`));
    assert.equal(await hostPortsProblem(localEngine(), [25270]), undefined, 'a free port is fine');
    assert.deepEqual(leftovers(prefix), before, 'nothing new appeared');
  });

  it('removes what it created when the tasks cannot start', async () => {
    const name = `${prefix}fail`;
    await assert.rejects(
      deployCluster(
        localEngine(),
        base(name, { nodes: 3, replicas: 0, password: 'x', constraints: ['node.hostname==no-such-node-anywhere'] }),
        { tasksTimeoutMs: 3000 },
      ),
      (err: unknown) => isRedisSwarmError(err, 'timeout') && /did not start/.test((err as Error).message),
    );
    assert.deepEqual(leftovers(name), [], 'services, config, secret and network are removed');
  });
});
