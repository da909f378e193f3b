/**
 * A client that keeps writing and reading while an operation moves slots: several workers,
 * each owning its own keys (so every key's writes are ordered), each write's acknowledged value
 * remembered. Afterwards every key must read back its last acknowledged value.
 */
import { type Cluster } from 'ioredis';

export interface WriterStats {
  readonly writes: number;
  readonly reads: number;
  readonly errors: readonly string[];
  /** Reads that returned something else than the last acknowledged write. */
  readonly staleReads: readonly string[];
}

export interface Writer {
  readonly acked: ReadonlyMap<string, string>;
  stop(): Promise<WriterStats>;
}

export function startWriter(client: Cluster, options: { keys: number; workers?: number; maxOps?: number; prefix?: string }): Writer {
  const workers = options.workers ?? 8;
  const maxOps = options.maxOps ?? 2_000_000;
  const prefix = options.prefix ?? 'w';
  const acked = new Map<string, string>();
  const errors: string[] = [];
  const staleReads: string[] = [];
  let writes = 0;
  let reads = 0;
  let stopping = false;
  let ops = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    let n = 0;
    while (!stopping && ops < maxOps) {
      ops++;
      // Keys of worker w: w, w+workers, w+2*workers…
      const i = w + workers * Math.floor(Math.random() * Math.ceil(options.keys / workers));
      if (i >= options.keys) continue;
      const key = `${prefix}:${i}`;
      try {
        if (n++ % 3 === 2 && acked.has(key)) {
          const v = await client.get(key);
          reads++;
          if (v !== acked.get(key)) staleReads.push(`${key}: read ${v}, last written ${acked.get(key)}`);
        } else {
          const value = `${w}-${n}`;
          await client.set(key, value);
          acked.set(key, value);
          writes++;
        }
      } catch (err) {
        errors.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        // An unacknowledged write may or may not have happened: forget what we know of the key.
        acked.delete(key);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  });
  return {
    acked,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      return { writes, reads, errors, staleReads };
    },
  };
}

/** Every acknowledged key reads back its value; returns the keys that do not. */
export async function verifyAcked(client: Cluster, acked: ReadonlyMap<string, string>): Promise<string[]> {
  const bad: string[] = [];
  const entries = [...acked];
  for (let i = 0; i < entries.length; i += 500) {
    const chunk = entries.slice(i, i + 500);
    const values = await Promise.all(chunk.map(([k]) => client.get(k)));
    chunk.forEach(([k, v], j) => {
      if (values[j] !== v) bad.push(`${k}: expected ${v}, read ${values[j]}`);
    });
  }
  return bad;
}
