/**
 * `fix`: closes open slots and covers uncovered ones, like redis-cli --cluster fix
 * (clusterManagerFixOpenSlot, clusterManagerFixSlotsCoverage), with one rule redis-cli does not
 * have: a slot is never given to a node while its data may exist elsewhere. planFix.ts decides
 * (pure), this file reads what the decision needs and applies it.
 *
 * The invariant it relies on, kept by every move of ours (mover/: the MIGRATE drain and
 * copySlot.ts; and fix's own steps) at every instant, so that a crash anywhere leaves a state
 * fix reads right:
 *
 *   Keys of a slot on a node that does not own it are visible (through ASK) only while the
 *   owner has the slot MIGRATING to that node.
 *
 * - MIGRATE engine: the target is made IMPORTING, then the source MIGRATING; only then do keys
 *   move. The copy engine's copies reach the importing target while the source is still STABLE
 *   (invisible: a stable owner never answers ASK); the commit sets MIGRATING and unlinks the
 *   copied keys in one atomic step on the source.
 * - A move closes on the target first (SETSLOT NODE: it owns the slot, with a bumped epoch),
 *   then on the source. A rollback returns the keys to the source before it makes the target,
 *   then the source, STABLE. fix deletes an importer's keys before it makes it STABLE.
 *
 * So, per open slot:
 * - migrating on its owner and importing on the peer (a move a crash interrupted): the move is
 *   finished, keys included, with the slot mover (never REPLACE);
 * - migrating on the owner only: when the peer already holds keys of the slot the move is
 *   re-opened and finished, else the owner's slot is simply made STABLE;
 * - migrating on a node whose move's target already owns the slot (the crash came between the
 *   target's and the source's SETSLOT NODE): SETSLOT NODE on the source, as the move would have;
 * - importing on a node, from the owner, which does not migrate it: by the invariant, no client
 *   could ever read or write the importer's keys of that slot. They are copies of a move that
 *   never committed (possibly stale, possibly of keys deleted since), or keys Redis itself put
 *   in importing state on start (verifyClusterConfigWithData: leftovers of a slot that moved
 *   away). The owner's keys are the truth: the importer's are deleted, then it is made STABLE.
 *   Moving them to the owner instead (redis-cli's way) would overwrite newer values or bring
 *   deleted keys back;
 * - importing from a node that is no longer the owner (its source failed over mid-move, which
 *   breaks the invariant: the new master never had the slot MIGRATING): the importer's keys may
 *   be real, so they go to the owner, never overwriting; a key on both sides is reported;
 * - uncovered: given to the one master holding keys of it; to the master with the fewest slots
 *   when no node holds any and every known node could be asked; refused otherwise (several
 *   holders, or an unreachable node that may hold the data).
 *
 * Every step is safe to repeat, so fix killed part-way is run again.
 */
import { describeError } from '../errors';
import { type ClusterNode, type ClusterTopology, formatRanges, slotsToRanges } from '../cluster/topology';
import { type CancellationToken, type Logger, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { type AdminPool } from '../redis/adminConnection';
import { DEFAULT_MIGRATE_TIMEOUT_MS, type MoveProgressListener, type MoveSettings, type SlotMove, moveSlots } from './mover';
import { nodeLabel } from '../cluster/nodeNames';
import { decideFix, type FixAction, type FixFacts, type FixPlan, keyCountId, openSlots, reachableMasters, slotOwners, uncoveredSlots } from './planFix';

export type { FixAction, FixPlan } from './planFix';

export interface FixResult {
  readonly done: readonly string[];
  readonly problems: readonly string[];
}

/** Keys fetched (GETKEYSINSLOT) and deleted per round trip when an importer's copies are dropped. */
const DROP_BATCH = 1000;

/** Reads what needs doing: the key counts of the nodes in open slots and of uncovered slots, then decideFix. */
export async function planFix(pool: AdminPool, topology: ClusterTopology): Promise<FixPlan> {
  return decideFix(topology, await readFixFacts(pool, topology));
}

export async function readFixFacts(pool: AdminPool, topology: ClusterTopology): Promise<FixFacts> {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const reachable = new Set(topology.views.map((v) => v.view.self.id));
  // Every node on either side of an open slot: how many keys of it does it hold?
  const asks = new Map<string, Set<number>>();
  const { migrating, importing } = openSlots(topology);
  for (const [slot, sides] of [...migrating, ...importing]) {
    for (const id of sides.flatMap((x) => [x.nodeId, x.peerId])) {
      if (!reachable.has(id)) continue;
      if (!asks.has(id)) asks.set(id, new Set());
      asks.get(id)?.add(slot);
    }
  }
  const keysInOpenSlots = new Map<string, number>();
  await Promise.all(
    [...asks].map(async ([id, slots]) => {
      const list = [...slots];
      const node = byId.get(id) as ClusterNode;
      const res = await pool.pipeline(node.endpoint, list.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s])).catch(() => []);
      list.forEach((s, i) => {
        const r = res[i];
        if (r?.ok) keysInOpenSlots.set(keyCountId(id, s), Number(r.value));
      });
    }),
  );
  const holders = new Map<number, string[]>();
  const uncovered = uncoveredSlots(slotOwners(topology));
  if (uncovered.length > 0) {
    await Promise.all(
      reachableMasters(topology).map(async (n) => {
        const res = await pool.pipeline(n.endpoint, uncovered.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]));
        res.forEach((r, i) => {
          if (r.ok && Number(r.value) > 0) holders.set(uncovered[i] as number, [...(holders.get(uncovered[i] as number) ?? []), n.id]);
        });
      }),
    );
  }
  return { keysInOpenSlots, holders };
}

export function formatFixPlan(topology: ClusterTopology, plan: FixPlan): string {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  if (plan.actions.length === 0) return '[OK] Nothing to fix: no open slot, all slots covered.\n';
  return (
    plan.actions
      .map((a) => {
        switch (a.kind) {
          case 'finish-move':
            return `>>> Slot ${a.move.slot}: finish moving it from ${nodeLabel(byId, a.move.sourceId)} to ${nodeLabel(byId, a.move.targetId)}${a.reopen ? ' (re-opening the target, which already holds keys of it)' : ''}`;
          case 'stable':
            return `>>> Slot ${a.slot}: close it on ${nodeLabel(byId, a.nodeId)} (SETSLOT STABLE; no key was moved)`;
          case 'drop-copies':
            return (
              `>>> Slot ${a.slot}: delete the ${a.keys} key(s) ${nodeLabel(byId, a.nodeId)} holds of it (copies of a move that never completed, never visible to clients; ` +
              `the owner ${nodeLabel(byId, a.ownerId)} serves the current values), then close it there`
            );
          case 'close-on-source':
            return `>>> Slot ${a.slot}: ${nodeLabel(byId, a.ownerId)} took it already; finish closing the move on ${nodeLabel(byId, a.nodeId)} (SETSLOT NODE)`;
          case 'return-keys':
            return `>>> Slot ${a.slot}: move the keys ${a.fromIds.map((id) => nodeLabel(byId, id)).join(', ')} imported back to its owner ${nodeLabel(byId, a.ownerId)}, then close it`;
          case 'assign':
            return `>>> Slot(s) ${formatRanges(slotsToRanges(a.slots))}: give to ${nodeLabel(byId, a.nodeId)} (${a.reason})`;
          case 'refuse':
            return `[ERR] Not fixing: ${a.reason}`;
        }
      })
      .join('\n') + '\n'
  );
}

/** What applying a fix needs: the connections, and the slot mover's settings for finishing a move. */
type FixContext = { pool: AdminPool; settings?: Partial<MoveSettings>; token?: CancellationToken; progress?: ProgressReporter; onProgress?: MoveProgressListener; logger?: Logger };

/** What fix did and what it could not do, filled action by action. */
interface FixLog {
  readonly done: string[];
  readonly problems: string[];
}

export async function applyFix(ctx: FixContext, topology: ClusterTopology, plan: FixPlan): Promise<FixResult> {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const log: FixLog = { done: [], problems: [] };
  // Coverage first: with a slot uncovered the cluster is down, and nodes refuse MIGRATE
  // (CLUSTERDOWN), so no move could be finished before.
  const ordered = [...plan.actions.filter((a) => a.kind === 'assign'), ...plan.actions.filter((a) => a.kind !== 'assign')];
  // The moves to finish go to the slot mover together, where the first of them stood: one
  // pipelined run instead of one run per slot (a reshard cut off mid-way leaves up to
  // slots-in-flight of them, and each run costs round trips, many over a remote engine).
  const finishes = ordered.filter((a): a is FinishMove => a.kind === 'finish-move');
  let waitedForOk = false;
  let finished = false;
  for (const a of ordered) {
    if (a.kind !== 'assign' && !waitedForOk && ordered.some((x) => x.kind === 'assign')) {
      waitedForOk = true;
      await waitStateOk(ctx.pool, topology, ctx.token);
    }
    if (a.kind === 'finish-move') {
      if (finished) continue;
      finished = true;
      try {
        await finishMoves(ctx, topology, byId, finishes, log);
      } catch (err) {
        log.problems.push(`finish-move: ${describeError(err)}`);
      }
      continue;
    }
    try {
      await applyFixAction(ctx, topology, byId, a, log);
    } catch (err) {
      log.problems.push(`${a.kind}: ${describeError(err)}`);
    }
  }
  return { done: log.done, problems: log.problems };
}

type FinishMove = Extract<FixAction, { kind: 'finish-move' }>;

/** Reopens what needs it, then finishes every move in one run of the slot mover. */
async function finishMoves(ctx: FixContext, topology: ClusterTopology, byId: ReadonlyMap<string, ClusterNode>, actions: readonly FinishMove[], log: FixLog): Promise<void> {
  const progress = ctx.progress ?? silentProgress;
  const ep = (id: string) => (byId.get(id) as ClusterNode).endpoint;
  const moves: SlotMove[] = [];
  for (const a of actions) {
    try {
      if (a.reopen) await ctx.pool.command(ep(a.move.targetId), ['CLUSTER', 'SETSLOT', a.move.slot, 'IMPORTING', a.move.sourceId]);
      moves.push(a.move);
    } catch (err) {
      log.problems.push(`slot ${a.move.slot}: ${describeError(err)}`);
    }
  }
  const first = moves[0];
  if (first === undefined) return;
  progress.report({
    message:
      moves.length === 1
        ? `finishing the move of slot ${first.slot}`
        : `finishing the moves of ${moves.length} slots (${formatRanges(slotsToRanges(moves.map((m) => m.slot)))})`,
  });
  const r = await moveSlots({ ...ctx, nodes: topology.nodes }, moves, { resume: true });
  if (moves.length === 1 && r.moved.length === 1) log.done.push(`slot ${first.slot} moved to ${nodeLabel(byId, first.targetId)} (${r.keysMoved} keys)`);
  else for (const m of r.moved) log.done.push(`slot ${m.slot} moved to ${nodeLabel(byId, m.targetId)}`);
  if (moves.length > 1 && r.moved.length > 0) log.done.push(`${r.keysMoved} keys moved in all`);
  for (const c of r.conflicts) log.problems.push(c.message);
  for (const f of r.failed) log.problems.push(`slot ${f.move.slot}: ${f.error}`);
}

/** One action; a failure is the caller's to report. */
async function applyFixAction(ctx: FixContext, topology: ClusterTopology, byId: ReadonlyMap<string, ClusterNode>, a: FixAction, log: FixLog): Promise<void> {
  const { pool } = ctx;
  const progress = ctx.progress ?? silentProgress;
  const ep = (id: string) => (byId.get(id) as ClusterNode).endpoint;
  switch (a.kind) {
    case 'finish-move':
      await finishMoves(ctx, topology, byId, [a], log);
      return;
    case 'stable':
      await pool.command(ep(a.nodeId), ['CLUSTER', 'SETSLOT', a.slot, 'STABLE']);
      log.done.push(`slot ${a.slot} closed on ${nodeLabel(byId, a.nodeId)}`);
      return;
    case 'drop-copies': {
      const n = await dropCopies(pool, byId, a);
      log.done.push(`slot ${a.slot}: ${n} invisible key(s) deleted from ${nodeLabel(byId, a.nodeId)}, closed there; ${nodeLabel(byId, a.ownerId)} keeps serving it`);
      return;
    }
    case 'close-on-source':
      await pool.command(ep(a.nodeId), ['CLUSTER', 'SETSLOT', a.slot, 'NODE', a.ownerId]);
      // The owner's claim must outrank any the source may still gossip: a new epoch unless
      // it has the highest one already (BUMPEPOCH is a no-op then).
      await pool.command(ep(a.ownerId), ['CLUSTER', 'BUMPEPOCH']);
      log.done.push(`slot ${a.slot}: the move to ${nodeLabel(byId, a.ownerId)} closed on ${nodeLabel(byId, a.nodeId)}`);
      return;
    case 'return-keys':
      await returnKeys(pool, byId, a, log);
      return;
    case 'assign':
      progress.report({ message: `giving ${a.slots.length} slot(s) to ${nodeLabel(byId, a.nodeId)}` });
      await pool.command(ep(a.nodeId), ['CLUSTER', 'ADDSLOTS', ...a.slots]);
      // A new epoch makes the claim win over any stale one gossip might still carry.
      await pool.command(ep(a.nodeId), ['CLUSTER', 'BUMPEPOCH']);
      log.done.push(`slot(s) ${formatRanges(slotsToRanges(a.slots))} given to ${nodeLabel(byId, a.nodeId)}`);
      return;
    case 'refuse':
      log.problems.push(a.reason);
      return;
  }
}

/** Moves an importer's keys of a slot to its owner (MIGRATE without REPLACE: never overwriting), then makes the importer STABLE. */
async function returnKeys(pool: AdminPool, byId: ReadonlyMap<string, ClusterNode>, a: Extract<FixAction, { kind: 'return-keys' }>, log: FixLog): Promise<void> {
  const ep = (id: string) => (byId.get(id) as ClusterNode).endpoint;
  const owner = byId.get(a.ownerId) as ClusterNode;
  let conflict = false;
  for (const from of a.fromIds) {
    const conn = await pool.get(ep(from));
    // MIGRATE authenticates to the owner itself, with the credentials the pool uses.
    const { username, password } = await pool.access(ep(from));
    const auth = password ? (username ? ['AUTH2', username, password] : ['AUTH', password]) : [];
    for (let i = 0; i < 100_000; i++) {
      const keys = (await conn.callBuffer('CLUSTER', ['GETKEYSINSLOT', a.slot, 100])) as Buffer[];
      if (keys.length === 0) break;
      try {
        await conn.callBuffer('MIGRATE', [owner.endpoint.host, owner.endpoint.port, '', 0, DEFAULT_MIGRATE_TIMEOUT_MS, ...auth, 'KEYS', ...keys]);
      } catch (err) {
        log.problems.push(`slot ${a.slot}: keys on ${nodeLabel(byId, from)} could not go to ${nodeLabel(byId, a.ownerId)} (${describeError(err)}); nothing was overwritten, the slot stays open there`);
        conflict = true;
        break;
      }
    }
    if (!conflict) await pool.command(ep(from), ['CLUSTER', 'SETSLOT', a.slot, 'STABLE']);
  }
  if (!conflict) log.done.push(`slot ${a.slot}: imported keys returned to ${nodeLabel(byId, a.ownerId)}, closed`);
}

/** How long fix waits for the nodes to agree the cluster is up again after covering slots (ms). */
export const FIX_STATE_OK_TIMEOUT_MS = 15_000;

async function waitStateOk(pool: AdminPool, topology: ClusterTopology, token: CancellationToken | undefined): Promise<void> {
  const deadline = Date.now() + FIX_STATE_OK_TIMEOUT_MS;
  const reachable = topology.views.map((v) => v.endpoint);
  while (Date.now() < deadline && token?.isCancellationRequested !== true) {
    const states = await Promise.all(
      reachable.map((e) => pool.command(e, ['CLUSTER', 'INFO']).then((r) => /cluster_state:ok/.test(String(r)), () => false)),
    );
    if (states.every(Boolean)) return;
    await sleep(50, token);
  }
}

/**
 * Deletes an importer's keys of a slot, then makes it STABLE (in that order: a stable node
 * would keep them hidden until a later move made them visible). Checked again right before,
 * since the plan may be old: the importer still imports from the owner, and the owner still
 * owns the slot and does not migrate it. Returns how many keys were deleted.
 */
async function dropCopies(pool: AdminPool, byId: ReadonlyMap<string, ClusterNode>, a: Extract<FixAction, { kind: 'drop-copies' }>): Promise<number> {
  const importer = byId.get(a.nodeId) as ClusterNode;
  const owner = byId.get(a.ownerId) as ClusterNode;
  const selfLine = async (n: ClusterNode): Promise<string> =>
    String(await pool.command(n.endpoint, ['CLUSTER', 'NODES'])).split('\n').find((l) => l.includes('myself')) ?? '';
  const [imp, own] = await Promise.all([selfLine(importer), selfLine(owner)]);
  const ownsSlot = own
    .split(' ')
    .slice(8)
    .some((r) => {
      const [lo, hi] = r.split('-').map(Number);
      return !r.startsWith('[') && lo !== undefined && lo <= a.slot && a.slot <= (hi ?? lo);
    });
  if (!imp.includes(`[${a.slot}-<-${a.ownerId}]`) || !ownsSlot || own.includes(`[${a.slot}->-`)) {
    throw new Error(`slot ${a.slot} changed since the plan was made (another operation?); nothing was deleted, run fix again`);
  }
  const conn = await pool.get(importer.endpoint);
  let deleted = 0;
  for (let round = 0; round < 100_000; round++) {
    const keys = (await conn.callBuffer('CLUSTER', ['GETKEYSINSLOT', a.slot, DROP_BATCH])) as Buffer[];
    if (keys.length === 0) break;
    // ASKING lets the next command touch the slot the node imports; all keys share the slot.
    const res = await conn.pipeline().call('ASKING').callBuffer('UNLINK', ...keys).exec();
    const err = res?.find(([e]) => e)?.[0];
    if (err) throw new Error(`deleting the keys of slot ${a.slot} on ${nodeLabel(byId, a.nodeId)} failed: ${describeError(err)}`);
    deleted += keys.length;
  }
  await pool.command(importer.endpoint, ['CLUSTER', 'SETSLOT', a.slot, 'STABLE']);
  return deleted;
}
