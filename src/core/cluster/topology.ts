/**
 * The plain, typed model of a Redis Cluster as its nodes describe it. Parsers fill it from
 * `CLUSTER NODES`; the Docker side (the lead's swarm discovery) adds `swarm`; views and the
 * checker only read it.
 */
import { type Endpoint } from '../routes/endpoint';

/** Redis Cluster has 16384 hash slots (cluster.h CLUSTER_SLOTS). */
export const CLUSTER_SLOTS = 16384;

/** An inclusive range of hash slots, as `CLUSTER NODES` prints them (`0-5460`). */
export interface SlotRange {
  readonly start: number;
  readonly end: number;
}

/** A slot being moved: `[slot->-target]` on the source, `[slot-<-source]` on the target. */
export interface OpenSlot {
  readonly slot: number;
  /** The node ID of the other side of the move. */
  readonly peerId: string;
}

export type NodeRole = 'master' | 'replica';

/** The flags field of a `CLUSTER NODES` line, decoded. `raw` keeps them as printed. */
export interface NodeFlags {
  readonly myself: boolean;
  readonly master: boolean;
  readonly replica: boolean;
  /** `fail?`: this reporter suspects the node is down (not yet agreed by a majority). */
  readonly pfail: boolean;
  /** `fail`: a majority of masters agreed the node is down. */
  readonly fail: boolean;
  readonly handshake: boolean;
  /** No address known for the node yet. */
  readonly noaddr: boolean;
  readonly nofailover: boolean;
  readonly raw: readonly string[];
}

/** What the lead's swarm discovery knows about the task behind a node. */
export interface SwarmPlacement {
  service: string;
  taskId?: string;
  containerId?: string;
  swarmNode?: string;
  /** The swarm node's hostname, when known. */
  swarmHost?: string;
  taskState?: string;
  ip?: string;
}

/** One line of `CLUSTER NODES`: one node as one reporter sees it. */
export interface ClusterNode {
  readonly id: string;
  /** The announced client endpoint (`ip:port`); host is '' when the node has no address. */
  readonly endpoint: Endpoint;
  /** The announced cluster bus port (`@cport`). */
  readonly busPort: number;
  /** The announced hostname (Redis 7 `cluster-announce-hostname`), when set. */
  readonly hostname?: string;
  readonly role: NodeRole;
  /** For a replica, the ID of its master; undefined for masters (printed as `-`). */
  readonly masterId?: string;
  readonly flags: NodeFlags;
  readonly pingSent: number;
  readonly pongReceived: number;
  readonly configEpoch: number;
  readonly linkState: 'connected' | 'disconnected';
  readonly slots: readonly SlotRange[];
  readonly migrating: readonly OpenSlot[];
  readonly importing: readonly OpenSlot[];
  /** Filled by the Docker side, never by the Redis parsers. */
  swarm?: SwarmPlacement;
}

/** The whole of one node's `CLUSTER NODES` reply. */
export interface NodesView {
  /** The node that answered (its `myself` line). */
  readonly self: ClusterNode;
  /** Every line, `self` included, in reply order. */
  readonly nodes: readonly ClusterNode[];
}

/** One node's view plus what else we asked it, as `readTopology` gathers it. */
export interface ReportedView {
  /** The announced endpoint we reached it as (before routing). */
  readonly endpoint: Endpoint;
  readonly view: NodesView;
  /** `cluster_state` from CLUSTER INFO ('ok' or 'fail'). */
  readonly clusterState: string;
  /** Keys in the node's database (DBSIZE). */
  readonly keys: number;
  /** `master_link_status` from INFO replication, for replicas. */
  readonly masterLinkStatus?: string;
  /** Replication offset: master_repl_offset of a master, slave_repl_offset of a replica. */
  readonly replOffset?: number;
  /** `used_memory` from INFO memory, in bytes. */
  readonly usedMemoryBytes?: number;
  /** `cluster-require-full-coverage` as CONFIG GET reports it (undefined when CONFIG is renamed away). */
  readonly fullCoverage?: boolean;
  /** When the node's TLS certificate expires (ms since the epoch), for nodes reached over TLS. */
  readonly certificateExpiresAt?: number;
}

/** A node that was named (as a seed or by a peer) but could not be asked. */
export interface UnreachableNode {
  readonly endpoint: Endpoint;
  readonly id?: string;
  readonly reason: string;
}

/** What `readTopology` returns: every reachable node's own view of the cluster. */
export interface ClusterTopology {
  /** One entry per node we could ask, in discovery order. */
  readonly views: readonly ReportedView[];
  /**
   * One entry per known node ID: its own `myself` line when we could ask it, otherwise the
   * line of the first view that lists it.
   */
  readonly nodes: readonly ClusterNode[];
  readonly unreachable: readonly UnreachableNode[];
}

/** Number of slots in a list of ranges. */
export function countSlots(ranges: readonly SlotRange[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1), 0);
}

/** Merges a sorted or unsorted list of slot numbers into inclusive ranges. */
export function slotsToRanges(slots: Iterable<number>): SlotRange[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const out: SlotRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === s - 1) out[out.length - 1] = { start: last.start, end: s };
    else out.push({ start: s, end: s });
  }
  return out;
}

/** `0-5460,5462` style text for a list of ranges. */
export function formatRanges(ranges: readonly SlotRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',');
}
