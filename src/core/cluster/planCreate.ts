/**
 * The pure planner behind `create`: which nodes become masters, which slots each master gets
 * and which master each replica follows. It reproduces redis-cli 7.0's
 * clusterManagerCommandCreate step by step (interleaving by host, float slot split, replica
 * assignment, anti-affinity optimization), so a plan made here is the plan redis-cli would
 * print for the same input, with the host replaced by a placement key (the swarm node for
 * swarm services, the IP for plain lists, as redis-cli uses the IP).
 */
import { BadInputError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { CLUSTER_SLOTS, type SlotRange } from './topology';
import { mulberry32 } from '../util/prng';
import { groupByHost } from './hostGroups';

/** A node to form the cluster from. */
export interface CreateNodeInput {
  /** The announced endpoint: what clients and other nodes use, and what the Router resolves. */
  readonly endpoint: Endpoint;
  /** Nodes sharing a key share a failure domain (host, swarm node). */
  readonly placementKey: string;
  /**
   * The IP other nodes use to reach this one in CLUSTER MEET (which takes only an IP); defaults
   * to the endpoint host, which must then be an IP literal.
   */
  readonly meetIp?: string;
  /** The cluster bus port, when it is not port + 10000. */
  readonly busPort?: number;
  /** The failure domain as people know it (a swarm node's hostname), for messages. */
  readonly placementName?: string;
}

export interface PlannedNode {
  /** Position in the input list. */
  readonly index: number;
  readonly input: CreateNodeInput;
  readonly role: 'master' | 'replica';
  /** For a master: its `Master[k]` number and its slots. */
  readonly masterOrder?: number;
  readonly slots?: SlotRange;
  /** For a replica: the input index of its master. */
  readonly replicaOf?: number;
}

export interface CreatePlan {
  readonly replicasPerMaster: number;
  /** Every node, in input order. */
  readonly nodes: readonly PlannedNode[];
  /** Input indexes of the masters in `Master[k]` order. */
  readonly masters: readonly number[];
  /**
   * The replica assignment as first made, before anti-affinity optimization: redis-cli prints
   * these as `Adding replica X to Y`; `extra` marks those of its "Adding extra replicas" pass.
   */
  readonly initialAssignments: readonly { replica: number; master: number; extra: boolean }[];
  /** Anti-affinity score (redis-cli's: 10000 per replica on its master's host, 1 per replica sharing a host with a sibling). */
  readonly antiAffinity: {
    readonly initialScore: number;
    readonly finalScore: number;
    readonly optimized: boolean;
    /** Masters were chosen again by host (hostGroups.ts): redis-cli's fixed masters forced a worse layout. */
    readonly regrouped: boolean;
  };
  readonly warnings: readonly string[];
}

/** Minimum number of masters Redis Cluster needs (redis-cli refuses fewer). */
export const MIN_MASTERS = 3;
/** redis-cli's optimizer effort: 500 swap attempts per node. */
const ANTI_AFFINITY_ITERATIONS_PER_NODE = 500;
/** Fixed seed: the same input always gives the same plan (redis-cli seeds with the clock). */
const DEFAULT_SEED = 0x5eed;

export function planCreate(nodes: readonly CreateNodeInput[], replicas: number, options: { seed?: number } = {}): CreatePlan {
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new BadInputError(`Replicas per master must be a whole number of 0 or more, not ${replicas}.`);
  }
  const seen = new Set<string>();
  for (const n of nodes) {
    const key = formatEndpoint(n.endpoint);
    if (seen.has(key)) throw new BadInputError(`Node ${key} is listed twice.`);
    seen.add(key);
  }
  const mastersCount = Math.floor(nodes.length / (replicas + 1));
  if (mastersCount < MIN_MASTERS) {
    throw new BadInputError(
      `Redis Cluster needs at least ${MIN_MASTERS} masters, and ${nodes.length} node(s) with ${replicas} ` +
        `replica(s) per master make only ${mastersCount}: give at least ${MIN_MASTERS * (replicas + 1)} nodes` +
        (replicas > 0 ? ' or ask for fewer replicas.' : '.'),
    );
  }

  let masters = interleaveByPlacement(nodes).slice(0, mastersCount);
  const slotRanges = allocateSlots(mastersCount);
  const replicaOf = new Map<number, number>();
  const initialAssignments = assignReplicas(nodes, masters, replicas, replicaOf);

  const initialScore = antiAffinityScore(nodes, replicaOf).score;
  let finalScore = initialScore;
  let optimized = false;
  if (initialScore > 0) {
    const candidate = optimizeAntiAffinity(nodes, replicaOf, options.seed ?? DEFAULT_SEED);
    // redis-cli keeps whatever its random walk ends on; we adopt it only when it is strictly
    // better, so a layout that cannot improve (all nodes on one host) keeps the assignment
    // printed as "Adding replica" instead of a random shuffle of it.
    if (candidate.score < initialScore) {
      replicaOf.clear();
      for (const [r, m] of candidate.replicaOf) replicaOf.set(r, m);
      finalScore = candidate.score;
      optimized = true;
    }
  }

  let regrouped = false;
  if (finalScore > 0) {
    // redis-cli's masters are fixed before its optimizer runs; with uneven hosts another choice
    // of masters keeps more replicas off their master's host (hostGroups.ts).
    const sizes = masters.map((m) => 1 + [...replicaOf.values()].filter((x) => x === m).length);
    const groups = groupByHost(nodes.map((n) => n.placementKey), sizes);
    const candidate = new Map(groups.flatMap((g) => g.replicas.map((r) => [r, g.master] as const)));
    const score = antiAffinityScore(nodes, candidate).score;
    if (score < finalScore) {
      // Master[k] in redis-cli's interleaved order, so masters still alternate hosts.
      const position = new Map(interleaveByPlacement(nodes).map((i, at) => [i, at]));
      masters = groups.map((g) => g.master).sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
      replicaOf.clear();
      for (const [r, m] of candidate) replicaOf.set(r, m);
      finalScore = score;
      optimized = true;
      regrouped = true;
    }
  }

  const masterOrder = new Map(masters.map((m, k) => [m, k]));
  const planned: PlannedNode[] = nodes.map((input, index) => {
    const k = masterOrder.get(index);
    if (k !== undefined) return { index, input, role: 'master', masterOrder: k, slots: slotRanges[k] as SlotRange };
    const m = replicaOf.get(index);
    return m === undefined ? { index, input, role: 'replica' } : { index, input, role: 'replica', replicaOf: m };
  });

  const warnings: string[] = [];
  if (nodes.length > mastersCount * (replicas + 1)) {
    warnings.push(
      `${nodes.length - mastersCount * (replicas + 1)} node(s) more than ${mastersCount} masters with ${replicas} replica(s) each: ` +
        'they are added as extra replicas.',
    );
  }
  warnings.push(...placementWarnings(nodes, replicaOf));

  return {
    replicasPerMaster: replicas,
    nodes: planned,
    masters,
    initialAssignments,
    antiAffinity: { initialScore, finalScore, optimized, regrouped },
    warnings,
  };
}

/**
 * redis-cli's order of nodes: group by host in order of first appearance, then take one node
 * from each host in turn. The first `masters` of this order become masters, which spreads
 * masters over hosts.
 */
export function interleaveByPlacement(nodes: readonly CreateNodeInput[]): number[] {
  const groups = groupByPlacement(nodes);
  const out: number[] = [];
  for (let round = 0; out.length < nodes.length; round++) {
    for (const g of groups) if (round < g.length) out.push(g[round] as number);
  }
  return out;
}

function groupByPlacement(nodes: readonly CreateNodeInput[]): number[][] {
  const byKey = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    const g = byKey.get(n.placementKey);
    if (g) g.push(i);
    else byKey.set(n.placementKey, [i]);
  });
  return [...byKey.values()];
}

/**
 * redis-cli's slot split, in single-precision floats as its C code computes it
 * (`float slots_per_node`, `float cursor`, `lround(cursor + slots_per_node - 1)`): the float
 * rounding decides where uneven splits fall (e.g. 30 masters: 1638-2184 is 547 slots).
 */
export function allocateSlots(mastersCount: number): SlotRange[] {
  const f = Math.fround;
  const perNode = f(CLUSTER_SLOTS / mastersCount);
  const out: SlotRange[] = [];
  let first = 0;
  let cursor = f(0);
  for (let i = 0; i < mastersCount; i++) {
    let last = lround(f(f(cursor + perNode) - 1));
    if (last > CLUSTER_SLOTS || i === mastersCount - 1) last = CLUSTER_SLOTS - 1;
    if (last < first) last = first;
    out.push({ start: first, end: last });
    first = last + 1;
    cursor = f(cursor + perNode);
  }
  return out;
}

/** C lround: halfway cases away from zero (Math.round goes toward +infinity). */
function lround(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * redis-cli's replica assignment: the non-masters, rotated left by one, are handed out to the
 * masters in order, each master preferring the first node on another host; a second pass gives
 * leftover nodes to masters one at a time ("Adding extra replicas...").
 */
function assignReplicas(
  nodes: readonly CreateNodeInput[],
  masters: readonly number[],
  replicas: number,
  replicaOf: Map<number, number>,
): { replica: number; master: number; extra: boolean }[] {
  const rest = interleaveByPlacement(nodes).slice(masters.length);
  // "Rotating the list sometimes helps to get better initial anti-affinity" (redis-cli).
  const pool: (number | undefined)[] = rest.length > 0 ? [...rest.slice(1), rest[0] as number] : [];
  let head = 0;
  let available = pool.length;
  const assignments: { replica: number; master: number; extra: boolean }[] = [];
  for (const extra of [false, true]) {
    if (extra && available === 0) break;
    for (const master of masters) {
      let assigned = 0;
      while (assigned < replicas && available > 0) {
        const masterKey = (nodes[master] as CreateNodeInput).placementKey;
        let found: number | undefined;
        let firstSameHost = -1;
        for (let j = head; j < pool.length; j++) {
          const n = pool[j];
          if (n === undefined) continue;
          if ((nodes[n] as CreateNodeInput).placementKey !== masterKey) {
            found = n;
            pool[j] = undefined;
            break;
          }
          if (firstSameHost < 0) firstSameHost = j;
        }
        if (found === undefined && firstSameHost >= 0) {
          found = pool[firstSameHost];
          head = firstSameHost + 1;
        }
        if (found === undefined) break;
        assigned++;
        available--;
        replicaOf.set(found, master);
        assignments.push({ replica: found, master, extra });
        if (extra) break;
      }
    }
  }
  return assignments;
}

/** redis-cli's clusterManagerGetAntiAffinityScore, plus the offending replicas it lists. */
export function antiAffinityScore(
  nodes: readonly CreateNodeInput[],
  replicaOf: ReadonlyMap<number, number>,
): { score: number; offenders: number[] } {
  let score = 0;
  const offenders: number[] = [];
  for (const group of groupByPlacement(nodes)) {
    // Per master ID: is the master itself here, and how many of its replicas.
    const related = new Map<number, { master: boolean; replicas: number[] }>();
    for (const i of group) {
      const m = replicaOf.get(i);
      const key = m ?? i;
      const entry = related.get(key) ?? { master: false, replicas: [] };
      if (m === undefined) entry.master = true;
      else entry.replicas.push(i);
      related.set(key, entry);
    }
    for (const entry of related.values()) {
      const len = (entry.master ? 1 : 0) + entry.replicas.length;
      if (len < 2) continue;
      score += entry.master ? 10000 * (len - 1) : len;
      const first = entry.replicas.slice().sort((a, b) => a - b)[0];
      if (first !== undefined) offenders.push(first);
    }
  }
  return { score, offenders };
}

/**
 * redis-cli's clusterManagerOptimizeAntiAffinity: swap the masters of an offending replica and
 * a random other replica, undo the swap when it makes the score worse, up to 500 x nodes times.
 * A seeded generator replaces its `rand()` so plans are reproducible.
 */
function optimizeAntiAffinity(
  nodes: readonly CreateNodeInput[],
  initial: ReadonlyMap<number, number>,
  seed: number,
): { score: number; replicaOf: Map<number, number> } {
  const replicaOf = new Map(initial);
  const random = mulberry32(seed);
  const replicaIds = [...replicaOf.keys()].sort((a, b) => a - b);
  for (let iter = ANTI_AFFINITY_ITERATIONS_PER_NODE * nodes.length; iter > 0; iter--) {
    const { score, offenders } = antiAffinityScore(nodes, replicaOf);
    if (score === 0 || offenders.length === 0) break;
    const first = offenders[Math.floor(random() * offenders.length)] as number;
    const others = replicaIds.filter((r) => r !== first);
    if (others.length === 0) break;
    const second = others[Math.floor(random() * others.length)] as number;
    const firstMaster = replicaOf.get(first) as number;
    const secondMaster = replicaOf.get(second) as number;
    replicaOf.set(first, secondMaster);
    replicaOf.set(second, firstMaster);
    if (antiAffinityScore(nodes, replicaOf).score > score) {
      replicaOf.set(first, firstMaster);
      replicaOf.set(second, secondMaster);
    }
  }
  return { score: antiAffinityScore(nodes, replicaOf).score, replicaOf };
}

/**
 * What the final layout leaves on one host, with the consequence: a replica beside its master
 * is lost with it, so that host's loss stops the master's slots; two replicas of one master
 * on a host both go with it. Only said when the planner could not avoid it (it keeps them apart
 * whenever the hosts allow).
 */
function placementWarnings(nodes: readonly CreateNodeInput[], replicaOf: ReadonlyMap<number, number>): string[] {
  const hosts = new Set(nodes.map((n) => n.placementKey));
  const at = (i: number): CreateNodeInput => nodes[i] as CreateNodeInput;
  const hostName = (i: number): string => at(i).placementName ?? at(i).placementKey;
  const beside: string[] = [];
  const siblings = new Map<string, number[]>();
  for (const [r, m] of replicaOf) {
    if (at(r).placementKey === at(m).placementKey) beside.push(`${formatEndpoint(at(r).endpoint)} with ${formatEndpoint(at(m).endpoint)} on ${hostName(m)}`);
    else {
      const key = `${m}\u0000${at(r).placementKey}`;
      siblings.set(key, [...(siblings.get(key) ?? []), r]);
    }
  }
  const out: string[] = [];
  if (beside.length > 0) {
    out.push(
      hosts.size === 1
        ? `All ${nodes.length} nodes run on one host (${hostName(0)}), so every replica is on the same host as their master: ` +
            'replicas protect against a node failing, not against losing that host, which stops the whole cluster. Spread the nodes over more swarm nodes for that.'
        : `${beside.length} replica(s) are on the same host as their master (${beside.join('; ')}): ${hosts.size} hosts are too few to keep every one apart. ` +
            "Losing such a host takes the master and its replica at once, and its slots stop being served until the host returns; add hosts (swarm nodes) and run heal to move them.",
    );
  }
  const shared = [...siblings.values()].filter((rs) => rs.length > 1);
  if (shared.length > 0) {
    out.push(
      `Some replicas of the same master are on the same host (${shared
        .map((rs) => `${rs.map((r) => formatEndpoint(at(r).endpoint)).join(' and ')} on ${hostName(rs[0] as number)}`)
        .join('; ')}): losing that host takes those replicas at once, leaving their master with fewer copies.`,
    );
  }
  return out;
}
