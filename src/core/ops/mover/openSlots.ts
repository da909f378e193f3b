/**
 * Opening a window of slots the MIGRATE way: the precheck for keys already on the target, then
 * SETSLOT IMPORTING on the targets and MIGRATING on the sources, one pipeline per node.
 */
import { type MoveRun } from './moveRun';
import { type SlotState } from './slotState';
import { existing, groupBy, keysInSlot, keyText, pipelined } from './wireCommands';

/** At most this many conflicting key names are kept per slot for the report. */
export const MAX_REPORTED_KEYS = 20;

/**
 * Before opening: does the target already hold keys of the slot? Keys it holds that the
 * source holds too would make MIGRATE answer BUSYKEY (or, with REPLACE, be overwritten).
 */
export async function precheck(run: MoveRun, window: readonly SlotState[]): Promise<void> {
  await Promise.all(
    [...groupBy(window, (s) => s.move.targetId)].map(async ([targetId, slots]) => {
      const t = await run.bulk.get(targetId);
      const counts = await pipelined(t, slots, (s) => ['CLUSTER', 'COUNTKEYSINSLOT', s.move.slot]);
      const dirty = slots.filter((_, i) => {
        const c = counts[i];
        return c !== undefined && (!c.ok || Number(c.value) > 0);
      });
      for (const s of dirty) {
        const keys = await keysInSlot(t, s.move.slot, run.settings.keysPerMigrate);
        const both = await existing(await run.bulk.get(s.move.sourceId), keys);
        if (both.length > 0 && !run.settings.replace) markConflict(run, s, both, keys.length);
        else {
          run.warnings.push(
            `slot ${s.move.slot}: ${run.label(s.move.targetId)} already held ${keys.length} key(s) of it that ${run.label(s.move.sourceId)} does not have; ` +
              'they become visible once the slot is moved.',
          );
        }
      }
    }),
  );
}

/** Keys on both sides before the slot was opened: it is not touched. */
function markConflict(run: MoveRun, s: SlotState, both: readonly Buffer[], listed: number): void {
  const { slot, sourceId, targetId } = s.move;
  s.phase = 'conflict';
  s.conflictKeys = both.slice(0, MAX_REPORTED_KEYS).map(keyText);
  s.error =
    `slot ${slot}: ${both.length}${listed === run.settings.keysPerMigrate ? '+' : ''} key(s) exist on both ` +
    `${run.label(sourceId)} and ${run.label(targetId)} (${s.conflictKeys.slice(0, 5).join(', ')}); the slot was not moved. ` +
    'Compare and delete one copy, or move with --replace to let the source overwrite the target.';
}

/** IMPORTING then MIGRATING: the slots that are still 'open' end up 'draining' (or failed). */
export async function openSlots(run: MoveRun, slots: readonly SlotState[]): Promise<void> {
  if (slots.length === 0) return;
  await setImporting(run, slots);
  await setMigrating(run, slots.filter((s) => s.phase === 'open'));
}

/** Target first, as redis-cli does: the source's ASK redirects then find a target that accepts them. */
export async function setImporting(run: MoveRun, slots: readonly SlotState[]): Promise<void> {
  await Promise.all(
    [...groupBy(slots, (s) => s.move.targetId)].map(async ([targetId, list]) => {
      const res = await pipelined(await run.bulk.get(targetId), list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'IMPORTING', s.move.sourceId]);
      list.forEach((s, i) => {
        const r = res[i];
        if (r && !r.ok) run.fail(s, `SETSLOT IMPORTING on ${run.label(targetId)}: ${r.error.message}`);
      });
    }),
  );
}

/** MIGRATING on the sources of importing slots; a refused one is made stable on its target again. */
export async function setMigrating(run: MoveRun, importing: readonly SlotState[]): Promise<void> {
  await Promise.all(
    [...groupBy(importing, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
      const res = await pipelined(await run.bulk.get(sourceId), list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'MIGRATING', s.move.targetId]);
      const undo: SlotState[] = [];
      list.forEach((s, i) => {
        const r = res[i];
        if (r && !r.ok) {
          run.fail(s, `SETSLOT MIGRATING on ${run.label(sourceId)}: ${r.error.message}`);
          undo.push(s);
        } else s.phase = 'draining';
      });
      // The target was set importing: make it stable again so nothing stays open.
      for (const s of undo) await run.stable(s.move.targetId, s.move.slot);
    }),
  );
}
