/**
 * An ioredis Cluster client to a cluster on the multi-node bed, as an application would use it,
 * reaching every node through the manager's engine only (the network rule): each announced
 * `service:port` maps to a local tunnel (the product's own SwarmRouter). The map is looked at
 * again every couple of seconds, so a task the swarm moved to another host (new IP) is reached
 * at its new place.
 */
import { Cluster } from 'ioredis';
import { openClusterAccess, type ClusterAccess } from '../../src/core/swarm/clusterAccess';
import { findSwarmCluster, runningNodes } from '../../src/core/swarm/discover';
import { bed } from './multinode';
import { loginOptions } from '../../src/core/swarm/auth';
import { followMovedThroughNatMap } from './natMapMoved';

const REMAP_MS = 2000;

export interface BedClient {
  readonly client: Cluster;
  close(): Promise<void>;
}

/** How long a command may take before the client gives up on it (ms), unless the caller says otherwise. */
const COMMAND_TIMEOUT_MS = 3000;

export async function openBedClient(clusterName: string, options: { commandTimeoutMs?: number } = {}): Promise<BedClient> {
  const access: ClusterAccess = await openClusterAccess(clusterName, { env: { ...process.env, DOCKER_HOST: bed().managerHost } });
  const map = new Map<string, { host: string; port: number }>();
  const remap = async (): Promise<void> => {
    const c = await findSwarmCluster(access.engine.docker, clusterName, access.discover);
    access.router.update(c);
    for (const n of runningNodes(c)) {
      const route = await access.router.resolve({ host: n.hostname ?? n.service, port: n.port });
      map.set(`${n.hostname ?? n.service}:${n.port}`, route.target);
    }
  };
  await remap();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, REMAP_MS));
      // A look that fails (the manager busy, a task between states) is retried next turn.
      if (!stopped) await remap().catch(() => undefined);
    }
  })();
  const seeds = [...map.values()];
  const client = followMovedThroughNatMap(new Cluster(seeds, {
    natMap: (key: string) => map.get(key) ?? null,
    scaleReads: 'master',
    slotsRefreshTimeout: 5000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
    redisOptions: { ...loginOptions(access.credentials), connectTimeout: 3000, commandTimeout: options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 },
  }));
  return {
    client,
    async close() {
      stopped = true;
      client.disconnect();
      await loop;
      await access.dispose();
    },
  };
}

/**
 * An append-only writer: every key is written once, so a key either holds its value or was lost.
 * Each acknowledged write keeps the time of its acknowledgement; a refused or failed write is
 * counted (never retried, never remembered as written). Bounded in count.
 */
export interface AppendWriter {
  /** Key to the time (ms since the epoch) its write was acknowledged. */
  readonly acked: ReadonlyMap<string, number>;
  readonly refused: readonly string[];
  /** The longest an acknowledged write took (ms): a write held, not refused, shows here. */
  readonly slowestMs: number;
  stop(): Promise<void>;
}

export function startAppendWriter(client: Cluster, options: { prefix: string; workers?: number; maxWrites?: number; pauseMs?: number }): AppendWriter {
  const acked = new Map<string, number>();
  const refused: string[] = [];
  const maxWrites = options.maxWrites ?? 200_000;
  const pause = options.pauseMs ?? 2;
  let next = 0;
  let stopping = false;
  const started = Date.now();
  let slowestMs = 0;
  const loops = Array.from({ length: options.workers ?? 4 }, async () => {
    while (!stopping && next < maxWrites) {
      const key = `${options.prefix}:${next++}`;
      const sent = Date.now();
      try {
        await client.set(key, '1');
        acked.set(key, Date.now());
        slowestMs = Math.max(slowestMs, Date.now() - sent);
      } catch (err) {
        // When, from the writer's start: to set a refusal beside the steps of what ran meanwhile.
        refused.push(`${key} at +${((Date.now() - started) / 1000).toFixed(1)} s: ${err instanceof Error ? err.message : String(err)}`);
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  });
  return {
    acked,
    refused,
    get slowestMs() {
      return slowestMs;
    },
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** The acknowledged keys that no longer exist. */
export async function missingKeys(client: Cluster, keys: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200);
    const found = await Promise.all(chunk.map((k) => client.exists(k)));
    chunk.forEach((k, j) => {
      if (found[j] !== 1) missing.push(k);
    });
  }
  return missing;
}
