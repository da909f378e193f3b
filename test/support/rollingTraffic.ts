/**
 * An application's traffic during a roll: an ioredis Cluster client (reaching the nodes through
 * their published ports with natMap, as an application outside the swarm would) with writer and
 * reader loops. Each writer owns its keys, so its writes are ordered and the last acknowledged
 * value of every key is known; readers read keys whose value is known. Counts failed writes,
 * failed reads and reads that did not see the last acknowledged write, and the longest time one
 * command took (the pause a client saw). Afterwards every acknowledged key is read
 * back (opsWriter.ts verifyAcked): a value that differs is an acknowledged write the cluster lost.
 */
import { strict as assert } from 'node:assert';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { followMovedThroughNatMap } from './natMapMoved';

export interface TrafficStats {
  readonly writes: number;
  readonly reads: number;
  readonly failedWrites: readonly string[];
  readonly failedReads: readonly string[];
  readonly staleReads: readonly string[];
  /** The longest any one command took, from send to answer (ms). */
  readonly longestPauseMs: number;
}

export interface Traffic {
  readonly acked: ReadonlyMap<string, string>;
  stop(): Promise<TrafficStats>;
}

/** The client an application would use: natMap from each node's announced name to its published port on 127.0.0.1. */
export function clusterClient(names: readonly string[], port: number, publishBase: number): Cluster {
  return clusterClientAt(new Map(names.map((n, i) => [`${n}:${port}`, publishBase + i])));
}

/** The same client for any local ports: `service:port` as the nodes announce it → a port on 127.0.0.1 (a published port or a tunnel). */
export function clusterClientAt(localPorts: ReadonlyMap<string, number>): Cluster {
  const natMap = Object.fromEntries([...localPorts].map(([node, port]) => [node, { host: '127.0.0.1', port }]));
  const first = [...localPorts.values()][0];
  if (first === undefined) throw new Error('a cluster client needs at least one node');
  return followMovedThroughNatMap(new Cluster([{ host: '127.0.0.1', port: first }], { natMap, scaleReads: 'master', slotsRefreshTimeout: 2000, redisOptions: { connectTimeout: 2000 } }));
}

/** Bounded: each loop stops after maxOps operations even when stop() is never called. */
export function startTraffic(client: Cluster, o: { keys: number; writers?: number; readers?: number; prefix: string; maxOps?: number; pauseMs?: number }): Traffic {
  const writers = o.writers ?? 4;
  const readers = o.readers ?? 2;
  const maxOps = o.maxOps ?? 500_000;
  const pause = o.pauseMs ?? 2;
  const acked = new Map<string, string>();
  const failedWrites: string[] = [];
  const failedReads: string[] = [];
  const staleReads: string[] = [];
  let writes = 0;
  let reads = 0;
  let longest = 0;
  let stopping = false;
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      longest = Math.max(longest, Date.now() - t0);
    }
  };
  const perWriter = Math.ceil(o.keys / writers);
  const writeLoops = Array.from({ length: writers }, async (_, w) => {
    for (let n = 0; !stopping && n < maxOps; n++) {
      const key = `${o.prefix}:${w}:${n % perWriter}`;
      const value = `${w}-${n}`;
      try {
        await timed(() => client.set(key, value));
        acked.set(key, value);
        writes++;
      } catch (err) {
        failedWrites.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        // Its outcome is unknown: nothing is expected of the key any more.
        acked.delete(key);
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  });
  const readLoops = Array.from({ length: readers }, async () => {
    for (let n = 0; !stopping && n < maxOps; n++) {
      const keys = [...acked.keys()];
      const key = keys[Math.floor(Math.random() * keys.length)];
      if (key !== undefined) {
        const before = acked.get(key);
        try {
          const v = await timed(() => client.get(key));
          reads++;
          // A write acknowledged while the read was in flight may or may not be seen.
          if (v !== before && v !== acked.get(key)) staleReads.push(`${key}: read ${v}, last acknowledged ${before}`);
        } catch (err) {
          failedReads.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  });
  return {
    acked,
    stop: async () => {
      stopping = true;
      await Promise.all([...writeLoops, ...readLoops]);
      return { writes, reads, failedWrites, failedReads, staleReads, longestPauseMs: longest };
    },
  };
}

export function formatTraffic(what: string, s: TrafficStats, lost: number): string {
  return `${what}: ${s.writes} writes (${s.failedWrites.length} failed), ${s.reads} reads (${s.failedReads.length} failed, ${s.staleReads.length} stale), ${lost} acknowledged writes lost, longest pause ${s.longestPauseMs} ms`;
}

/** Every slot takes a write through the cluster client (bounded: the client retries, a failover settles). */
export async function waitAllSlotsServed(c: Cluster, boundMs = 60_000): Promise<void> {
  const keys = keyPerSlot();
  const deadline = Date.now() + boundMs;
  for (;;) {
    const results = await Promise.allSettled(keys.map((k) => c.set(k, 'served')));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed === 0) return;
    if (Date.now() > deadline) assert.fail(`${failed} of 16384 slots refused a write for ${boundMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

let slotKeys: string[] | undefined;
/** One key per slot (found once, then kept). */
function keyPerSlot(): string[] {
  if (slotKeys) return slotKeys;
  const keys = new Array<string>(16384);
  let found = 0;
  for (let i = 0; found < 16384; i++) {
    const k = `slot:${i}`;
    const s = calculateSlot(k);
    if (keys[s] === undefined) {
      keys[s] = k;
      found++;
    }
  }
  slotKeys = keys;
  return keys;
}
