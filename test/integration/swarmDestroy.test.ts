/**
 * destroy --volumes on the real swarm: it waits until the services' containers are gone before
 * it removes anything they held, so no volume is "in use" (HTTP 409) and nothing is left.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { deployCluster } from '../../src/core/swarm/deploy';
import { destroyCluster } from '../../src/core/swarm/destroy';
import { DEPLOY_DEFAULTS } from '../../src/core/swarm/deployOptions';
import { TEST_IMAGE, leftovers, localEngine, runPrefix, sweep } from '../support/swarm';

function containersNamed(prefix: string): string[] {
  return execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n.startsWith(`${prefix}-`));
}

describe('destroy waits for the containers before removing volumes', { timeout: 300_000 }, () => {
  const prefix = runPrefix('k3d');
  after(async () => {
    await sweep(prefix);
  });

  it('destroy --volumes removes every volume, with no container left when the first thing after the services goes', async () => {
    await deployCluster(localEngine(), { ...DEPLOY_DEFAULTS, name: prefix, image: TEST_IMAGE, network: `${prefix}-net`, nodes: 6, replicas: 1 });
    assert.equal(containersNamed(prefix).length, 6, 'a running container per node before destroy');
    const seenAfterServices: string[][] = [];
    const removed = await destroyCluster(localEngine(), prefix, {
      volumes: true,
      progress: {
        report: ({ message }) => {
          // Everything after the services' removal needs their containers gone first.
          if (message && !message.startsWith('removing services')) seenAfterServices.push(containersNamed(prefix));
        },
      },
    });
    assert.ok(seenAfterServices.length > 0, 'destroy went on past the services');
    assert.deepEqual(seenAfterServices[0], [], 'no container of the cluster was left when destroy went on');
    assert.equal(removed.volumes.length, 6, 'the six data volumes were found');
    assert.deepEqual(leftovers(prefix), [], 'no service, volume, config, secret or network is left');
  });
});
