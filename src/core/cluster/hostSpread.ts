/**
 * Spreading a cluster's nodes over the swarm's machines again. After a host was lost (or
 * drained) and came back, the swarm leaves the tasks where they are: the returned host runs
 * nothing of the cluster while others run several nodes each, so losing one of those takes more
 * at once. Moving a replica there costs a full resync of that replica (it restarts empty), which
 * is why it is offered (check's `host-spread` finding) and done on request (`heal --spread-hosts`),
 * never on its own.
 */
import { hostTrouble, type SwarmHost } from '../swarm/swarmHosts';
import { type ClusterNode } from './topology';

/** One replica to move: its service, off the host it shares with most of the cluster. */
export interface SpreadMove {
  readonly service: string;
  readonly nodeId: string;
  readonly fromHost: string;
  /** The host that runs nothing of the cluster, where the swarm is expected to put it. */
  readonly toHost: string;
}

/**
 * The replicas to move so that every usable swarm node (Ready, active) runs a node of the cluster,
 * one per empty host, each from a host that runs two nodes or more; empty when no host is empty
 * or none runs two. A replica whose master keeps another replica goes first (no master is left
 * without a copy while the moved one resyncs).
 */
export function planHostSpread(alive: readonly ClusterNode[], hosts: readonly SwarmHost[]): SpreadMove[] {
  const usable = hosts.filter((h) => hostTrouble(h) === undefined);
  const onHost = new Map<string, ClusterNode[]>(usable.map((h) => [h.id, []]));
  for (const n of alive) {
    const id = n.swarm?.swarmNode;
    if (id && onHost.has(id)) onHost.get(id)?.push(n);
  }
  const empty = usable.filter((h) => (onHost.get(h.id) ?? []).length === 0);
  const hostname = (id: string | undefined): string => usable.find((h) => h.id === id)?.hostname ?? id ?? '?';
  const moves: SpreadMove[] = [];
  const moved = new Set<string>();
  const mastersOn = (hostId: string | undefined): number => alive.filter((m) => m.role === 'master' && m.slots.length > 0 && m.swarm?.swarmNode === hostId).length;
  for (const target of empty) {
    const count = (h: string | undefined): number => (onHost.get(h ?? '') ?? []).filter((n) => !moved.has(n.id)).length;
    const siblings = (r: ClusterNode): number => alive.filter((x) => x.role === 'replica' && x.masterId === r.masterId && !moved.has(x.id)).length;
    const masterHost = (r: ClusterNode): string | undefined => alive.find((m) => m.id === r.masterId)?.swarm?.swarmNode;
    // Any replica on a host that keeps a node after the move. First one whose master keeps
    // another replica; then one whose master sits on the host with the most masters (heal keeps
    // the moved replica serving its master, so that master can then fail over to the emptier
    // host: see planMasterSpread); then from the fullest host.
    const candidates = alive.filter((r) => r.role === 'replica' && r.masterId && r.swarm?.service && !moved.has(r.id) && count(r.swarm.swarmNode) >= 2);
    const pick = [...candidates].sort(
      (a, b) => siblings(b) - siblings(a) || mastersOn(masterHost(b)) - mastersOn(masterHost(a)) || count(b.swarm?.swarmNode) - count(a.swarm?.swarmNode) || a.id.localeCompare(b.id),
    )[0];
    if (!pick?.swarm) break;
    moved.add(pick.id);
    moves.push({ service: pick.swarm.service, nodeId: pick.id, fromHost: hostname(pick.swarm.swarmNode), toHost: target.hostname });
  }
  return moves;
}

/** check's offer, in one sentence; undefined when there is nothing to spread. */
export function hostSpreadMessage(moves: readonly SpreadMove[]): string | undefined {
  if (moves.length === 0) return undefined;
  const targets = [...new Set(moves.map((m) => m.toHost))];
  const from = [...new Set(moves.map((m) => m.fromHost))];
  return (
    `Swarm node${targets.length > 1 ? 's' : ''} ${targets.join(', ')} can take tasks but run${targets.length > 1 ? '' : 's'} no node of this cluster, ` +
    `while ${from.join(', ')} run${from.length > 1 ? '' : 's'} several: run heal --spread-hosts to move ${moves.length > 1 ? `${moves.length} replicas` : 'a replica'} there ` +
    `(${moves.map((m) => m.service).join(', ')}; each restarts empty and copies its master's data again), so that losing one host takes fewer nodes at once.`
  );
}

/** One master to hand to its replica on a host that runs fewer masters (a coordinated failover). */
export interface MasterMove {
  readonly masterId: string;
  readonly master: string;
  readonly replicaId: string;
  readonly replica: string;
  readonly fromHost: string;
  readonly toHost: string;
}

/**
 * Failovers that spread the masters over the usable hosts. Replicas fail over only when a
 * majority of masters agrees, so a host that runs half the masters or more (2 of 3 after one
 * host's loss promoted a replica beside another master) takes the cluster down for good when it
 * dies, replicas or not. Each move hands a master on the host with the most masters to its
 * replica on a host with at least two fewer (a move that only swaps which host is fullest helps
 * nothing): the old master stays as that replica's replica, on another host. Bounded by the
 * number of masters.
 */
export function planMasterSpread(alive: readonly ClusterNode[], hosts: readonly SwarmHost[]): MasterMove[] {
  const usable = new Set(hosts.filter((h) => hostTrouble(h) === undefined).map((h) => h.id));
  const hostname = new Map(hosts.map((h) => [h.id, h.hostname]));
  if (usable.size < 2) return [];
  // The layout as it will be after each move: node ID -> role and host.
  const role = new Map(alive.map((n) => [n.id, n.role]));
  const masterOf = new Map(alive.map((n) => [n.id, n.masterId]));
  const hostOf = new Map(alive.map((n) => [n.id, n.swarm?.swarmNode ?? '']));
  const serving = new Set(alive.filter((n) => n.role === 'master' && n.slots.length > 0).map((n) => n.id));
  const name = (id: string): string => alive.find((n) => n.id === id)?.swarm?.service ?? id.slice(0, 8);
  const moves: MasterMove[] = [];
  for (let round = 0; round < serving.size; round++) {
    const count = new Map([...usable].map((h) => [h, 0]));
    for (const m of serving) count.set(hostOf.get(m) ?? '', (count.get(hostOf.get(m) ?? '') ?? 0) + 1);
    const [fullHost, most] = [...count].filter(([h]) => usable.has(h)).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    let best: { m: string; r: string; to: string; k: number } | undefined;
    for (const m of [...serving].filter((x) => hostOf.get(x) === fullHost)) {
      for (const r of alive.filter((x) => role.get(x.id) === 'replica' && masterOf.get(x.id) === m)) {
        const to = hostOf.get(r.id) ?? '';
        const k = count.get(to);
        if (!usable.has(to) || k === undefined || most - k < 2) continue;
        if (!best || k < best.k) best = { m, r: r.id, to, k };
      }
    }
    if (!best) break;
    moves.push({ masterId: best.m, master: name(best.m), replicaId: best.r, replica: name(best.r), fromHost: hostname.get(fullHost) ?? fullHost, toHost: hostname.get(best.to) ?? best.to });
    serving.delete(best.m);
    serving.add(best.r);
    role.set(best.r, 'master');
    role.set(best.m, 'replica');
    masterOf.set(best.m, best.r);
    masterOf.delete(best.r);
    for (const x of alive) if (masterOf.get(x.id) === best.m && x.id !== best.m) masterOf.set(x.id, best.r);
  }
  return moves;
}

/** check's warning when one host runs half the masters or more (and a failover could fix it). */
export function masterSpreadMessage(moves: readonly MasterMove[], alive: readonly ClusterNode[]): string | undefined {
  const first = moves[0];
  if (!first) return undefined;
  const masters = alive.filter((n) => n.role === 'master' && n.slots.length > 0);
  const there = masters.filter((m) => (m.swarm?.swarmHost ?? m.swarm?.swarmNode) === first.fromHost).length;
  return (
    `Swarm node ${first.fromHost} runs ${there} of the ${masters.length} masters: ` +
    (there * 2 >= masters.length ? 'losing it leaves too few masters to elect their replicas, and the cluster stops until it returns. ' : 'losing it takes more masters than any other host. ') +
    `Run heal --spread-hosts to fail ${moves.map((m) => `${m.master} over to ${m.replica} (on ${m.toHost})`).join(', ')}; no write is lost.`
  );
}
