/**
 * A process of its own that takes a cluster's lock through the core, for the lock's
 * cross-process tests: `node out/test/support/lockHolder.js <cluster> <operation> <host:port>...`.
 * Prints one JSON line, `{"held":true}` once it holds the lock (then holds it until its stdin
 * closes, or until it is killed) or `{"busy":"<sentence>"}` when refused (exit 3).
 */
import { withClusterLock, isClusterBusyError } from '../../src/core/ops/clusterLock';
import { AdminPool } from '../../src/core/redis/adminConnection';
import { parseEndpoint } from '../../src/core/routes/endpoint';
import { StaticRouter } from '../../src/core/routes/router';

async function main(): Promise<number> {
  const [cluster, operation, ...nodes] = process.argv.slice(2);
  if (cluster === undefined || operation === undefined || nodes.length === 0) throw new Error('usage: lockHolder <cluster> <operation> <host:port>...');
  const router = new StaticRouter();
  const pool = new AdminPool(router);
  try {
    await withClusterLock({ cluster, pool, nodes: nodes.map(parseEndpoint) }, operation, async () => {
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
    await pool.close();
    await router.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
