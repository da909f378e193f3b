/**
 * ioredis 5 (built/cluster/index.js, the `moved` handler) follows a MOVED reply by the address the
 * node announced (`redis-3:6379`), but keeps its connections under the address natMap turned it
 * into (`127.0.0.1:40123`). The lookup misses, the command goes to a random master, which
 * redirects it again, until "Too many Cluster redirections": seen once in a few thousand writes
 * while a failover settles (drain-host, rolling restarts). An application inside the overlay
 * network has no natMap and no such miss. The tests' clients live outside, behind natMap, so they
 * also look an announced address up through natMap. This reaches into ioredis's pool (not in its
 * typings): package-lock.json pins the version, and the guard below fails loudly if it changes.
 */
import { type Cluster } from 'ioredis';

interface ClusterInternals {
  readonly connectionPool?: { getInstanceByKey?: (key: string) => unknown };
  readonly natMapper?: (key: string) => { host: string; port: number };
}

/** Makes `client` find a node by the address it announced as well as by its natMap'ed one. */
export function followMovedThroughNatMap<T extends Cluster>(client: T): T {
  const internals = client as unknown as ClusterInternals;
  const pool = internals.connectionPool;
  const lookUp = pool?.getInstanceByKey?.bind(pool);
  const natMapper = internals.natMapper?.bind(client);
  if (!pool || !lookUp || !natMapper) throw new Error('ioredis changed: Cluster has no connectionPool.getInstanceByKey or natMapper (test/support/natMapMoved.ts)');
  pool.getInstanceByKey = (key: string): unknown => {
    const found = lookUp(key);
    if (found !== undefined) return found;
    const mapped = natMapper(key);
    return lookUp(`${mapped.host}:${mapped.port}`);
  };
  return client;
}
