/**
 * Pure planning: problems -> ordered actions, as data the CLI prints, VS Code shows, the log
 * keeps and the tests check. Nothing here talks to Redis or Docker.
 *
 * Order within a round: address fixes alone (until every node knows where the others are, the
 * rest of what the nodes say is not to be trusted); then settings, forgets, new nodes, lost
 * slots, replicas. A round's result is verified and the next round re-plans from fresh views.
 */
import { formatRanges, type SlotRange } from '../cluster/topology';
import { type Endpoint } from '../routes/endpoint';
import { placeReplicas } from '../cluster/replicaPlacement';
import { type Diagnosis, liveLabel, type LiveNode, type Problem, WAITING_KINDS } from './diagnose';

/** Default grace before a cache-mode cluster gives lost slots to the surviving masters (s). */
export const DEFAULT_GRACE_SECONDS = 30;
/** How long a round waits when only Redis or the swarm has work to do (ms). */
export const WAIT_STEP_MS = 1000;

export interface NodeRef {
  readonly id: string;
  readonly service: string;
  readonly endpoint: Endpoint;
}

export interface MeetTarget {
  readonly service: string;
  readonly ip: string;
  readonly port: number;
  readonly busPort: number;
}

export type HealAction =
  | { readonly kind: 'meet'; readonly node: NodeRef; readonly targets: readonly MeetTarget[]; readonly why: string }
  | { readonly kind: 'forget'; readonly id: string; readonly on: readonly NodeRef[]; readonly why: string }
  | { readonly kind: 'replicate'; readonly node: NodeRef; readonly masterId: string; readonly master: string; readonly why: string }
  | { readonly kind: 'add-slots'; readonly node: NodeRef; readonly ranges: readonly SlotRange[]; readonly why: string }
  | { readonly kind: 'bump-epoch'; readonly node: NodeRef; readonly why: string }
  /** CLUSTER FAILOVER TAKEOVER on a dead master's replica: no election, no master's consent. */
  | { readonly kind: 'takeover'; readonly node: NodeRef; readonly masterId: string; readonly master: string; readonly why: string }
  | { readonly kind: 'config-set'; readonly nodes: readonly NodeRef[]; readonly name: string; readonly value: string; readonly why: string };

export interface HealPlan {
  readonly cluster: string;
  readonly problems: readonly Problem[];
  readonly actions: readonly HealAction[];
  /** Why heal waits this round (Redis or the swarm is at work); empty when it does not. */
  readonly waits: readonly string[];
  /** How long to wait before looking again, when there is nothing to do but wait. */
  readonly waitMs: number;
  /** Problems heal will not fix, each in one sentence. */
  readonly unresolved: readonly string[];
  /** Slot ranges whose data is gone because this plan gives them to other masters (cache mode). */
  readonly lostRanges: readonly SlotRange[];
  /** The cluster is healthy and nothing is planned. */
  readonly nothingToDo: boolean;
}

export interface PlanOptions {
  /** Cache mode: how long slots stay uncovered before they are reassigned (ms). */
  readonly graceMs: number;
  /** Persistent mode: set cluster-require-full-coverage no so the covered slots keep serving. */
  readonly servePartial?: boolean;
}

const ref = (n: LiveNode): NodeRef => ({ id: n.id, service: n.service, endpoint: n.endpoint });
const target = (n: LiveNode): MeetTarget => ({ service: n.service, ip: n.ip, port: n.port, busPort: n.busPort });

const problemsOf = <K extends Problem['kind']>(d: Diagnosis, kind: K): Extract<Problem, { kind: K }>[] =>
  d.problems.filter((p): p is Extract<Problem, { kind: K }> => p.kind === kind);

/** The plan as it is built, step by step; `finish` turns it into the HealPlan. */
interface Draft {
  readonly d: Diagnosis;
  readonly options: PlanOptions;
  /** Live members with an address: the nodes actions go to. */
  readonly members: readonly LiveNode[];
  readonly actions: HealAction[];
  readonly waits: string[];
  readonly unresolved: string[];
  readonly lostRanges: SlotRange[];
  waitMs: number;
}

export function planHeal(d: Diagnosis, options: PlanOptions): HealPlan {
  const draft: Draft = { d, options, members: d.live.filter((n) => n.member && n.ip !== ''), actions: [], waits: waitReasons(d), unresolved: [], lostRanges: [], waitMs: WAIT_STEP_MS };

  if (problemsOf(d, 'in-progress').length > 0) return finish(draft);
  if (problemsOf(d, 'not-formed').length > 0) {
    draft.unresolved.push('The cluster is not formed yet (no slot is assigned): form it with `redis-swarm create --cluster NAME`.');
    return finish(draft);
  }
  // Addresses first, alone: until every node knows where the others are, the rest is not to be trusted.
  const moved = problemsOf(d, 'ip-changed');
  if (moved.length > 0) {
    draft.actions.push(...meetMovedNodes(draft.members, new Set(moved.map((p) => p.node))));
    return finish(draft);
  }
  draft.actions.push(...coverageSettings(d));
  forgetGhosts(draft);
  const joining = joinStrangers(draft);
  const masters = draft.members.filter((n) => n.role === 'master' && n.slotCount > 0);
  recoverLostSlots(draft, masters);
  takeOverStuckMasters(draft);
  // While a failover is pending the shards are about to change: place replicas next round.
  if (problemsOf(d, 'failover-pending').length > 0 || problemsOf(d, 'failover-stuck').length > 0) return finish(draft);
  placeReplicasOf(draft, masters, joining);
  return finish(draft);
}

function finish(draft: Draft): HealPlan {
  const { d, actions, waits, waitMs, unresolved, lostRanges } = draft;
  return { cluster: d.cluster, problems: d.problems, actions, waits, waitMs, unresolved, lostRanges, nothingToDo: d.healthy && actions.length === 0 };
}

/** Why heal waits: the problems that only need time (Redis or the swarm is at work). */
function waitReasons(d: Diagnosis): string[] {
  const label = (id: string): string => liveLabel(d, id);
  const waits: string[] = [];
  for (const p of d.problems) {
    if (!WAITING_KINDS.includes(p.kind)) continue;
    switch (p.kind) {
      case 'in-progress': waits.push(`an operation is in progress (${p.detail}); heal does not interfere`); break;
      case 'task-down': waits.push(`${p.service}: ${p.detail}; waiting for the swarm to restart it`); break;
      case 'not-answering': waits.push(`${p.service} does not answer yet (${p.detail})`); break;
      case 'failover-pending': waits.push(`master ${p.address} is down; waiting for its replica ${p.replicas.map(label).join(', ')} to take over`); break;
      case 'settling': waits.push(`the cluster is converging: ${p.detail}`); break;
      default: break;
    }
  }
  return waits;
}

/**
 * 1. Addresses: every moved node is met from every other node and meets every other node. A node
 * learns its own new IP only from a MEET it receives (cluster.c clusterProcessPacket), and a peer
 * that meets a known node at a new address updates it (the "Handshake: we already know node"
 * path), so this works even when all IPs changed.
 */
function meetMovedNodes(members: readonly LiveNode[], movedIds: ReadonlySet<string>): HealAction[] {
  const meets = new Map<string, Map<string, MeetTarget>>();
  const add = (from: LiveNode, to: LiveNode): void => {
    const m = meets.get(from.id) ?? new Map<string, MeetTarget>();
    m.set(to.id, target(to));
    meets.set(from.id, m);
  };
  for (const x of members.filter((n) => movedIds.has(n.id))) {
    for (const y of members) {
      if (y.id === x.id) continue;
      add(y, x);
      add(x, y);
    }
  }
  return [...meets].map(([from, targets]) => {
    const n = members.find((x) => x.id === from) as LiveNode;
    return {
      kind: 'meet',
      node: ref(n),
      targets: [...targets.values()],
      why: movedIds.has(from) ? `${n.service} runs at a new IP (${n.ip}): it and its peers learn the current addresses` : `introduces the moved node(s) to ${n.service}`,
    };
  });
}

/** 2. Cache mode keeps serving the covered slots; persistent mode only when asked. */
function coverageSettings(d: Diagnosis): HealAction[] {
  return problemsOf(d, 'coverage-setting').map((p) => ({
    kind: 'config-set',
    nodes: d.live.filter((n) => p.nodes.includes(n.id)).map(ref),
    name: 'cluster-require-full-coverage',
    value: p.want ? 'yes' : 'no',
    why: p.want ? 'persistent mode: the cluster stops serving while slots are lost, as recorded' : 'cache mode serves the covered slots while lost ones are re-covered',
  }));
}

/**
 * A dead ID is forgotten on every node at once: CLUSTER FORGET bans the ID for 60 s (cluster.c
 * clusterBlacklistAddNode), so a node that still knows it must forget it within that window or
 * gossip brings it back.
 */
function forget(draft: Draft, id: string, why: string): void {
  const on = draft.members.map(ref);
  if (on.length > 0 && !draft.actions.some((a) => a.kind === 'forget' && a.id === id)) draft.actions.push({ kind: 'forget', id, on, why });
}

/** 3. Dead IDs that can never come back are forgotten; the others may return with their service. */
function forgetGhosts(draft: Draft): void {
  for (const g of problemsOf(draft.d, 'ghost')) {
    if (g.goneForGood) forget(draft, g.id, `${g.address} is failed and its task was replaced or removed`);
    else draft.waits.push(`${g.address} is down; its service may bring it back`);
  }
}

/** 4. Strangers (tasks that came back without their data) join as new nodes; returns the joining. */
function joinStrangers(draft: Draft): LiveNode[] {
  const { d, members, actions } = draft;
  const introducer = members.find((n) => n.role === 'master' && n.clusterState === 'ok') ?? members[0];
  const joining: LiveNode[] = [];
  for (const s of problemsOf(d, 'stranger')) {
    const n = d.live.find((x) => x.id === s.node);
    if (!n || n.ip === '') continue;
    if (!s.empty) {
      draft.unresolved.push(`${n.service} (${n.id.slice(0, 8)}) knows no other node but holds data; heal does not join it. Empty it (FLUSHALL, CLUSTER RESET) to let heal add it.`);
      continue;
    }
    if (!introducer) continue;
    actions.push({ kind: 'meet', node: ref(introducer), targets: [target(n)], why: `${n.service} restarted without its data (new ID ${n.id.slice(0, 8)}): introduce it` });
    actions.push({ kind: 'meet', node: ref(n), targets: [target(introducer)], why: `${n.service} meets ${introducer.service} back` });
    joining.push(n);
  }
  return joining;
}

/** 5. Lost slots: persistent mode waits for the data; cache mode gives them away after the grace. */
function recoverLostSlots(draft: Draft, masters: readonly LiveNode[]): void {
  for (const p of problemsOf(draft.d, 'lost-slots')) {
    if (draft.d.mode === 'persistent') keepLostSlots(draft, p);
    else reassignLostSlots(draft, p, masters);
  }
}

type LostSlots = Extract<Problem, { kind: 'lost-slots' }>;
const ownerText = (p: LostSlots): string => (p.address ? ` owned by ${p.address}` : ' owned by no node');

function keepLostSlots(draft: Draft, p: LostSlots): void {
  draft.unresolved.push(
    `Slots ${formatRanges(p.ranges)}${ownerText(p)} have no live master and no replica. Persistent mode never reassigns them: ` +
      (p.ownerId && !p.ownerGoneForGood ? 'waiting for the node to come back with its data (AOF).' : 'bring the node back with its volume, or switch to cache mode (`redis-swarm mode --cluster NAME cache`) to give them up.'),
  );
  const strict = draft.d.live.filter((n) => n.fullCoverage === true);
  if (draft.options.servePartial && strict.length > 0) {
    draft.actions.push({ kind: 'config-set', nodes: strict.map(ref), name: 'cluster-require-full-coverage', value: 'no', why: 'keep serving reads and writes for the covered slots (asked with --serve-partial)' });
  } else if (strict.length > 0) {
    draft.unresolved.push('With cluster-require-full-coverage yes the whole cluster refuses reads and writes meanwhile; `heal --serve-partial` sets it to no so the covered slots keep serving.');
  }
}

function reassignLostSlots(draft: Draft, p: LostSlots, masters: readonly LiveNode[]): void {
  const text = formatRanges(p.ranges);
  const left = p.since + draft.options.graceMs - draft.d.now;
  if (left > 0) {
    draft.waits.push(`slots ${text}${ownerText(p)} are uncovered; cache mode reassigns them after the grace period (${Math.ceil(left / 1000)} s left)`);
    draft.waitMs = Math.min(Math.max(left, 100), 5000);
    return;
  }
  if (masters.length === 0) {
    draft.unresolved.push(`Slots ${text} are uncovered and no live master can take them.`);
    return;
  }
  if (p.ownerId) forget(draft, p.ownerId, `${p.address} is gone with slots ${text}; forgetting it frees them`);
  draft.lostRanges.push(...p.ranges);
  const shares = splitRanges(p.ranges, masters.length);
  const byLoad = [...masters].sort((a, b) => a.slotCount - b.slotCount || a.service.localeCompare(b.service));
  shares.forEach((ranges, i) => {
    const m = byLoad[i] as LiveNode;
    if (ranges.length === 0) return;
    draft.actions.push({ kind: 'add-slots', node: ref(m), ranges, why: `cache mode: ${m.service} takes over lost slots ${formatRanges(ranges)} (their data is gone)` });
    draft.actions.push({ kind: 'bump-epoch', node: ref(m), why: 'a new config epoch makes its claim win everywhere' });
  });
}

/**
 * 5b. Masters whose replicas no majority can elect: their best replica (highest replication
 * offset) takes over alone, once heal is sure the master is dead and not only cut off from heal:
 * it did not answer, and either the swarm says its task is gone or the grace period has passed
 * (the same clock as lost slots). A master that answers is never dead here, so never taken over.
 */
function takeOverStuckMasters(draft: Draft): void {
  const { d } = draft;
  for (const p of problemsOf(d, 'failover-stuck')) {
    const replica = p.replicas.map((id) => draft.members.find((n) => n.id === id)).find((n) => n !== undefined);
    if (!replica) {
      draft.unresolved.push(`Master ${p.address} is down and no majority of masters can elect a replica, and none of its replicas can be reached to take over.`);
      continue;
    }
    const left = p.since + draft.options.graceMs - d.now;
    if (!p.taskGone && left > 0) {
      draft.waits.push(`master ${p.address} is down and no majority can elect its replica; ${replica.service} takes over after the grace period (${Math.ceil(left / 1000)} s left)`);
      draft.waitMs = Math.min(Math.max(left, 100), 5000);
      continue;
    }
    draft.actions.push({
      kind: 'takeover',
      node: ref(replica),
      masterId: p.id,
      master: p.address,
      why: `${p.down} of ${p.total} masters are down, so no majority can elect a replica of ${p.address}: ${replica.service} takes over its slots without an election`,
    });
  }
}

/**
 * 6. Replicas: spare nodes (joining strangers, masters without slots) go where the placement rule
 * (cluster/replicaPlacement.ts, shared with add-node) says; then masters without a replica take
 * one from a master with two or more.
 */
function placeReplicasOf(draft: Draft, masters: readonly LiveNode[], joining: readonly LiveNode[]): void {
  const replicasOf = new Map<string, LiveNode[]>(masters.map((m) => [m.id, draft.d.live.filter((r) => r.masterId === m.id)]));
  const spares = [...joining, ...draft.members.filter((n) => n.role === 'master' && n.slotCount === 0 && n.keys === 0 && !joining.includes(n))];
  const hosts = masters.map((m) => {
    const replicas = replicasOf.get(m.id) ?? [];
    return { node: m, id: m.id, slotCount: m.slotCount, replicas: replicas.length, swarmNodes: [m.swarmNode, ...replicas.map((r) => r.swarmNode)] };
  });
  for (const { replica: s, master: { node: best } } of placeReplicas(hosts, spares)) {
    draft.actions.push({ kind: 'replicate', node: ref(s), masterId: best.id, master: best.service, why: `${s.service} becomes a replica of ${best.service}, the master that needs one most` });
    replicasOf.set(best.id, [...(replicasOf.get(best.id) ?? []), s]);
  }
  for (const m of masters) {
    if ((replicasOf.get(m.id) ?? []).length > 0) continue;
    if (!moveReplicaTo(draft, m, masters, replicasOf)) {
      const d = draft.d;
      draft.unresolved.push(
        `Master ${liveLabel(d, m.id)} has no replica and no spare node or master with two replicas can give one${d.swarmNodes > 1 ? ' on another swarm node' : ''}: ` +
          `add a node ("redis-swarm add-node --cluster ${d.cluster} --replica-of ${m.service}") to protect its slots.`,
      );
    }
  }
  // A round that changes nothing else: masters whose replicas all run beside them swap one.
  if (draft.d.swarmNodes > 1 && draft.actions.length === 0) spreadSharedHosts(draft, masters, replicasOf);
}

/**
 * A master whose every replica runs on its own swarm node loses its slots with that machine.
 * Swap one of them with a replica of another master that runs elsewhere, when the swap leaves
 * that other master no worse off (the replica it gets is not on its machine either). Both
 * replicas resync from their new masters; the layout is what create would have made.
 */
function spreadSharedHosts(draft: Draft, masters: readonly LiveNode[], replicasOf: Map<string, LiveNode[]>): void {
  const exposed = (m: LiveNode): boolean => {
    const rs = replicasOf.get(m.id) ?? [];
    return rs.length > 0 && rs.every((r) => r.swarmNode === m.swarmNode);
  };
  for (const m of [...masters].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!exposed(m)) continue;
    const mine = replicasOf.get(m.id) ?? [];
    for (const n of [...masters].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (n.id === m.id || n.swarmNode === m.swarmNode) continue;
      const theirs = replicasOf.get(n.id) ?? [];
      // Theirs must be off m's machine; ours lands on n's side and is off n's machine (it is on m's).
      const give = theirs.find((x) => x.swarmNode !== m.swarmNode);
      const take = mine[0];
      if (!give || !take) continue;
      draft.actions.push({ kind: 'replicate', node: ref(give), masterId: m.id, master: m.service, why: `${m.service}'s replicas all run on its own swarm node: ${give.service} (elsewhere) replicates it instead of ${n.service}` });
      draft.actions.push({ kind: 'replicate', node: ref(take), masterId: n.id, master: n.service, why: `${take.service} moves to ${n.service}, so both keep a replica off their machine` });
      replicasOf.set(m.id, [...mine.filter((x) => x !== take), give]);
      replicasOf.set(n.id, [...theirs.filter((x) => x !== give), take]);
      break;
    }
  }
}

/**
 * Moves one replica to `m` from a master with two or more, off `m`'s swarm node unless the swarm
 * has only one node (then anti-affinity cannot apply). False when no master can give one.
 */
function moveReplicaTo(draft: Draft, m: LiveNode, masters: readonly LiveNode[], replicasOf: Map<string, LiveNode[]>): boolean {
  for (const donor of masters) {
    const rs = replicasOf.get(donor.id) ?? [];
    if (donor.id === m.id || rs.length < 2) continue;
    // Off m's machine; first the one beside its own master, which protected the donor from nothing.
    const elsewhere = rs.filter((r) => r.swarmNode !== m.swarmNode);
    const pick = elsewhere.find((r) => r.swarmNode === donor.swarmNode) ?? elsewhere[0] ?? (draft.d.swarmNodes === 1 ? rs[0] : undefined);
    if (!pick) continue;
    draft.actions.push({ kind: 'replicate', node: ref(pick), masterId: m.id, master: m.service, why: `${m.service} has no replica; ${donor.service} has ${rs.length}: move ${pick.service}` });
    replicasOf.set(donor.id, rs.filter((r) => r !== pick));
    replicasOf.set(m.id, [pick]);
    return true;
  }
  return false;
}

/** Splits slot ranges into `k` shares of nearly equal slot counts, in slot order. */
export function splitRanges(ranges: readonly SlotRange[], k: number): SlotRange[][] {
  const slots: number[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) for (let s = r.start; s <= r.end; s++) slots.push(s);
  const out: SlotRange[][] = [];
  let at = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(slots.length / k) + (i < slots.length % k ? 1 : 0);
    const chunk = slots.slice(at, at + size);
    at += size;
    const merged: SlotRange[] = [];
    for (const s of chunk) {
      const last = merged[merged.length - 1];
      if (last && last.end === s - 1) merged[merged.length - 1] = { start: last.start, end: s };
      else merged.push({ start: s, end: s });
    }
    out.push(merged);
  }
  return out;
}
