import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ClusterNode } from '../../src/core/cluster/topology';
import type { SwarmCluster } from '../../src/core/swarm/discover';
import { announcedName } from '../../src/core/swarm/discover';
import { swarmNodeFor } from '../../src/core/swarm/joinTopology';
import { SwarmRouter } from '../../src/core/swarm/swarmRouter';
import { localEngine } from '../support/swarm';

// A stack's node: service `st_cache-2`, announcing `cache-2` (Redis refuses `_` in hostnames).
const stackCluster: SwarmCluster = {
  name: 'cache',
  managed: true,
  mode: 'cache',
  stack: 'st',
  nodes: [1, 2, 3].map((i) => ({
    service: `st_cache-${i}`,
    hostname: `cache-${i}`,
    serviceId: `id${i}`,
    index: i,
    image: 'redis:7',
    port: 6379,
    task: { id: `t${i}`, state: 'running', desiredState: 'running', swarmNode: 'n1', containerId: `c${i}`, ip: `192.0.2.${i}` },
  })),
};

/** A CLUSTER NODES line announcing `cache-2` at an address no task has any more (it moved). */
const line: ClusterNode = {
  id: 'b'.repeat(40),
  endpoint: { host: '192.0.2.99', port: 6379 },
  busPort: 16379,
  hostname: 'cache-2',
  role: 'master',
  flags: { myself: false, master: true, replica: false, pfail: false, fail: false, handshake: false, noaddr: false, nofailover: false },
  pingSent: 0,
  pongReceived: 0,
  configEpoch: 1,
  linkState: 'connected',
  slots: [],
  migrating: [],
  importing: [],
} as unknown as ClusterNode;

describe('nodes of a stack-deployed cluster', () => {
  it('are known by the name they announce, not only by their service name', () => {
    assert.equal(announcedName(stackCluster.nodes[1] as SwarmCluster['nodes'][number]), 'cache-2');
    assert.equal(swarmNodeFor(stackCluster, line)?.service, 'st_cache-2');
  });

  it('are routed to when a redirect names them by their announced name', () => {
    const router = new SwarmRouter(localEngine(), stackCluster);
    assert.equal(router.nodeFor({ host: 'cache-3', port: 6379 })?.service, 'st_cache-3');
    assert.equal(router.nodeFor({ host: 'st_cache-3', port: 6379 })?.service, 'st_cache-3');
    assert.equal(router.nodeFor({ host: 'cache-9', port: 6379 }), undefined);
  });
});
