/**
 * Heal over loopback redis-server processes: the nodes as a swarm of one host whose tasks all
 * say running (service NAME-i runs at 127.0.0.1:port), and a heal session routing each service
 * name to its port.
 */
import { type HealSession } from '../../src/core/heal/healCluster';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { StaticRouter } from '../../src/core/routes/router';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { localEngine } from './swarm';

export function loopbackSwarm(name: string, ports: readonly number[]): SwarmCluster {
  return {
    name,
    managed: true,
    mode: 'persistent',
    nodes: ports.map((port, i) => ({
      service: `${name}-${i + 1}`,
      serviceId: `s${i + 1}`,
      index: i + 1,
      image: 'redis',
      port,
      task: { id: `t${i + 1}`, state: 'running', desiredState: 'running', swarmNode: 'local', containerId: `c${i + 1}`, ip: '127.0.0.1' },
    })),
  };
}

export function loopbackHealSession(cluster: SwarmCluster): HealSession {
  const router = new StaticRouter();
  for (const n of cluster.nodes) router.add({ host: n.service, port: n.port }, { kind: 'direct', target: { host: '127.0.0.1', port: n.port } });
  const pool = new AdminPool(router);
  return {
    engine: localEngine(),
    clusterName: cluster.name,
    router,
    pool,
    refresh: async () => cluster,
    dispose: async () => {
      await pool.close();
      await router.dispose();
    },
  };
}
