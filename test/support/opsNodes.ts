/**
 * Loopback redis-server processes for the operations' tests and benchmark, whose ports are
 * 23000-23199: above loopbackCluster.ts's limit, because port + 10000 would land in the
 * ephemeral range. Redis 7's `cluster-port` sets the bus port explicitly, so each node gets a
 * bus port inside the same block (`busBase + i`), and everything stays below 32768.
 */
import { type LoopbackNodes, type LoopbackTls, startRedisNodes } from './loopbackCluster';

export function startOpsNodes(basePort: number, count: number, busBase: number, extraArgs: readonly string[] = [], tls?: LoopbackTls): Promise<LoopbackNodes> {
  return startRedisNodes(basePort, count, { busBase, extraArgs, ...(tls ? { tls } : {}) });
}
