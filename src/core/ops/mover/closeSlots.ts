/**
 * Closing drained slots: SETSLOT NODE on the target, then the source, then every other master
 * (redis-cli tells all), each one pipeline per node.
 */
import { describeError } from '../../errors';
import { type WireLink } from '../../redis/wireLink';
import { type MoveRun } from './moveRun';
import { type SlotState } from './slotState';
import { groupBy, pipelined, type WireResult } from './wireCommands';

const setNode = async (link: WireLink, list: readonly SlotState[]): Promise<WireResult[]> =>
  pipelined(link, list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'NODE', s.move.targetId]);

/** Every slot given is 'closing'; it ends 'done', 'draining' again (a key arrived late) or 'failed'. */
export async function closeSlots(run: MoveRun, slots: readonly SlotState[]): Promise<void> {
  if (slots.length === 0) return;
  await Promise.all([...groupBy(slots, (s) => s.move.targetId)].map(([targetId, list]) => closeOnTarget(run, targetId, list)));
  const ok = slots.filter((s) => s.phase === 'closing');
  await Promise.all(
    [...groupBy(ok, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
      const res = await setNode(await run.bulk.get(sourceId), list);
      list.forEach((s, i) => {
        const r = res[i];
        if (!r || r.ok) return;
        // "still hold keys": a key arrived after the last GETKEYSINSLOT. Drain again.
        if (/hold keys|still hold/i.test(r.error.message)) s.phase = 'draining';
        else run.fail(s, `SETSLOT NODE on source ${run.label(sourceId)}: ${r.error.message}; run "redis-swarm fix".`);
      });
    }),
  );
  const closed = slots.filter((s) => s.phase === 'closing');
  run.broadcast(tellOtherMasters(run, closed));
  for (const s of closed) s.phase = 'done';
}

/**
 * The target takes each slot. SETSLOT NODE on an importing slot bumps the target's config
 * epoch and broadcasts a PONG to every node, each of which then walks all 16384 slots
 * (clusterUpdateSlotsConfigWith): per slot, that was a tenth of the source's time (measured).
 * So all but the last slot of the batch are first made STABLE (no longer importing: SETSLOT
 * NODE then assigns without a broadcast), in the same pipeline, and the last one closes the
 * usual way: one epoch bump (it happens at most once anyway) and one PONG, which carries every
 * slot the target now owns.
 */
async function closeOnTarget(run: MoveRun, targetId: string, list: readonly SlotState[]): Promise<void> {
  const link = await run.bulk.get(targetId);
  const last = list.length - 1;
  const res = await pipelined(
    link,
    list.flatMap((s, i) => (i < last ? [['STABLE', s], ['NODE', s]] : [['NODE', s]]) as [string, SlotState][]),
    ([what, s]) => (what === 'STABLE' ? ['CLUSTER', 'SETSLOT', s.move.slot, 'STABLE'] : ['CLUSTER', 'SETSLOT', s.move.slot, 'NODE', s.move.targetId]),
  );
  const reimport: SlotState[] = [];
  list.forEach((s, i) => {
    const [stable, node] = i < last ? [res[2 * i], res[2 * i + 1]] : [undefined, res[2 * i]];
    const bad = [stable, node].find((r) => r !== undefined && !r.ok);
    if (!bad || bad.ok) return;
    run.fail(s, `SETSLOT on target ${run.label(targetId)}: ${bad.error.message}; the slot is still open, run "redis-swarm fix".`);
    // Stable but not owned: importing again, so the keys already there stay reachable.
    if (stable?.ok) reimport.push(s);
  });
  if (reimport.length > 0) await pipelined(link, reimport, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'IMPORTING', s.move.sourceId]);
}

/**
 * The other masters would learn from gossip (the target bumped its epoch); telling them saves a
 * redirect or two for clients. A master that cannot be told is not an error, and the slot is
 * done without waiting for them (the move awaits them before it returns).
 */
async function tellOtherMasters(run: MoveRun, closed: readonly SlotState[]): Promise<void> {
  await Promise.all(
    run.masters.map(async (m) => {
      const list = closed.filter((s) => s.move.targetId !== m.id && s.move.sourceId !== m.id);
      if (list.length === 0) return;
      try {
        const res = await setNode(await run.bulk.get(m.id), list);
        const bad = res.find((r) => !r.ok);
        if (bad && !bad.ok) run.logger.debug(`SETSLOT NODE on ${run.label(m.id)}: ${bad.error.message}`);
      } catch (err) {
        run.logger.debug(`SETSLOT NODE on ${run.label(m.id)}: ${describeError(err)}`);
      }
    }),
  );
}
