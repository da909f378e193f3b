/**
 * The slot mover every operation uses (reshard, rebalance, scale in, fix, the slot map's "move
 * here").
 *
 * Per slot it follows redis-cli's clusterManagerMoveSlot / clusterManagerMigrateKeysInSlot:
 * SETSLOT IMPORTING on the target, SETSLOT MIGRATING on the source, GETKEYSINSLOT + MIGRATE
 * until the source holds no key of the slot, then SETSLOT NODE on the target, the source and
 * every other master. What differs is speed and safety:
 *
 * - Several slots are open at once (at most `slotsInFlight`, in windows: scheduler.ts), and
 *   each step is pipelined over a whole window: one round trip opens it, one asks for all its
 *   slots' keys, and the MIGRATE batches (`keysPerMigrate` keys each, one slot per MIGRATE as
 *   cluster nodes demand) are all sent at once. redis-cli moves one slot at a time, one
 *   command at a time.
 * - MIGRATE never carries REPLACE unless asked. Before a slot is opened, the target is asked
 *   whether it already holds keys of that slot (an orphan left by a crash or a hand edit); a key
 *   present on both sides is a conflict: the slot is not touched, and is reported. A BUSYKEY that
 *   still happens mid-slot rolls that slot back (its moved keys return to the source, both
 *   sides are made STABLE) and is reported the same way.
 * - Cancelling stops opening new slots; the slots already open are finished (never left
 *   open), so a cancelled move leaves every slot with exactly one owner and every key readable.
 * - The copy engine (copySlot.ts, copyWindow.ts) opens a slot by copying its keys through this
 *   process and handing them over in one checked transaction, instead of MIGRATE, whose cost on
 *   the source (a byte-at-a-time read of every reply) bounds how fast redis-cli can go.
 *   Whatever it cannot take goes the MIGRATE way; every slot then closes as above.
 *
 * MIGRATE runs on the source node and connects to the target's ANNOUNCED address (an overlay
 * IP on the swarm): node-to-node traffic. This host only talks to nodes through the pool's
 * routes.
 */
import { RedisError } from '../../errors';
import { type AdminPool } from '../../redis/adminConnection';
import { type ClusterNode } from '../../cluster/topology';
import { closeSlots } from './closeSlots';
import { type CopyPlan, copyWindow, prepareCopy } from './copyWindow';
import { drainRound, resolveBusy } from './drain';
import { type MoveContext, type MoveReport, type SlotMove } from './moveTypes';
import { MoveRun } from './moveRun';
import { openSlots, precheck } from './openSlots';
import { runWindows, SlotBudget } from './scheduler';
import { DEFAULT_MOVE_SETTINGS, type MoveEngine, type MoveSettings, validateMoves } from './settings';
import { isOpen, isSettled, newSlotState, type SlotState } from './slotState';

/** Workers, each with its windows pipelined (scheduler.ts). */
const WORKERS = 2;
/**
 * Windows the slots in flight are shared among: each worker has one window being prepared, one
 * whose keys move and one being drained and closed.
 */
const WINDOWS_PER_BUDGET = 3 * WORKERS;
/** A window that makes no progress for this many drain rounds is a bug, not a slow node. */
const MAX_DRAIN_ROUNDS = 100_000;

interface Window {
  readonly slots: readonly SlotState[];
  plan?: CopyPlan | undefined;
}

/** Moves the given slots; never throws for a single slot's trouble, which the report lists. */
export async function moveSlots(ctx: MoveContext, moves: readonly SlotMove[], options: { resume?: boolean } = {}): Promise<MoveReport> {
  const settings: MoveSettings = { ...DEFAULT_MOVE_SETTINGS, ...ctx.settings };
  validateMoves(moves, new Map(ctx.nodes.map((n) => [n.id, n])), settings);
  const run = new MoveRun(ctx, settings, await chooseEngine(ctx, settings.engine, moves), moves.length);
  const resume = options.resume === true;
  const queue = [...moves];
  const budget = new SlotBudget(settings.slotsInFlight);
  const windowSize = Math.max(1, Math.ceil(settings.slotsInFlight / WINDOWS_PER_BUDGET));

  const next = async (): Promise<Window | undefined> => {
    const wanted = Math.min(windowSize, queue.length);
    if (wanted === 0 || run.token.isCancellationRequested) return undefined;
    if (!(await budget.take(wanted))) return undefined;
    // Cancelled while waiting, or the other worker took the last slots: give back what is unused.
    const taken = run.token.isCancellationRequested ? [] : queue.splice(0, wanted);
    if (taken.length < wanted) budget.give(wanted - taken.length);
    return taken.length === 0 ? undefined : { slots: taken.map((m) => newSlotState(m, resume)) };
  };
  try {
    await runWindows<Window>(WORKERS, {
      next,
      prepare: async (w) => {
        // resume: the slots are open already (fix finishing a move a crash interrupted).
        if (!resume) w.plan = await prepareWindow(run, w.slots);
      },
      copy: async (w, worker) => {
        if (w.plan) await copyWindow(run, w.plan, String(worker));
      },
      finish: (w) => finishWindow(run, w.slots, (n) => budget.give(n)),
    });
    await run.broadcastsSent();
  } finally {
    budget.close();
    await run.bulk.close();
  }
  run.progress(true);
  return run.report(queue);
}

/** Before the keys move: the precheck, then IMPORTING (and for the copy engine the key lists). */
async function prepareWindow(run: MoveRun, window: readonly SlotState[]): Promise<CopyPlan | undefined> {
  await precheck(run, window);
  const open = window.filter((s) => s.phase === 'open');
  if (run.engine === 'copy') return prepareCopy(run, open);
  await openSlots(run, open);
  return undefined;
}

/**
 * Drain until every open slot is closed; a cancel does not stop this (finish, never leave
 * open). Each slot's permit is given back as it settles.
 */
async function finishWindow(run: MoveRun, window: readonly SlotState[], release: (n: number) => void): Promise<void> {
  const held = new Set(window);
  const settle = (): void => {
    for (const s of held) {
      if (isOpen(s)) continue;
      held.delete(s);
      if (isSettled(s)) run.record(s);
      release(1);
    }
  };
  try {
    for (let round = 0; window.some(isOpen); round++) {
      await drainRound(run, window.filter((s) => s.phase === 'draining'));
      await resolveBusy(run, window.filter((s) => s.busy));
      await closeSlots(run, window.filter((s) => s.phase === 'closing'));
      settle();
      run.progress();
      if (round > MAX_DRAIN_ROUNDS) throw new RedisError('Slot migration makes no progress.');
    }
    settle();
  } finally {
    // A failure leaves the rest to `fix`; their permits go back all the same.
    release(held.size);
  }
}

/** 'auto' resolved: copy only when every node involved is reached without a tunnel. */
async function chooseEngine(ctx: { pool: AdminPool; nodes: readonly ClusterNode[] }, wanted: MoveEngine, moves: readonly SlotMove[]): Promise<'copy' | 'migrate'> {
  if (wanted !== 'auto') return wanted;
  const byId = new Map(ctx.nodes.map((n) => [n.id, n]));
  const ids = new Set(moves.flatMap((m) => [m.sourceId, m.targetId]));
  const kinds = await Promise.all([...ids].map(async (id) => (await ctx.pool.route((byId.get(id) as ClusterNode).endpoint)).kind));
  return kinds.every((k) => k !== 'tunnel') ? 'copy' : 'migrate';
}
