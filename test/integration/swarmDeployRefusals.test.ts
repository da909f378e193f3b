/**
 * Bad input is refused before anything is created, and a deploy that fails part-way removes
 * what it made. Each case checks the swarm afterwards for anything with the run's prefix.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import { deployCluster } from '../../src/core/swarm/deploy';
import { DEPLOY_DEFAULTS, DeployOptions } from '../../src/core/swarm/deployOptions';
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
      await assert.rejects(deployCluster(localEngine(), base(name, { publishBase: port - 2, nodes: 6 })), new RegExp(`${port}.*in use`));
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
