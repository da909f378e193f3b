/**
 * Checks a gathered topology. Covers what `redis-cli --cluster check` reports
 * (clusterManagerCheckCluster: all nodes agree about the slot configuration, open slots,
 * coverage of all 16384 slots) and what it does not: unreachable nodes, cluster_state, slots
 * owned twice, masters without a replica, replicas in the same failure domain as their master,
 * cluster links down, failed or unfinished-handshake node IDs still known, replica links down.
 * Everything heal would fix is reported from heal's own diagnosis, in heal's words
 * (heal/healthFindings.ts), so check and heal cannot disagree.
 */
import { formatEndpoint } from '../routes/endpoint';
import { problemFindings } from '../heal/healthFindings';
import { diagnoseTopology } from '../heal/topologyDiagnosis';
import { type SwarmCluster } from '../swarm/discover';
import { type SwarmHost } from '../swarm/swarmHosts';
import { hostSpreadMessage, masterSpreadMessage, planHostSpread, planMasterSpread } from './hostSpread';
import { configSignature } from './nodesParser';
import { namedId } from './nodeNames';
import { type ClusterNode, type ClusterTopology, CLUSTER_SLOTS, type SlotRange, slotsToRanges, formatRanges } from './topology';

export { readTopology } from './readTopology';

export type Severity = 'error' | 'warning' | 'info';

/** Where a finding belongs in the redis-cli style report. */
export type CheckSection = 'reach' | 'config' | 'open-slots' | 'coverage' | 'health';

export interface Finding {
  readonly severity: Severity;
  /** Stable machine name of the finding, e.g. 'open-slot', 'coverage'. */
  readonly code: string;
  readonly section: CheckSection;
  /** One sentence, without redis-cli's `[ERR]` prefix (formatters add it from the severity). */
  readonly message: string;
  /** IDs of the nodes concerned. */
  readonly nodeIds?: readonly string[];
  readonly slots?: readonly SlotRange[];
}

export interface CheckReport {
  /** The node whose view leads the report (redis-cli's "using node"). */
  readonly using?: string;
  readonly findings: readonly Finding[];
  /** True when no finding is an error. */
  readonly ok: boolean;
}

/** The failure domain of a node: the swarm node when known, else the announced host. */
export function placementOf(n: ClusterNode): string {
  return n.swarm?.swarmNode ?? n.endpoint.host;
}

/** check names nodes by host:port as redis-cli does, in the shared label form. */
const label = (n: ClusterNode | undefined, id: string): string => namedId(n ? formatEndpoint(n.endpoint) : undefined, id);

export interface CheckOptions {
  /** The swarm side of the cluster (services, tasks, mode), when the nodes run on a swarm. */
  readonly cluster?: SwarmCluster;
  /** Milliseconds since the epoch (only dates lost slots); defaults to now. */
  readonly now?: number;
}

export function checkCluster(topology: ClusterTopology, options: CheckOptions = {}): CheckReport {
  const findings: Finding[] = [];
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const add = (f: Finding): void => {
    findings.push(f);
  };

  for (const u of topology.unreachable) {
    add({ severity: 'error', code: 'unreachable', section: 'reach', message: `Cannot reach node ${formatEndpoint(u.endpoint)}${u.id ? ` (${u.id.slice(0, 8)})` : ''}: ${u.reason}`, ...(u.id ? { nodeIds: [u.id] } : {}) });
  }
  if (topology.views.length === 0) {
    add({ severity: 'error', code: 'no-node', section: 'reach', message: 'No node could be asked about the cluster.' });
    return { findings, ok: false };
  }

  const healFindings = problemFindings(diagnoseTopology(topology, { ...(options.cluster ? { cluster: options.cluster } : {}), now: options.now ?? Date.now() }));
  checkAgreement(topology, add);
  checkOpenSlots(topology, byId, add);
  checkCoverage(topology, add, healFindings.some((f) => f.code === 'lost-slots'));
  checkHealth(topology, byId, add, options.cluster?.hosts);
  checkCertificates(topology, options.now ?? Date.now(), add);
  for (const f of healFindings) add(f);

  return {
    using: formatEndpoint((topology.views[0] as { endpoint: { host: string; port: number } }).endpoint),
    findings,
    ok: !findings.some((f) => f.severity === 'error'),
  };
}

/** A node certificate that expires within this many days is a warning (rotate-certs renews). */
export const CERT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

/** TLS nodes: when their certificates expire; soon is a warning, past is an error. */
function checkCertificates(topology: ClusterTopology, now: number, add: (f: Finding) => void): void {
  const tls = topology.views.filter((v) => v.certificateExpiresAt !== undefined);
  if (tls.length === 0) return;
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  for (const v of tls) {
    const at = v.certificateExpiresAt as number;
    const days = Math.floor((at - now) / DAY_MS);
    const node = formatEndpoint(v.endpoint);
    if (at <= now) {
      add({ severity: 'error', code: 'certificate-expired', section: 'health', message: `The TLS certificate of node ${node} expired on ${day(at)}: run rotate-certs.`, nodeIds: [v.view.self.id] });
    } else if (days < CERT_EXPIRY_WARNING_DAYS) {
      add({ severity: 'warning', code: 'certificate-expiring', section: 'health', message: `The TLS certificate of node ${node} expires on ${day(at)} (in ${days} days): run rotate-certs.`, nodeIds: [v.view.self.id] });
    }
  }
  const first = Math.min(...tls.map((v) => v.certificateExpiresAt as number));
  if (first > now) add({ severity: 'info', code: 'certificates', section: 'health', message: `TLS certificates of ${tls.length} node(s) valid until ${day(first)} at the earliest.` });
}

/** redis-cli's clusterManagerIsConfigConsistent: every node's slot signature is equal. */
function checkAgreement(topology: ClusterTopology, add: (f: Finding) => void): void {
  const groups = new Map<string, string[]>();
  for (const v of topology.views) {
    const sig = configSignature(v.view);
    groups.set(sig, [...(groups.get(sig) ?? []), v.view.self.id]);
  }
  if (groups.size <= 1) {
    add({ severity: 'info', code: 'config-agree', section: 'config', message: 'All nodes agree about slots configuration.' });
    return;
  }
  // Name the minority views, so the message points at the nodes to look at.
  const sorted = [...groups.values()].sort((a, b) => b.length - a.length);
  const byId = new Map(topology.views.map((v) => [v.view.self.id, v]));
  const others = sorted.slice(1).flat();
  add({
    severity: 'error',
    code: 'config-disagree',
    section: 'config',
    message:
      `Nodes don't agree about configuration! ${sorted.length} different slot maps; ` +
      `${others.map((id) => formatEndpoint((byId.get(id) as { endpoint: { host: string; port: number } }).endpoint)).join(', ')} ` +
      `differ from the ${(sorted[0] as string[]).length} node(s) in the majority.`,
    nodeIds: others,
  });
}

function checkOpenSlots(topology: ClusterTopology, byId: ReadonlyMap<string, ClusterNode>, add: (f: Finding) => void): void {
  const open = new Set<number>();
  for (const v of topology.views) {
    const self = v.view.self;
    for (const [kind, list] of [['migrating', self.migrating], ['importing', self.importing]] as const) {
      if (list.length === 0) continue;
      for (const s of list) open.add(s.slot);
      add({
        severity: 'warning',
        code: `slot-${kind}`,
        section: 'open-slots',
        message:
          `Node ${formatEndpoint(v.endpoint)} has slots in ${kind} state ${list.map((s) => s.slot).join(',')}` +
          ` (${kind === 'migrating' ? 'to' : 'from'} ${list.map((s) => label(byId.get(s.peerId), s.peerId)).join(', ')}).`,
        nodeIds: [self.id],
        slots: slotsToRanges(list.map((s) => s.slot)),
      });
    }
  }
  if (open.size > 0) {
    add({
      severity: 'error',
      code: 'open-slots',
      section: 'open-slots',
      message: `The following slots are open: ${[...open].sort((a, b) => a - b).join(',')}. Finish or undo the move (redis-cli --cluster fix).`,
      slots: slotsToRanges(open),
    });
  }
}

/** Coverage from each node's own claim, as redis-cli computes it; also slots owned twice. */
function checkCoverage(topology: ClusterTopology, add: (f: Finding) => void, lostSlots: boolean): void {
  const owner = new Array<string | undefined>(CLUSTER_SLOTS);
  const doubled = new Map<number, Set<string>>();
  for (const n of topology.nodes) {
    if (n.role !== 'master') continue;
    for (const r of n.slots) {
      for (let s = r.start; s <= r.end; s++) {
        const prev = owner[s];
        if (prev !== undefined && prev !== n.id) doubled.set(s, new Set([...(doubled.get(s) ?? [prev]), n.id]));
        else owner[s] = n.id;
      }
    }
  }
  const uncovered: number[] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (owner[s] === undefined) uncovered.push(s);
  // Slots whose owner is dead are claimed, but not served: heal's lost-slots finding says so.
  if (uncovered.length === 0) {
    if (!lostSlots) add({ severity: 'info', code: 'coverage-ok', section: 'coverage', message: `All ${CLUSTER_SLOTS} slots covered.` });
  } else {
    const ranges = slotsToRanges(uncovered);
    add({
      severity: 'error',
      code: 'coverage',
      section: 'coverage',
      message: `Not all ${CLUSTER_SLOTS} slots are covered by nodes: ${uncovered.length} slot(s) have no owner (${formatRanges(ranges)}).`,
      slots: ranges,
    });
  }
  if (doubled.size > 0) {
    const ids = new Set([...doubled.values()].flatMap((s) => [...s]));
    add({
      severity: 'error',
      code: 'slot-multiple-owners',
      section: 'coverage',
      message: `${doubled.size} slot(s) are claimed by more than one master (${formatRanges(slotsToRanges(doubled.keys()))}).`,
      nodeIds: [...ids],
      slots: slotsToRanges(doubled.keys()),
    });
  }
}

function checkHealth(topology: ClusterTopology, byId: ReadonlyMap<string, ClusterNode>, add: (f: Finding) => void, hosts?: readonly SwarmHost[]): void {
  const said = peerVerdicts(topology, add);
  reportPeerFlags(topology, byId, said, add);
  checkReplicaPlacement(topology, said.failedBy, add, hosts);
}

/** What nodes say about the others (by ID: the endpoints saying it). */
interface PeerVerdicts {
  readonly failedBy: Map<string, string[]>;
  readonly pfailBy: Map<string, string[]>;
  readonly handshakeBy: Map<string, string[]>;
  readonly linkDownBy: Map<string, string[]>;
}

/** Reads every view's flags on its peers; reports each node's own cluster state and replica link. */
function peerVerdicts(topology: ClusterTopology, add: (f: Finding) => void): PeerVerdicts {
  const said: PeerVerdicts = { failedBy: new Map(), pfailBy: new Map(), handshakeBy: new Map(), linkDownBy: new Map() };
  const push = (m: Map<string, string[]>, id: string, from: string): void => {
    m.set(id, [...(m.get(id) ?? []), from]);
  };
  for (const v of topology.views) {
    const from = formatEndpoint(v.endpoint);
    for (const n of v.view.nodes) {
      if (n.flags.myself) continue;
      if (n.flags.fail) push(said.failedBy, n.id, from);
      else if (n.flags.pfail) push(said.pfailBy, n.id, from);
      else if (n.flags.handshake) push(said.handshakeBy, n.id, from);
      else if (n.linkState === 'disconnected') push(said.linkDownBy, n.id, from);
    }
    if (v.clusterState !== 'ok') {
      add({ severity: 'error', code: 'cluster-state', section: 'health', message: `Node ${from} reports cluster_state:${v.clusterState}.`, nodeIds: [v.view.self.id] });
    }
    if (v.view.self.role === 'replica' && v.masterLinkStatus !== undefined && v.masterLinkStatus !== 'up') {
      add({ severity: 'error', code: 'replica-link-down', section: 'health', message: `Replica ${from} has master_link_status:${v.masterLinkStatus}: it is not in sync with its master.`, nodeIds: [v.view.self.id] });
    }
  }
  return said;
}

/**
 * Failed, suspected, half-met and unlinked nodes. A node that could not be asked is reported by
 * heal's diagnosis (ghost, failover pending, lost slots), in the words heal's plan uses; here only
 * nodes that answered yet are flagged (and every unfinished handshake).
 */
function reportPeerFlags(topology: ClusterTopology, byId: ReadonlyMap<string, ClusterNode>, said: PeerVerdicts, add: (f: Finding) => void): void {
  const reachedIds = new Set(topology.views.map((v) => v.view.self.id));
  for (const [id, from] of said.failedBy) {
    if (!reachedIds.has(id)) continue;
    add({
      severity: 'error',
      code: 'failed-node',
      section: 'health',
      message: `Node ${label(byId.get(id), id)} answers but is marked as failed by ${from.join(', ')}.`,
      nodeIds: [id],
    });
  }
  for (const [id, from] of said.pfailBy) {
    if (!reachedIds.has(id)) continue;
    add({ severity: 'warning', code: 'pfail-node', section: 'health', message: `Node ${label(byId.get(id), id)} is suspected down (fail?) by ${from.join(', ')}.`, nodeIds: [id] });
  }
  for (const [id, from] of said.handshakeBy) {
    add({ severity: 'warning', code: 'handshake', section: 'health', message: `A handshake with ${label(byId.get(id), id)} has not completed on ${from.join(', ')}: its cluster bus port may be unreachable.`, nodeIds: [id] });
  }
  for (const [id, from] of said.linkDownBy) {
    if (!reachedIds.has(id)) continue;
    const n = byId.get(id);
    add({
      severity: 'warning',
      code: 'link-down',
      section: 'health',
      message: `The cluster link to ${label(n, id)} is down as seen from ${from.join(', ')}${n ? ` (is its bus port ${n.busPort} reachable?)` : ''}.`,
      nodeIds: [id],
    });
  }
}

/** Replication layout, from each node's own line: replicas on their master's host protect nothing. */
function checkReplicaPlacement(topology: ClusterTopology, failedBy: ReadonlyMap<string, string[]>, add: (f: Finding) => void, hosts: readonly SwarmHost[] = []): void {
  const alive = topology.nodes.filter((n) => !failedBy.has(n.id) && !n.flags.handshake && !n.flags.noaddr);
  const moves = planHostSpread(alive, hosts);
  const spread = hostSpreadMessage(moves);
  if (spread) add({ severity: 'info', code: 'host-spread', section: 'health', message: spread, nodeIds: moves.map((m) => m.nodeId) });
  const masterMoves = planMasterSpread(alive, hosts);
  const masters = masterSpreadMessage(masterMoves, alive);
  if (masters) add({ severity: 'warning', code: 'master-spread', section: 'health', message: masters, nodeIds: masterMoves.map((m) => m.masterId) });
  const placements = new Set(alive.map(placementOf));
  if (placements.size === 1 && alive.some((n) => n.role === 'replica')) {
    // By hostname when the swarm names it (as the shared-host warning does), else the placement key.
    const host = alive.find((n) => n.swarm?.swarmHost)?.swarm?.swarmHost ?? [...placements][0] ?? '';
    add({ severity: 'warning', code: 'single-placement', section: 'health', message: `All nodes run on one host (${host}): replicas do not protect against losing it.` });
  }
  for (const m of alive) {
    if (m.role !== 'master' || m.slots.length === 0) continue;
    // A master without replica is heal's no-replica finding.
    const replicas = alive.filter((r) => r.role === 'replica' && r.masterId === m.id);
    const same = replicas.filter((r) => placementOf(r) === placementOf(m));
    // On a single host (loopback tests, one swarm node) every replica shares the master's host;
    // that is said once above, and is only worth a warning per master when other hosts exist.
    if (same.length > 0 && placements.size > 1) {
      add({
        severity: 'warning',
        code: 'replica-same-placement',
        section: 'health',
        message:
          `Replica ${same.map((r) => label(r, r.id)).join(', ')} of master ${label(m, m.id)} is on the same ${m.swarm?.swarmNode ? 'swarm node' : 'host'} (${m.swarm?.swarmHost ?? placementOf(m)}): ` +
          `losing that ${m.swarm?.swarmNode ? 'node' : 'host'} takes the master and ${same.length > 1 ? 'these replicas' : 'this replica'} at once.` +
          (replicas.length > same.length ? '' : ` Its slots stop being served until it returns; run heal${m.swarm?.swarmNode ? ' (with another swarm node to use)' : ''} to move a replica elsewhere.`),
        nodeIds: [m.id, ...same.map((r) => r.id)],
      });
    }
  }
}
