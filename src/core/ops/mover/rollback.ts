/** Giving a half-moved slot back to its source (a BUSYKEY conflict, or a MIGRATE that keeps failing). */
import { describeError } from '../../errors';
import { type MoveRun } from './moveRun';
import { type SlotState } from './slotState';
import { keysInSlot, one, pipelined } from './wireCommands';

/** Bound on the rounds that move keys back (each moves up to keysPerMigrate keys). */
const MAX_ROLLBACK_ROUNDS = 10_000;

/**
 * The keys already on the target (except those the source holds too, which were there before)
 * return with MIGRATE, then both sides are made STABLE, target first so it stops accepting
 * ASKING for the slot. If that fails the slot stays open and is reported for `fix`.
 */
export async function rollback(run: MoveRun, s: SlotState, phase: 'conflict' | 'failed'): Promise<void> {
  const { slot, sourceId, targetId } = s.move;
  try {
    await migrateBack(run, s);
    await run.stable(targetId, slot);
    await run.stable(sourceId, slot);
    s.phase = phase;
  } catch (err) {
    s.phase = 'failed';
    s.error = `${s.error ?? ''} Rolling slot ${slot} back failed too (${describeError(err)}): it is still open; run "redis-swarm fix".`.trim();
  }
}

async function migrateBack(run: MoveRun, s: SlotState): Promise<void> {
  const { slot, sourceId, targetId } = s.move;
  const tgt = await run.bulk.get(targetId);
  const src = await run.bulk.get(sourceId);
  const source = run.node(sourceId).endpoint;
  const auth = await run.authArgs(targetId);
  // Keys on both sides (hex): they stay where they are, and are skipped in later rounds.
  const keep = new Set<string>();
  for (let i = 0; i < MAX_ROLLBACK_ROUNDS; i++) {
    const keys = (await keysInSlot(tgt, slot, run.settings.keysPerMigrate + keep.size)).filter((k) => !keep.has(k.toString('hex')));
    if (keys.length === 0) return;
    const onSource = await pipelined(src, keys, (k) => ['EXISTS', k]);
    const back = keys.filter((k, j) => {
      const r = onSource[j];
      const both = r?.ok === true && Number(r.value) === 1;
      if (both) keep.add(k.toString('hex'));
      return !both;
    });
    if (back.length === 0) continue;
    await one(tgt, ['MIGRATE', source.host, source.port, '', 0, run.settings.migrateTimeoutMs, ...auth, 'KEYS', ...back]);
    run.countKeys(-back.length);
  }
}
