/**
 * The MIGRATE drain (redis-cli's clusterManagerMigrateKeysInSlot, pipelined over many slots):
 * each round asks every draining slot's source for a batch of keys and sends all the MIGRATEs
 * at once. A slot whose batch answered BUSYKEY is looked at (resolveBusy) before it goes on.
 */
import { MAX_REPORTED_KEYS } from './openSlots';
import { type MoveRun } from './moveRun';
import { rollback } from './rollback';
import { type SlotState } from './slotState';
import { existing, groupBy, keysInSlot, keyText, pipelined, type WireResult } from './wireCommands';

/** A MIGRATE batch that fails for another reason than BUSYKEY is tried this many times. */
export const MIGRATE_ATTEMPTS = 3;

/** One MIGRATE: keys of one slot (a cluster node refuses keys of several slots in one command: CROSSSLOT). */
interface Batch {
  readonly s: SlotState;
  readonly keys: Buffer[];
}

/** One round: ask every draining slot for keys, then MIGRATE them all, pipelined per source. */
export async function drainRound(run: MoveRun, slots: readonly SlotState[]): Promise<void> {
  await Promise.all([...groupBy(slots, (s) => s.move.sourceId)].map(([sourceId, list]) => drainSource(run, sourceId, list)));
}

async function drainSource(run: MoveRun, sourceId: string, list: readonly SlotState[]): Promise<void> {
  const { keysPerMigrate, migrateTimeoutMs, replace } = run.settings;
  const src = await run.bulk.get(sourceId);
  const replies = await pipelined(src, list, (s) => ['CLUSTER', 'GETKEYSINSLOT', s.move.slot, keysPerMigrate]);
  const batches: Batch[] = [];
  // Grouped by target, so that consecutive MIGRATEs go to the same node.
  for (const group of groupBy(list.map((s, i) => ({ s, r: replies[i] })), (x) => x.s.move.targetId).values()) {
    for (const { s, r } of group) {
      if (!r || !r.ok) {
        run.fail(s, `GETKEYSINSLOT on ${run.label(sourceId)}: ${r ? r.error.message : 'no reply'}`);
        continue;
      }
      const keys = r.value as Buffer[];
      s.more = keys.length >= keysPerMigrate;
      // Many MIGRATEs in flight at once make up for one slot per MIGRATE.
      if (keys.length === 0) s.phase = 'closing';
      else batches.push({ s, keys });
    }
  }
  const auth = await run.authArgs(sourceId);
  // All MIGRATEs in one write: the source runs them one after the other, with no gap.
  const results = await pipelined(src, batches, (b) => {
    const target = run.node(b.s.move.targetId).endpoint;
    return ['MIGRATE', target.host, target.port, '', 0, migrateTimeoutMs, ...auth, ...(replace ? ['REPLACE'] : []), 'KEYS', ...b.keys];
  });
  batches.forEach((b, i) => migrated(run, b, results[i]));
  // Slots whose MIGRATE keeps failing: give them back to the source rather than leave them open.
  for (const s of list) if (s.error !== undefined && s.phase === 'draining') await rollback(run, s, 'failed');
}

/** A MIGRATE's reply: keys moved, a BUSYKEY to look at, or one more failure. */
function migrated(run: MoveRun, b: Batch, r: WireResult | undefined): void {
  const { s } = b;
  if (r?.ok) {
    run.countKeys(b.keys.length);
    s.failures = 0;
    // Fewer keys than asked for and all moved: the slot is empty (a migrating source creates
    // no new key in it: writes to missing keys are redirected with ASK).
    if (!s.more) s.phase = 'closing';
    return;
  }
  const message = r ? r.error.message : 'no reply';
  if (/BUSYKEY/.test(message)) {
    s.busy = true;
    return;
  }
  const { sourceId, targetId } = s.move;
  s.failures++;
  run.logger.warn(`MIGRATE of ${b.keys.length} keys from ${run.label(sourceId)} to ${run.label(targetId)} failed (attempt ${s.failures}): ${message}`);
  if (s.failures >= MIGRATE_ATTEMPTS) s.error = `MIGRATE from ${run.label(sourceId)} to ${run.label(targetId)}: ${message}`;
}

/** A BUSYKEY mid-slot: a key is on both sides. Find it; roll the slot back unless it is gone. */
export async function resolveBusy(run: MoveRun, slots: readonly SlotState[]): Promise<void> {
  for (const s of slots) {
    s.busy = false;
    if (s.phase !== 'draining' && s.phase !== 'closing') continue;
    const { slot, sourceId, targetId } = s.move;
    const keys = await keysInSlot(await run.bulk.get(sourceId), slot, run.settings.keysPerMigrate);
    const both = await existing(await run.bulk.get(targetId), keys);
    if (both.length === 0) {
      s.phase = 'draining';
      continue;
    }
    s.conflictKeys = both.slice(0, MAX_REPORTED_KEYS).map(keyText);
    s.error =
      `slot ${slot}: target ${run.label(targetId)} answered BUSYKEY: ${both.length} key(s) exist on both sides ` +
      `(${s.conflictKeys.slice(0, 5).join(', ')}); the slot was given back to ${run.label(sourceId)} and nothing was overwritten.`;
    await rollback(run, s, 'conflict');
  }
}
