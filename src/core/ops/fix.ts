/**
 * `fix`: closes open slots and covers uncovered ones, like redis-cli --cluster fix
 * (clusterManagerFixOpenSlot, clusterManagerFixSlotsCoverage), with one rule redis-cli does not
 * have: a slot is never given to a node while its data may exist elsewhere. So:
 * - migrating on its owner and importing on the peer (a move a crash interrupted): the move is
 *   finished, keys included, with the slot mover (never REPLACE);
 * - migrating on the owner only: when the peer already holds keys of the slot the move is
 *   re-opened and finished, else the owner's slot is simply made STABLE;
 * - importing only (nodes that opened a slot they do not own): their keys of the slot go to the
 *   owner, then they are made STABLE; a key on both sides is reported, not overwritten;
 * - uncovered: given to the one master holding keys of it; to the master with the fewest slots
 *   when no node holds any and every known node could be asked; refused otherwise (several
 *   holders, or an unreachable node that may hold the data).
 */
import { ClusterNode, ClusterTopology, CLUSTER_SLOTS, formatRanges, slotsToRanges } from '../cluster/topology';
import { CancellationToken, Logger, ProgressReporter, silentProgress } from '../lifecycle';
import { AdminPool, errText } from '../redis/adminConnection';
import { formatEndpoint } from '../routes/endpoint';
import { MigrateSettings, moveSlots, SlotMove } from './migrate';

export type FixAction =
  | { readonly kind: 'finish-move'; readonly move: SlotMove; readonly reopen: boolean }
  | { readonly kind: 'stable'; readonly slot: number; readonly nodeId: string }
  | { readonly kind: 'return-keys'; readonly slot: number; readonly fromIds: readonly string[]; readonly ownerId: string }
  | { readonly kind: 'assign'; readonly slots: readonly number[]; readonly nodeId: string; readonly reason: string }
  | { readonly kind: 'refuse'; readonly slots: readonly number[]; readonly reason: string };

export interface FixPlan {
  readonly actions: readonly FixAction[];
}

export interface FixResult {
  readonly done: readonly string[];
  readonly problems: readonly string[];
}

const label = (byId: ReadonlyMap<string, ClusterNode>, id: string): string => {
  const n = byId.get(id);
  return n ? `${n.hostname ?? formatEndpoint(n.endpoint)} (${id.slice(0, 8)})` : id.slice(0, 8);
};

async function countKeys(pool: AdminPool, node: ClusterNode, slot: number): Promise<number> {
  return Number(await pool.command(node.endpoint, ['CLUSTER', 'COUNTKEYSINSLOT', slot]));
}

/** Reads what needs doing; asks masters how many keys they hold in open or uncovered slots. */
export async function planFix(pool: AdminPool, topology: ClusterTopology): Promise<FixPlan> {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const reachable = new Set(topology.views.map((v) => v.view.self.id));
  const masters = topology.nodes.filter((n) => n.role === 'master' && reachable.has(n.id));
  const owner = new Map<number, string>();
  for (const n of topology.nodes) if (n.role === 'master') for (const r of n.slots) for (let s = r.start; s <= r.end; s++) if (!owner.has(s)) owner.set(s, n.id);
  const actions: FixAction[] = [];

  // Open slots, from each node's own line.
  const migrating = new Map<number, { nodeId: string; peerId: string }[]>();
  const importing = new Map<number, { nodeId: string; peerId: string }[]>();
  for (const v of topology.views) {
    for (const m of v.view.self.migrating) migrating.set(m.slot, [...(migrating.get(m.slot) ?? []), { nodeId: v.view.self.id, peerId: m.peerId }]);
    for (const m of v.view.self.importing) importing.set(m.slot, [...(importing.get(m.slot) ?? []), { nodeId: v.view.self.id, peerId: m.peerId }]);
  }
  const open = [...new Set([...migrating.keys(), ...importing.keys()])].sort((a, b) => a - b);
  for (const slot of open) {
    const mig = migrating.get(slot) ?? [];
    const imp = importing.get(slot) ?? [];
    const ownerId = owner.get(slot);
    if (ownerId === undefined) {
      actions.push({ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open but no master owns it; cover it first` });
      continue;
    }
    if (mig.length > 1 || imp.length > 1 && mig.length > 0) {
      actions.push({ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open on several nodes (${[...mig, ...imp].map((x) => label(byId, x.nodeId)).join(', ')}); fix it by hand` });
      continue;
    }
    const m = mig[0];
    const i = imp[0];
    if (m && i && m.nodeId === ownerId && i.nodeId === m.peerId) {
      actions.push({ kind: 'finish-move', move: { slot, sourceId: ownerId, targetId: i.nodeId }, reopen: false });
    } else if (m && !i) {
      const peer = byId.get(m.peerId);
      const peerKeys = peer && reachable.has(peer.id) ? await countKeys(pool, peer, slot) : 0;
      if (m.nodeId === ownerId && peer && peerKeys > 0) actions.push({ kind: 'finish-move', move: { slot, sourceId: ownerId, targetId: peer.id }, reopen: true });
      else actions.push({ kind: 'stable', slot, nodeId: m.nodeId });
    } else if (!m && imp.length > 0) {
      const from = imp.map((x) => x.nodeId).filter((id) => id !== ownerId);
      if (from.length > 0) actions.push({ kind: 'return-keys', slot, fromIds: from, ownerId });
      for (const x of imp.filter((y) => y.nodeId === ownerId)) actions.push({ kind: 'stable', slot, nodeId: x.nodeId });
    } else {
      actions.push({ kind: 'refuse', slots: [slot], reason: `slot ${slot} is open in a way fix does not know (${[...mig, ...imp].map((x) => label(byId, x.nodeId)).join(', ')}); fix it by hand` });
    }
  }

  // Uncovered slots.
  const uncovered: number[] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (!owner.has(s)) uncovered.push(s);
  if (uncovered.length > 0) {
    const holders = new Map<number, string[]>();
    await Promise.all(
      masters.map(async (n) => {
        const res = await pool.pipeline(n.endpoint, uncovered.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]));
        res.forEach((r, i) => {
          if (r.ok && Number(r.value) > 0) holders.set(uncovered[i] as number, [...(holders.get(uncovered[i] as number) ?? []), n.id]);
        });
      }),
    );
    const unknown = topology.unreachable.length > 0 || topology.nodes.some((n) => !reachable.has(n.id) && !n.flags.noaddr);
    const empty = uncovered.filter((s) => !holders.has(s));
    const byHolder = new Map<string, number[]>();
    const several: number[] = [];
    for (const [slot, ids] of holders) {
      if (ids.length === 1) byHolder.set(ids[0] as string, [...(byHolder.get(ids[0] as string) ?? []), slot]);
      else several.push(slot);
    }
    for (const [id, slots] of byHolder) actions.push({ kind: 'assign', slots: slots.sort((a, b) => a - b), nodeId: id, reason: 'the only node holding keys of them' });
    if (several.length > 0) {
      actions.push({ kind: 'refuse', slots: several, reason: `keys of slot(s) ${formatRanges(slotsToRanges(several))} exist on more than one master; decide which copy wins, delete the others, then run fix again` });
    }
    if (empty.length > 0) {
      if (unknown) {
        actions.push({ kind: 'refuse', slots: empty, reason: `slot(s) ${formatRanges(slotsToRanges(empty))} have no owner and some nodes could not be asked (their data may be there); bring them back, or forget them, then run fix again` });
      } else {
        const least = [...masters].sort((a, b) => a.slots.reduce((n, r) => n + r.end - r.start + 1, 0) - b.slots.reduce((n, r) => n + r.end - r.start + 1, 0))[0];
        if (least) actions.push({ kind: 'assign', slots: empty, nodeId: least.id, reason: 'no node holds keys of them' });
      }
    }
  }
  return { actions };
}

export function formatFixPlan(topology: ClusterTopology, plan: FixPlan): string {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  if (plan.actions.length === 0) return '[OK] Nothing to fix: no open slot, all slots covered.\n';
  return (
    plan.actions
      .map((a) => {
        switch (a.kind) {
          case 'finish-move':
            return `>>> Slot ${a.move.slot}: finish moving it from ${label(byId, a.move.sourceId)} to ${label(byId, a.move.targetId)}${a.reopen ? ' (re-opening the target, which already holds keys of it)' : ''}`;
          case 'stable':
            return `>>> Slot ${a.slot}: close it on ${label(byId, a.nodeId)} (SETSLOT STABLE; no key was moved)`;
          case 'return-keys':
            return `>>> Slot ${a.slot}: move the keys ${a.fromIds.map((id) => label(byId, id)).join(', ')} imported back to its owner ${label(byId, a.ownerId)}, then close it`;
          case 'assign':
            return `>>> Slot(s) ${formatRanges(slotsToRanges(a.slots))}: give to ${label(byId, a.nodeId)} (${a.reason})`;
          case 'refuse':
            return `[ERR] Not fixing: ${a.reason}`;
        }
      })
      .join('\n') + '\n'
  );
}

export async function applyFix(
  ctx: { pool: AdminPool; settings?: Partial<MigrateSettings>; token?: CancellationToken; progress?: ProgressReporter; logger?: Logger },
  topology: ClusterTopology,
  plan: FixPlan,
): Promise<FixResult> {
  const { pool } = ctx;
  const progress = ctx.progress ?? silentProgress;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const done: string[] = [];
  const problems: string[] = [];
  const ep = (id: string) => (byId.get(id) as ClusterNode).endpoint;
  // Coverage first: with a slot uncovered the cluster is down, and nodes refuse MIGRATE
  // (CLUSTERDOWN), so no move could be finished before.
  const ordered = [...plan.actions.filter((a) => a.kind === 'assign'), ...plan.actions.filter((a) => a.kind !== 'assign')];
  let waitedForOk = false;
  for (const a of ordered) {
    if (a.kind !== 'assign' && !waitedForOk && ordered.some((x) => x.kind === 'assign')) {
      waitedForOk = true;
      await waitStateOk(pool, topology, ctx.token);
    }
    try {
      switch (a.kind) {
        case 'finish-move': {
          if (a.reopen) await pool.command(ep(a.move.targetId), ['CLUSTER', 'SETSLOT', a.move.slot, 'IMPORTING', a.move.sourceId]);
          progress.report({ message: `finishing the move of slot ${a.move.slot}` });
          const r = await moveSlots({ ...ctx, nodes: topology.nodes }, [a.move], { resume: true });
          if (r.moved.length === 1) done.push(`slot ${a.move.slot} moved to ${label(byId, a.move.targetId)} (${r.keysMoved} keys)`);
          for (const c of r.conflicts) problems.push(c.message);
          for (const f of r.failed) problems.push(`slot ${a.move.slot}: ${f.error}`);
          break;
        }
        case 'stable':
          await pool.command(ep(a.nodeId), ['CLUSTER', 'SETSLOT', a.slot, 'STABLE']);
          done.push(`slot ${a.slot} closed on ${label(byId, a.nodeId)}`);
          break;
        case 'return-keys': {
          const owner = byId.get(a.ownerId) as ClusterNode;
          let conflict = false;
          for (const from of a.fromIds) {
            const conn = await pool.get(ep(from));
            const password = conn.options.password;
            const auth = password ? (conn.options.username ? ['AUTH2', conn.options.username, password] : ['AUTH', password]) : [];
            for (let i = 0; i < 100_000; i++) {
              const keys = (await conn.callBuffer('CLUSTER', ['GETKEYSINSLOT', a.slot, 100])) as Buffer[];
              if (keys.length === 0) break;
              try {
                await conn.callBuffer('MIGRATE', [owner.endpoint.host, owner.endpoint.port, '', 0, 60_000, ...auth, 'KEYS', ...keys]);
              } catch (err) {
                problems.push(`slot ${a.slot}: keys on ${label(byId, from)} could not go to ${label(byId, a.ownerId)} (${errText(err)}); nothing was overwritten, the slot stays open there`);
                conflict = true;
                break;
              }
            }
            if (!conflict) await pool.command(ep(from), ['CLUSTER', 'SETSLOT', a.slot, 'STABLE']);
          }
          if (!conflict) done.push(`slot ${a.slot}: imported keys returned to ${label(byId, a.ownerId)}, closed`);
          break;
        }
        case 'assign':
          progress.report({ message: `giving ${a.slots.length} slot(s) to ${label(byId, a.nodeId)}` });
          await pool.command(ep(a.nodeId), ['CLUSTER', 'ADDSLOTS', ...a.slots]);
          // A new epoch makes the claim win over any stale one gossip might still carry.
          await pool.command(ep(a.nodeId), ['CLUSTER', 'BUMPEPOCH']);
          done.push(`slot(s) ${formatRanges(slotsToRanges(a.slots))} given to ${label(byId, a.nodeId)}`);
          break;
        case 'refuse':
          problems.push(a.reason);
          break;
      }
    } catch (err) {
      problems.push(`${a.kind}: ${errText(err)}`);
    }
  }
  return { done, problems };
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
    await new Promise((r) => setTimeout(r, 50));
  }
}
