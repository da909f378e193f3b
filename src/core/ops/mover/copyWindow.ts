/**
 * The copy engine's way to open a window of slots (see copySlot.ts for why it is safe). First
 * prepareCopy: IMPORTING on the targets and the key lists of all slots, in one pipeline per
 * node. Then copyWindow copies and hands each slot over on a dedicated source connection
 * (WATCH is per connection), several at once. A committed slot is MIGRATING with its keys on
 * the target; a slot the copy could not take is opened the MIGRATE way. Either way it then
 * drains as usual (usually nothing is left).
 */
import { type ChunkOutcome, type CopyJob, type CopyLimits, copyChunks, copySlot, type CopyOutcome, listSlotKeys, TargetCopies } from './copySlot';
import { type MoveRun } from './moveRun';
import { setImporting, setMigrating } from './openSlots';
import { type SlotState } from './slotState';
import { groupBy } from './wireCommands';

/** Slots are handed over in transactions of about this many keys (see copyFromSource). */
const COPY_KEYS_PER_TRANSACTION = 64;

/** A slot the copy engine copies, with its state in the mover. */
type SlotJob = CopyJob & { readonly s: SlotState };

/** A window prepared for the copy engine: IMPORTING set, keys listed. */
export interface CopyPlan {
  /** Slots to open the MIGRATE way (no key, too many keys, no list). */
  readonly toMigrate: SlotState[];
  readonly sources: { readonly sourceId: string; readonly jobs: readonly SlotJob[] }[];
}

/** IMPORTING on the targets, then each source's key lists: which slots copy, which go the MIGRATE way. */
export async function prepareCopy(run: MoveRun, slots: readonly SlotState[]): Promise<CopyPlan | undefined> {
  if (slots.length === 0) return undefined;
  await setImporting(run, slots);
  const importing = slots.filter((s) => s.phase === 'open');
  const plan: CopyPlan = { toMigrate: [], sources: [] };
  await Promise.all(
    [...groupBy(importing, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
      const maxKeys = run.settings.copyMaxKeysPerSlot;
      const lists = await run.bulk.get(sourceId).then(
        (src) => listSlotKeys(src, list.map((s) => s.move.slot), maxKeys),
        (err: unknown) => list.map(() => (err instanceof Error ? err : new Error(String(err)))),
      );
      const jobs: SlotJob[] = [];
      for (const [i, s] of list.entries()) {
        const keys = lists[i];
        // Not silent: a failing key list sends the slot the MIGRATE way, which hides itself.
        if (keys instanceof Error) run.logger.warn(`slot ${s.move.slot}: listing its keys for the copy failed (${keys.message}); moved the MIGRATE way`);
        // No key (nothing to copy), too many, or no list: opened the usual way.
        if (keys === undefined || keys instanceof Error || keys.length === 0 || keys.length > maxKeys) plan.toMigrate.push(s);
        else jobs.push({ s, slot: s.move.slot, targetId: s.move.targetId, keys, target: await run.bulk.get(s.move.targetId), ours: new TargetCopies() });
      }
      plan.sources.push({ sourceId, jobs });
    }),
  );
  return plan;
}

/**
 * The copy of a prepared window: chunks on several connections per source, then the retries;
 * what the copy did not take is opened the MIGRATE way. `lanes` names this window's
 * connections, apart from those of a window copied at the same time.
 */
export async function copyWindow(run: MoveRun, plan: CopyPlan, lanes: string): Promise<void> {
  const toMigrate = [...plan.toMigrate];
  await Promise.all(plan.sources.map(({ sourceId, jobs }) => copyFromSource(run, sourceId, jobs, lanes, toMigrate)));
  await setMigrating(run, toMigrate);
}

function limitsOf(run: MoveRun): CopyLimits {
  return { maxKeys: run.settings.copyMaxKeysPerSlot, maxBytes: run.settings.copyMaxBytesPerChunk };
}

async function copyFromSource(run: MoveRun, sourceId: string, jobs: readonly SlotJob[], lanes: string, toMigrate: SlotState[]): Promise<void> {
  const limits = limitsOf(run);
  const connections = run.settings.copyConnectionsPerSource;
  const chunks = chunksOf(jobs);
  const outcomes = new Map<number, ChunkOutcome>();
  // The lanes share the queue: each takes the next chunk when its last one is copied.
  const queued = chunks[Symbol.iterator]();
  await Promise.all(
    Array.from({ length: Math.min(connections, chunks.length) }, async (_, lane) => {
      const link = (): ReturnType<typeof run.bulk.get> => run.bulk.get(sourceId, `${lanes}.${lane}`);
      for (const [slot, o] of await copyChunks(link, queued, limits, run.ttlHint(sourceId))) outcomes.set(slot, o);
    }),
  );
  const retry: SlotJob[] = [];
  for (const job of jobs) {
    const out = outcomes.get(job.slot);
    if (out === undefined) await applyOutcome(run, job.s, { kind: 'failed', error: 'the copy gave no outcome', copiesLeft: true }, toMigrate);
    else if (out.kind === 'retry') retry.push(job);
    else await applyOutcome(run, job.s, out, toMigrate);
  }
  // Slots whose keys changed during their chunk's copy: again, one slot per connection.
  await Promise.all(
    Array.from({ length: Math.min(connections, retry.length) }, async (_, lane) => {
      const conn = await run.bulk.get(sourceId, `${lanes}.${lane}`);
      for (let job = retry.shift(); job; job = retry.shift()) await applyOutcome(run, job.s, await copySlot(conn, job, limits), toMigrate);
    }),
  );
}

/**
 * Slots grouped into transactions of about COPY_KEYS_PER_TRANSACTION keys, run on several
 * connections at once. Not one per window: WATCH looks each key up in the connection's list of
 * watched keys (watchForKey in multi.c), so its cost grows with the square of the keys one
 * connection watches (measured: 460 µs per WATCH at 2,000 keys).
 */
function chunksOf(jobs: readonly SlotJob[]): SlotJob[][] {
  const chunks: SlotJob[][] = [];
  let chunkKeys = Infinity;
  for (const job of jobs) {
    if (chunkKeys >= COPY_KEYS_PER_TRANSACTION) {
      chunks.push([]);
      chunkKeys = 0;
    }
    (chunks[chunks.length - 1] as SlotJob[]).push(job);
    chunkKeys += job.keys.length;
  }
  return chunks;
}

async function applyOutcome(run: MoveRun, s: SlotState, out: CopyOutcome, toMigrate: SlotState[]): Promise<void> {
  if (out.kind === 'committed') {
    // Nothing left on the (migrating) source: no drain round needed.
    s.phase = out.left === 0 ? 'closing' : 'draining';
    run.countKeys(out.keys);
  } else if (out.kind === 'fallback') {
    run.logger.debug(`slot ${s.move.slot}: moved the MIGRATE way (${out.reason})`);
    toMigrate.push(s);
  } else {
    run.fail(s, `slot ${s.move.slot}: ${out.error}${out.copiesLeft ? '; it is still importing on the target, run `fix`' : ''}`);
    if (!out.copiesLeft) await run.stable(s.move.targetId, s.move.slot).catch(() => undefined);
  }
}
