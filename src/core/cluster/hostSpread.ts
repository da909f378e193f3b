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
 * one per empty host, each taken from the fullest host; empty when no host is empty or no host
 * runs two nodes. A replica whose master keeps another replica goes first (no master is left
 * without a copy while the moved one resyncs), then one whose master is on another host.
 */
export function planHostSpread(alive: readonly ClusterNode[], hosts: readonly SwarmHost[]): SpreadMove[] {
  const usable = hosts.filter((h) => hostTrouble(h) === undefined);
  const onHost = new Map<string, ClusterNode[]>(usable.map((h) => [h.id, []]));
  for (const n of alive) {
    const id = n.swarm?.swarmNode;
    if (id && onHost.has(id)) onHost.get(id)?.push(n);
  }
  const empty = usable.filter((h) => (onHost.get(h.id) ?? []).length === 0);
  const moves: SpreadMove[] = [];
  const moved = new Set<string>();
  for (const target of empty) {
    const fullest = usable
      .map((h) => ({ h, nodes: (onHost.get(h.id) ?? []).filter((n) => !moved.has(n.id)) }))
      .sort((a, b) => b.nodes.length - a.nodes.length || a.h.hostname.localeCompare(b.h.hostname))[0];
    if (!fullest || fullest.nodes.length < 2) break;
    const replicas = fullest.nodes.filter((n) => n.role === 'replica' && n.masterId && n.swarm?.service);
    const siblings = (r: ClusterNode): number => alive.filter((x) => x.role === 'replica' && x.masterId === r.masterId && !moved.has(x.id)).length;
    const masterHost = (r: ClusterNode): string | undefined => alive.find((m) => m.id === r.masterId)?.swarm?.swarmNode;
    const pick = [...replicas].sort((a, b) => siblings(b) - siblings(a) || Number(masterHost(b) !== fullest.h.id) - Number(masterHost(a) !== fullest.h.id) || a.id.localeCompare(b.id))[0];
    if (!pick?.swarm) continue;
    moved.add(pick.id);
    moves.push({ service: pick.swarm.service, nodeId: pick.id, fromHost: fullest.h.hostname, toHost: target.hostname });
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
