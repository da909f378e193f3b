/**
 * Pure diagnosis: from Docker's view of the cluster's services (SwarmCluster, with each task's
 * current IP) and every answering node's OWN `CLUSTER NODES`, the problems heal can see. No I/O:
 * the tests feed it synthetic views.
 *
 * Who is who: a node is "live" when it answered; its ID is the `myself` line of its own view.
 * An ID that peers list but no live node owns is "dead". A dead ID is gone for good when the
 * swarm can no longer bring it back: its service (by announced hostname) now runs another ID,
 * or, with every service running and answering, no service is left that could be it.
 */
import { isIP } from 'node:net';
import { configSignature } from '../cluster/nodesParser';
import { namedId } from '../cluster/nodeNames';
import { type ClusterNode, CLUSTER_SLOTS, type NodesView, type SlotRange, slotsToRanges } from '../cluster/topology';
import { type Endpoint } from '../routes/endpoint';
import { type ClusterMode } from '../swarm/deployOptions';
import { type SwarmCluster, announcedName } from '../swarm/discover';

/** What heal learned from asking one running node (through its route). */
export interface NodeObservation {
  /** The node's swarm service. */
  readonly service: string;
  /** How we reach it: the service hostname and Redis port (the router resolves it). */
  readonly endpoint: Endpoint;
  readonly view?: NodesView;
  /** `cluster_state` from CLUSTER INFO. */
  readonly clusterState?: string;
  /** DBSIZE. */
  readonly keys?: number;
  /** `cluster-require-full-coverage` as CONFIG GET reports it (undefined when CONFIG is renamed away). */
  readonly fullCoverage?: boolean;
  /** Replication offset from INFO replication (master_repl_offset, or slave_repl_offset on a replica). */
  readonly replOffset?: number;
  /** Why it could not be asked. */
  readonly error?: string;
}

export interface DiagnoseInput {
  readonly cluster: SwarmCluster;
  readonly observations: readonly NodeObservation[];
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** An operation of this process holding the cluster's lock (clusterLock.ts). */
  readonly lockedBy?: string;
  /** When heal first saw each dead owner's slots uncovered, kept between rounds (ms). */
  readonly lostSince?: ReadonlyMap<string, number>;
  /**
   * False when `cluster` was made up from the nodes that answered (a check of host:port nodes,
   * no swarm behind them): nothing then says whether a dead ID can come back, so none is "gone
   * for good".
   */
  readonly servicesKnown?: boolean;
}

/** A node that answered, with what heal needs to act on it. */
export interface LiveNode {
  readonly id: string;
  readonly service: string;
  /** Where commands go (service hostname: the router maps it to a route). */
  readonly endpoint: Endpoint;
  /** The task's current overlay IP, from Docker: what CLUSTER MEET must name. */
  readonly ip: string;
  readonly port: number;
  readonly busPort: number;
  /** The failure domain: the swarm node running the task. */
  readonly swarmNode: string;
  readonly role: 'master' | 'replica';
  readonly masterId?: string;
  /** Slots the node owns in the reference view (the majority's slot map). */
  readonly slotCount: number;
  readonly keys: number;
  /** Part of the cluster (not a stranger that knows only itself). */
  readonly member: boolean;
  readonly clusterState: string;
  readonly fullCoverage?: boolean;
  readonly replOffset?: number;
}

export type Problem =
  | { readonly kind: 'in-progress'; readonly detail: string }
  | { readonly kind: 'not-formed' }
  | { readonly kind: 'task-down'; readonly service: string; readonly detail: string }
  | { readonly kind: 'not-answering'; readonly service: string; readonly detail: string }
  /** The node's task runs at a new IP that the node itself or some peers do not know. */
  | { readonly kind: 'ip-changed'; readonly node: string; readonly ip: string; readonly staleIn: readonly string[] }
  /** A running node that knows only itself: a task that restarted without its data (new ID). */
  | { readonly kind: 'stranger'; readonly node: string; readonly empty: boolean }
  /** A dead ID without slots that peers still list; `goneForGood` when nothing can bring it back. */
  | { readonly kind: 'ghost'; readonly id: string; readonly address: string; readonly goneForGood: boolean; readonly knownBy: readonly string[] }
  /** A dead master whose live replica should be promoted by Redis's own failover. */
  | { readonly kind: 'failover-pending'; readonly id: string; readonly address: string; readonly replicas: readonly string[] }
  /**
   * A dead master whose replicas Redis cannot elect: the masters with slots that answer are not
   * a majority of all masters with slots (`down` of `total` are down). `replicas` best first
   * (highest replication offset); `since` as for lost slots; `taskGone` when the swarm says its
   * task is not running or runs on a swarm node that is down (so it is dead, not partitioned).
   */
  | {
      readonly kind: 'failover-stuck';
      readonly id: string;
      readonly address: string;
      readonly replicas: readonly string[];
      readonly down: number;
      readonly total: number;
      readonly since: number;
      readonly taskGone: boolean;
    }
  /** Slots owned by a dead master with no live replica (ownerId), or by no one. */
  | {
      readonly kind: 'lost-slots';
      readonly ownerId?: string;
      readonly address?: string;
      readonly ranges: readonly SlotRange[];
      readonly since: number;
      readonly ownerGoneForGood: boolean;
    }
  | { readonly kind: 'no-replica'; readonly master: string }
  /** Cache mode serves covered slots: nodes whose cluster-require-full-coverage is still yes. */
  | { readonly kind: 'coverage-setting'; readonly nodes: readonly string[]; readonly want: boolean }
  /** Nodes disagree or say cluster_state:fail for no reason heal can name: Redis is converging. */
  | { readonly kind: 'settling'; readonly detail: string };

export interface Diagnosis {
  readonly cluster: string;
  readonly mode: ClusterMode;
  readonly now: number;
  readonly problems: readonly Problem[];
  /** Live nodes by ID. */
  readonly live: readonly LiveNode[];
  /** Distinct swarm nodes running the cluster's tasks (anti-affinity is moot with one). */
  readonly swarmNodes: number;
  /** Every live member says cluster_state:ok, agrees on the slot map, and no problem is left. */
  readonly healthy: boolean;
  /** Every member holds the same slot map (redis-cli's config signature). */
  readonly agreed: boolean;
}

/** Problems that only need time (Redis or the swarm is at work), not an action. */
export const WAITING_KINDS: readonly Problem['kind'][] = ['in-progress', 'task-down', 'not-answering', 'failover-pending', 'settling'];

type Answered = NodeObservation & { readonly view: NodesView };

/** What every step of the diagnosis reads: who answered, who is a member, the reference map. */
interface Seen {
  readonly input: DiagnoseInput;
  readonly answered: readonly Answered[];
  /** Nodes that know someone else or own slots (not strangers). */
  readonly members: readonly Answered[];
  readonly liveIds: ReadonlySet<string>;
  /** The reference slot map: the one most members hold (redis-cli's config signature). */
  readonly reference: NodesView | undefined;
  readonly live: readonly LiveNode[];
}

export function diagnose(input: DiagnoseInput): Diagnosis {
  const seen = observe(input);
  const { answered, members, reference } = seen;
  const problems: Problem[] = [...servicesDown(input)];
  if (input.lockedBy !== undefined) problems.push({ kind: 'in-progress', detail: `${input.lockedBy} holds the cluster's lock` });

  if (members.length > 0 && reference && !reference.nodes.some((n) => n.slots.length > 0)) {
    return finish(seen, [...problems, { kind: 'not-formed' }]);
  }
  if (members.length === 0) {
    if (answered.length > 0) problems.push({ kind: 'not-formed' });
    return finish(seen, problems);
  }

  problems.push(
    ...openSlots(members),
    ...movedNodes(seen),
    ...answered.filter((o) => !members.includes(o)).map((o): Problem => ({ kind: 'stranger', node: o.view.self.id, empty: (o.keys ?? 0) === 0 && o.view.self.slots.length === 0 })),
    ...deadIds(seen),
    ...unownedSlots(seen),
    ...mastersWithoutReplica(seen.live),
  );
  problems.push(...coverageSettings(seen, problems));
  problems.push(...settling(seen, problems));
  return finish(seen, problems);
}

function observe(input: DiagnoseInput): Seen {
  const answered = input.observations.filter((o): o is Answered => o.view !== undefined);
  // Members know someone else or own slots; a view that knows only itself and that nobody lists
  // is a stranger (a task that came back without its nodes.conf).
  const listedByOthers = (id: string): boolean =>
    answered.some((o) => o.view.self.id !== id && o.view.nodes.some((n) => n.id === id && !n.flags.handshake));
  const members = answered.filter((o) => o.view.nodes.length > 1 || o.view.self.slots.length > 0 || listedByOthers(o.view.self.id));
  const groups = new Map<string, NodesView[]>();
  for (const o of members) groups.set(configSignature(o.view), [...(groups.get(configSignature(o.view)) ?? []), o.view]);
  const reference = [...groups.values()].sort((a, b) => b.length - a.length)[0]?.[0];
  const liveIds = new Set(answered.map((o) => o.view.self.id));
  return { input, answered, members, liveIds, reference, live: liveNodes(input.cluster, answered, members, reference) };
}

/** A cluster's node services by service name and by the hostname each announces. */
function servicesByName(cluster: SwarmCluster): Map<string, SwarmCluster['nodes'][number]> {
  return new Map(cluster.nodes.flatMap((n) => [[n.service, n] as const, [announcedName(n), n] as const]));
}

function liveNodes(cluster: SwarmCluster, answered: readonly Answered[], members: readonly Answered[], reference: NodesView | undefined): LiveNode[] {
  const serviceOf = servicesByName(cluster);
  return answered.map((o) => {
    const s = serviceOf.get(o.service);
    const self = o.view.self;
    const ref = reference?.nodes.find((n) => n.id === self.id);
    return {
      id: self.id,
      service: o.service,
      endpoint: o.endpoint,
      ip: s?.task?.ip ?? '',
      port: s?.port ?? o.endpoint.port,
      busPort: self.busPort || (s?.port ?? o.endpoint.port) + 10000,
      swarmNode: s?.task?.swarmNode || o.service,
      role: self.role,
      ...(self.masterId !== undefined ? { masterId: self.masterId } : {}),
      slotCount: (ref ?? self).slots.reduce((k, r) => k + r.end - r.start + 1, 0),
      keys: o.keys ?? 0,
      member: members.includes(o),
      clusterState: o.clusterState ?? 'unknown',
      ...(o.fullCoverage !== undefined ? { fullCoverage: o.fullCoverage } : {}),
      ...(o.replOffset !== undefined ? { replOffset: o.replOffset } : {}),
    };
  });
}

/** Services without a running task, and running nodes that did not answer. */
function servicesDown(input: DiagnoseInput): Problem[] {
  const problems: Problem[] = [];
  for (const n of input.cluster.nodes) {
    const running = n.task?.state === 'running' && n.task.ip !== undefined;
    if (!running) {
      problems.push({ kind: 'task-down', service: n.service, detail: n.task ? `task ${n.task.state}${n.task.error ? `: ${n.task.error}` : ''}` : 'no task' });
    }
  }
  for (const o of input.observations) {
    if (!o.view) problems.push({ kind: 'not-answering', service: o.service, detail: o.error ?? 'no reply' });
  }
  return problems;
}

/** An operation in progress (open slots) is someone else's work: heal never acts in the middle of it. */
function openSlots(members: readonly Answered[]): Problem[] {
  return members.flatMap((o): Problem[] => {
    const open = [...o.view.self.migrating, ...o.view.self.importing];
    return open.length > 0 ? [{ kind: 'in-progress', detail: `${o.service} has open slots (${open.map((x) => x.slot).join(',')})` }] : [];
  });
}

/**
 * 1. Addresses. A task restarted with its nodes.conf keeps its ID but runs at a new IP; the node
 * keeps its old IP as its own until it receives a MEET (cluster.c clusterProcessPacket updates
 * myself->ip only from a MEET, Redis issue #4645), and peers keep the old IP until the node
 * reaches them (nodeUpdateAddressIfNeeded). When every node moved, nobody reaches anybody.
 */
function movedNodes({ answered, members, live }: Seen): Problem[] {
  const problems: Problem[] = [];
  for (const n of live.filter((x) => x.member && x.ip !== '')) {
    const staleIn: string[] = [];
    const own = answered.find((o) => o.view.self.id === n.id)?.view.self;
    if (own && isIP(own.endpoint.host) !== 0 && own.endpoint.host !== n.ip) staleIn.push(n.id);
    for (const o of members) {
      if (o.view.self.id === n.id) continue;
      const line = o.view.nodes.find((x) => x.id === n.id);
      if (!line || line.flags.noaddr || line.endpoint.host !== n.ip) staleIn.push(o.view.self.id);
    }
    if (staleIn.length > 0) problems.push({ kind: 'ip-changed', node: n.id, ip: n.ip, staleIn });
  }
  return problems;
}

/** 3. Dead IDs, the reference view's plus any a member lists: ghosts, pending failovers, lost slots. */
function deadIds({ input, answered, members, liveIds, reference, live }: Seen): Problem[] {
  const { cluster, now } = input;
  const serviceOf = servicesByName(cluster);
  const deadLines = new Map<string, ClusterNode>();
  for (const o of members) {
    for (const n of o.view.nodes) if (!liveIds.has(n.id) && !n.flags.handshake && !deadLines.has(n.id)) deadLines.set(n.id, reference?.nodes.find((r) => r.id === n.id) ?? n);
  }
  const everyServiceAnswers = cluster.nodes.every((s) => answered.some((o) => o.service === s.service));
  // Redis elects a dead master's replica only with the votes of a majority of the masters with
  // slots (cluster.c clusterHandleSlaveFailover: needed_quorum = size / 2 + 1).
  const liveMasters = live.filter((n) => n.member && n.role === 'master' && n.slotCount > 0).length;
  const deadMasters = [...deadLines.values()].filter((l) => l.role === 'master' && l.slots.length > 0).length;
  const noMajority = liveMasters < Math.floor((liveMasters + deadMasters) / 2) + 1;
  const problems: Problem[] = [];
  for (const [id, line] of deadLines) {
    const address = `${line.endpoint.host}:${line.endpoint.port}${line.hostname ? ` (${line.hostname})` : ''}`;
    const byName = line.hostname !== undefined ? serviceOf.get(line.hostname) : undefined;
    const replacedByName = byName !== undefined && answered.some((o) => o.service === byName.service && o.view.self.id !== id);
    const goneForGood = input.servicesKnown !== false && (replacedByName || (byName === undefined && everyServiceAnswers));
    const slots = line.slots;
    const knownBy = members.filter((o) => o.view.nodes.some((n) => n.id === id)).map((o) => o.view.self.id);
    if (slots.length === 0 || line.role === 'replica') {
      problems.push({ kind: 'ghost', id, address, goneForGood, knownBy });
      continue;
    }
    const seenAt = Math.max(0, ...members.map((o) => o.view.nodes.find((n) => n.id === id)?.pongReceived ?? 0));
    const since = Math.min(input.lostSince?.get(id) ?? now, seenAt > 0 ? seenAt : now);
    const replicaNodes = live.filter((n) => n.masterId === id);
    if (replicaNodes.length > 0 && noMajority) {
      const replicas = [...replicaNodes].sort((a, b) => (b.replOffset ?? -1) - (a.replOffset ?? -1)).map((n) => n.id);
      problems.push({ kind: 'failover-stuck', id, address, replicas, down: deadMasters, total: liveMasters + deadMasters, since, taskGone: taskGone(cluster, byName) });
      continue;
    }
    if (replicaNodes.length > 0) {
      problems.push({ kind: 'failover-pending', id, address, replicas: replicaNodes.map((n) => n.id) });
      continue;
    }
    problems.push({ kind: 'lost-slots', ownerId: id, address, ranges: slots, since, ownerGoneForGood: goneForGood });
  }
  return problems;
}

/** The swarm says a service's node is dead: its task is not running, or its swarm node is down. */
function taskGone(cluster: SwarmCluster, service: SwarmCluster['nodes'][number] | undefined): boolean {
  const task = service?.task;
  if (!task) return service !== undefined;
  if (task.state !== 'running') return true;
  const host = cluster.hosts?.find((h) => h.id === task.swarmNode);
  return host?.state === 'down';
}

/**
 * 4. Slots nobody owns (a node was forgotten with its slots, or never assigned). A slot counts as
 * owned when any member's view gives it an owner: right after a master takes slots, its peers
 * learn it only with its next ping (clusterUpdateSlotsConfigWith).
 */
function unownedSlots({ input, members }: Seen): Problem[] {
  const owned = new Set<number>();
  for (const o of members) for (const n of o.view.nodes) for (const r of n.slots) for (let s = r.start; s <= r.end; s++) owned.add(s);
  if (owned.size >= CLUSTER_SLOTS) return [];
  const free: number[] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (!owned.has(s)) free.push(s);
  return [{ kind: 'lost-slots', ranges: slotsToRanges(free), since: input.lostSince?.get('') ?? input.now, ownerGoneForGood: true }];
}

/** 5. Replicas: every live master with slots keeps at least one live replica. */
function mastersWithoutReplica(live: readonly LiveNode[]): Problem[] {
  return live
    .filter((m) => m.member && m.role === 'master' && m.slotCount > 0 && !live.some((r) => r.masterId === m.id))
    .map((m) => ({ kind: 'no-replica', master: m.id }));
}

/**
 * 6. Every node's setting follows the cluster's recorded mode: a task restarted on a fresh volume
 * (or with a redis.conf older than the mode file) starts with its redis.conf's setting. Cache
 * mode serves the covered slots while lost ones wait for their grace period.
 */
function coverageSettings({ input, answered }: Seen, found: readonly Problem[]): Problem[] {
  if (input.cluster.mode === 'cache') {
    const strict = answered.filter((o) => o.fullCoverage === true).map((o) => o.view.self.id);
    return strict.length > 0 ? [{ kind: 'coverage-setting', nodes: strict, want: false }] : [];
  }
  if (found.some((p) => p.kind === 'lost-slots')) return [];
  // Persistent mode serves partially only while slots are lost and the user asked for it
  // (heal --serve-partial); once every slot has an owner again, back to the recorded mode.
  const lax = answered.filter((o) => o.fullCoverage === false).map((o) => o.view.self.id);
  return lax.length > 0 ? [{ kind: 'coverage-setting', nodes: lax, want: true }] : [];
}

/** 7. Nothing named, yet members disagree or are not ok: Redis is still converging. */
function settling({ members, liveIds }: Seen, found: readonly Problem[]): Problem[] {
  const actionable = found.some((p) => !WAITING_KINDS.includes(p.kind));
  if (actionable || found.some((p) => p.kind === 'in-progress')) return [];
  const signatures = new Set(members.map((o) => configSignature(o.view)));
  const notOk = members.filter((o) => o.clusterState !== 'ok').map((o) => o.service);
  const suspect = members.filter((o) => o.view.nodes.some((n) => liveIds.has(n.id) && (n.flags.fail || n.flags.pfail || n.flags.handshake)));
  if (signatures.size > 1) return [{ kind: 'settling', detail: `${signatures.size} different slot maps among the nodes` }];
  if (suspect.length > 0) return [{ kind: 'settling', detail: `${suspect.map((o) => o.service).join(', ')} still flag a live node as failing` }];
  if (notOk.length > 0 && !found.some((p) => p.kind === 'lost-slots')) return [{ kind: 'settling', detail: `cluster_state is not ok on ${notOk.join(', ')}` }];
  return [];
}

function finish({ input, answered, members, live }: Seen, found: Problem[]): Diagnosis {
  const { cluster, now } = input;
  const swarmNodes = new Set(cluster.nodes.flatMap((n) => (n.task?.swarmNode ? [n.task.swarmNode] : []))).size;
  const healthy = found.length === 0 && answered.length > 0 && answered.every((o) => o.clusterState === 'ok');
  const agreed = new Set(members.map((o) => configSignature(o.view))).size <= 1;
  return { cluster: cluster.name, mode: cluster.mode, now, problems: found, live, swarmNodes: Math.max(1, swarmNodes), healthy: healthy && agreed, agreed };
}

/** Short name of a node ID for messages: the service when live, else the ID's first 8 digits. */
export function liveLabel(d: Diagnosis, id: string): string {
  return namedId(d.live.find((x) => x.id === id)?.service, id);
}
