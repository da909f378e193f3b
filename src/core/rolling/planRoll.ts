/**
 * The next steps of a roll, from the cluster as it is now (pure, unit-tested). The driver reads
 * the cluster again after every step and plans again, so the order follows what actually
 * happened (a failover turns a master into a replica, which is then a replica to update):
 *
 * 1. replicas not on the target, one at a time (the master keeps serving);
 * 2. then each master: CLUSTER FAILOVER to an in-sync replica (one already on the target when
 *    there is one), after which it is a replica and step 1 updates it;
 * 3. a master with no in-sync replica is refused before anything starts, unless the user
 *    accepted downtime for its slots (then it is restarted in place, last).
 */
import { type ClusterNode, type ClusterTopology, countSlots } from '../cluster/topology';
import { BadInputError } from '../errors';
import { formatEndpoint } from '../routes/endpoint';

export type RollStep =
  | { readonly kind: 'replica'; readonly service: string; readonly nodeId?: string }
  | { readonly kind: 'failover'; readonly service: string; readonly nodeId: string; readonly toService: string; readonly toNode: ClusterNode }
  | { readonly kind: 'master-in-place'; readonly service: string; readonly nodeId: string; readonly slots: number };

export interface RollPlanInput {
  readonly topology: ClusterTopology;
  /** The services the roll covers. */
  readonly scope: readonly string[];
  /** Of those, the ones already on the target (service spec and running task). */
  readonly done: ReadonlySet<string>;
  readonly acceptDowntime: boolean;
}

/** The service behind a cluster node (joinSwarm fills it). */
function serviceOf(n: ClusterNode): string | undefined {
  return n.swarm?.service;
}

/** A replica whose own report says its link to its master is up and which no view marks failing. */
export function inSyncReplicas(topology: ClusterTopology, master: ClusterNode): ClusterNode[] {
  const failing = new Set(topology.views.flatMap((v) => v.view.nodes.filter((n) => n.flags.fail || n.flags.pfail).map((n) => n.id)));
  return topology.nodes.filter((n) => {
    if (n.role !== 'replica' || n.masterId !== master.id || failing.has(n.id)) return false;
    const own = topology.views.find((v) => v.view.self.id === n.id);
    return own?.masterLinkStatus === 'up';
  });
}

/** Masters with slots (the ones a roll must not take down). */
function slotMasters(topology: ClusterTopology): ClusterNode[] {
  return topology.nodes.filter((n) => n.role === 'master' && n.slots.length > 0 && !n.flags.fail);
}

/**
 * Masters in scope that no in-sync replica can take over from: the refusal before a roll starts
 * (said in one sentence), unless downtime for their slots was accepted.
 */
export function refuseUnprotectedMasters(input: RollPlanInput): void {
  if (input.acceptDowntime) return;
  const scope = new Set(input.scope);
  const bare = slotMasters(input.topology).filter((m) => {
    const s = serviceOf(m);
    return s !== undefined && scope.has(s) && !input.done.has(s) && inSyncReplicas(input.topology, m).length === 0;
  });
  if (bare.length === 0) return;
  const names = bare.map((m) => `${serviceOf(m) ?? formatEndpoint(m.endpoint)} (${countSlots(m.slots)} slots)`);
  throw new BadInputError(
    `Not starting: ${names.join(', ')} ${bare.length === 1 ? 'has' : 'have'} no in-sync replica to fail over to, so ` +
      `${bare.length === 1 ? 'its' : 'their'} slots would stop serving while ${bare.length === 1 ? 'it restarts' : 'they restart'}. ` +
      'Add a replica (add-node) or wait for its link, or pass --accept-downtime to restart it in place.',
  );
}

/** The next step, or undefined when every node in scope is on the target. */
export function nextRollStep(input: RollPlanInput): RollStep | undefined {
  const { topology, done } = input;
  const todo = input.scope.filter((s) => !done.has(s));
  if (todo.length === 0) return undefined;
  const byService = new Map(topology.nodes.flatMap((n) => (serviceOf(n) !== undefined ? [[serviceOf(n) as string, n] as const] : [])));
  const masters = new Set(slotMasters(topology).map((m) => m.id));

  // Replicas and nodes that serve no slot (not in the cluster's view, empty masters, down) first.
  for (const s of todo) {
    const n = byService.get(s);
    if (!n || !masters.has(n.id)) return { kind: 'replica', service: s, ...(n ? { nodeId: n.id } : {}) };
  }
  for (const s of todo) {
    const m = byService.get(s);
    if (!m) continue;
    const candidates = inSyncReplicas(topology, m);
    const onTarget = candidates.find((r) => done.has(serviceOf(r) ?? ''));
    const to = onTarget ?? candidates[0];
    const toService = to ? serviceOf(to) : undefined;
    if (to && toService !== undefined) return { kind: 'failover', service: s, nodeId: m.id, toService, toNode: to };
  }
  // Only masters without an in-sync replica are left.
  const s = todo.find((x) => byService.has(x)) as string;
  const m = byService.get(s) as ClusterNode;
  return { kind: 'master-in-place', service: s, nodeId: m.id, slots: countSlots(m.slots) };
}
