/**
 * A process of its own that takes a cluster's lock through the core, for the lock's
 * cross-process tests: `node out/test/support/lockHolder.js <cluster> <operation> [<host:port>...]`
 * (without nodes, the cluster on the local swarm, reached through Docker API tunnels).
 * Prints one JSON line, `{"held":true}` once it holds the lock (then holds it until its stdin
 * closes, or until it is killed) or `{"busy":"<sentence>"}` when refused (exit 3).
 */
import { withClusterLock, isClusterBusyError } from '../../src/core/ops/clusterLock';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { type Endpoint, parseEndpoint } from '../../src/core/routes/endpoint';
import { StaticRouter } from '../../src/core/routes/router';
import { openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { adminPoolFor } from '../../src/core/swarm/formCluster';

/** The lock's target: loopback nodes given as host:port, or (no nodes) a cluster on the local swarm through its routes. */
async function target(cluster: string, nodes: readonly string[]): Promise<{ pool: AdminPool; nodes: Endpoint[]; dispose(): Promise<void> }> {
  if (nodes.length > 0) {
    const router = new StaticRouter();
    const pool = new AdminPool(router);
    return { pool, nodes: nodes.map(parseEndpoint), dispose: async () => (await pool.close(), await router.dispose()) };
  }
  const access = await openClusterAccess(cluster, { env: { ...process.env, DOCKER_HOST: '' } });
  const pool = adminPoolFor(access);
  return { pool, nodes: access.seeds, dispose: async () => (await pool.close(), await access.dispose()) };
}

async function main(): Promise<number> {
  const [cluster, operation, ...nodes] = process.argv.slice(2);
  if (cluster === undefined || operation === undefined) throw new Error('usage: lockHolder <cluster> <operation> [<host:port>...]');
  const t = await target(cluster, nodes);
  try {
    await withClusterLock({ cluster, pool: t.pool, nodes: t.nodes }, operation, async () => {
      process.stdout.write(`${JSON.stringify({ held: true })}\n`);
      await new Promise<void>((resolve) => {
        process.stdin.on('end', resolve);
        process.stdin.on('close', resolve);
        process.stdin.resume();
      });
    });
    return 0;
  } catch (err) {
    if (!isClusterBusyError(err)) throw err;
    process.stdout.write(`${JSON.stringify({ busy: err.message })}\n`);
    return 3;
  } finally {
    await t.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
