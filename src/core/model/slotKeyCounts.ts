/**
 * Keys per slot for the slot map's hover and heat map: CLUSTER COUNTKEYSINSLOT for every slot a
 * master owns, pipelined to that master (only the owner counts a slot's keys). Read on demand,
 * never on every refresh: it is 16384 commands.
 */
import { type Endpoint } from '../routes/endpoint';
import { type PipelineResult } from '../redis/adminConnection';
import { SLOT_COUNT, type SlotSpan } from './slotMapData';

/** Commands per pipeline: big enough for few round trips, small enough for the command timeout. */
export const COUNT_KEYS_BATCH = 2048;

/** What this needs of an AdminPool. */
export interface PipelinePool {
  pipeline(endpoint: Endpoint, commands: readonly (readonly (string | number)[])[]): Promise<PipelineResult[]>;
}

export interface SlotOwner {
  readonly endpoint: Endpoint;
  readonly ranges: readonly SlotSpan[];
}

export interface SlotKeyCounts {
  /** Keys per slot; 0 where unknown (uncovered, or the owner failed to answer). */
  readonly counts: number[];
  /** One sentence per master that could not be counted. */
  readonly errors: string[];
}

export async function readSlotKeyCounts(pool: PipelinePool, owners: readonly SlotOwner[]): Promise<SlotKeyCounts> {
  const counts = new Array<number>(SLOT_COUNT).fill(0);
  const errors: string[] = [];
  await Promise.all(
    owners.map(async (owner) => {
      const slots: number[] = [];
      for (const r of owner.ranges) for (let s = Math.max(0, r.start); s <= Math.min(SLOT_COUNT - 1, r.end); s++) slots.push(s);
      const where = `${owner.endpoint.host}:${owner.endpoint.port}`;
      let failed = false;
      try {
        for (let i = 0; i < slots.length; i += COUNT_KEYS_BATCH) {
          const batch = slots.slice(i, i + COUNT_KEYS_BATCH);
          const replies = await pool.pipeline(owner.endpoint, batch.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]));
          replies.forEach((r, j) => {
            const slot = batch[j] as number;
            if (r.ok && typeof r.value === 'number') counts[slot] = r.value;
            else if (!r.ok && !failed) {
              // One sentence per master is enough: the rest of its slots fail the same way.
              failed = true;
              errors.push(`${where}: ${r.error.message}`);
            }
          });
        }
      } catch (err) {
        errors.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  return { counts, errors };
}

/** What keyCountsStale needs of a cluster (a ClusterModel fits). */
export interface KeyTotals {
  readonly shards: readonly { readonly master: { readonly report?: { readonly keys: number } } }[];
}

/**
 * Whether per-slot counts disagree with the masters' key totals of the last model read (DBSIZE
 * per master, read every refresh): keys came or went since the slots were counted. Unknown
 * totals (a master not answering) are no evidence either way.
 */
export function keyCountsStale(counts: readonly number[], cluster: KeyTotals): boolean {
  const reported = cluster.shards.map((s) => s.master.report?.keys);
  if (reported.length === 0 || reported.some((k) => k === undefined)) return false;
  const modelTotal = reported.reduce<number>((sum, k) => sum + (k ?? 0), 0);
  return counts.reduce((a, b) => a + b, 0) !== modelTotal;
}
