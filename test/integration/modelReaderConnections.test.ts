/**
 * The model reader's connections to a cluster (swarmModelReader.ts `connectionsFor`), against a
 * real redis-server on loopback port 25700 (no cluster, with a password) that the cluster's one
 * node "publishes": callers that arrive together share one router and pool, and a password the
 * user changes replaces them, closing the old connections.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { openEngine } from '../../src/core/docker/engine';
import { pollUntil } from '../../src/core/lifecycle';
import { SwarmModelReader } from '../../src/core/model/swarmModelReader';
import { replyText } from '../../src/core/redis/adminConnection';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { type LoopbackNodes, startRedisNodes } from '../support/loopbackCluster';

const PORT = 25700;
const FIRST = 'mr-First#1';
const SECOND = 'mr-Second#2';

/** A cluster of one node whose port is published on loopback; the reader needs no swarm for it. */
const cluster: SwarmCluster = {
  name: 'k8-reader',
  managed: true,
  mode: 'persistent',
  nodes: [
    {
      service: 'k8-reader-1',
      serviceId: 'k8-reader-1-id',
      index: 1,
      image: 'redis-swarm/redis:7-local',
      port: 6379,
      publishedPort: PORT,
      task: { id: 't1', state: 'running', desiredState: 'running', swarmNode: 'n1', containerId: 'c1' },
    },
  ],
};
const node = { host: 'k8-reader-1', port: 6379 };

describe('the model reader shares and replaces a cluster\'s connections', { timeout: 60_000 }, () => {
  let server: LoopbackNodes | undefined;
  before(async () => {
    server = await startRedisNodes(PORT, 1, { cluster: false, extraArgs: ['--requirepass', FIRST] });
  });
  after(async () => {
    await server?.stop();
  });

  it('gives callers that arrive together one router and pool, and a changed password new ones', async () => {
    let given = FIRST;
    // The password arrives a turn later, as SecretStorage's does: both callers are then in flight.
    const loginFor = async (): Promise<{ password: string }> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return { password: given };
    };
    const reader = new SwarmModelReader(openEngine(), { loginFor });
    try {
      const [a, b] = await Promise.all([reader.connectionsFor(cluster), reader.connectionsFor(cluster)]);
      assert.equal(a.router, b.router, 'two concurrent callers got two routers (one would leak its tunnels)');
      assert.equal(a.pool, b.pool, 'two concurrent callers got two pools');
      assert.equal(replyText(await a.pool.command(node, ['PING'])), 'PONG');

      // The user changes the password (on the server, then in VS Code's SecretStorage).
      await a.pool.command(node, ['CONFIG', 'SET', 'requirepass', SECOND]);
      given = SECOND;
      const c = await reader.connectionsFor(cluster);
      assert.notEqual(c.pool, a.pool, 'the changed password was not picked up: the old pool was returned');
      assert.equal(replyText(await c.pool.command(node, ['PING'])), 'PONG');
      // The old pool's connection is closed: only the new pool's remains.
      await pollUntil(
        async () => {
          const clients = replyText(await c.pool.command(node, ['CLIENT', 'LIST'])).trim().split('\n');
          return clients.length === 1 ? undefined : `${clients.length} clients`;
        },
        { deadline: Date.now() + 10_000, intervalMs: 50, timeout: (m) => `the old pool's connection stayed open (${m})`, cancelled: 'cancelled' },
      );
    } finally {
      await reader.dispose();
    }
  });
});
