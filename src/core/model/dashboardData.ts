/**
 * The dashboard's rows from a cluster and its load histories: one per node, masters first with
 * their replicas after them, each with its chart points (a replica's lag from its master's
 * offset at the nearest earlier sample) and its newest slow commands. Pure.
 */
import { type ClusterModel, type NodeModel } from './clusterModel';
import { endpointOf } from './describeNodes';
import { type NodeLoad } from './nodeLoad';
import { type Endpoint } from '../routes/endpoint';

export interface DashboardPoint {
  readonly at: number;
  readonly ops: number;
  readonly memory: number;
  readonly maxMemory: number;
  readonly clients: number;
  readonly keys: number;
  readonly evicted: number;
  readonly lag?: number;
}

export interface DashboardRow {
  readonly name: string;
  readonly role: 'master' | 'replica';
  readonly of?: string;
  readonly points: DashboardPoint[];
  readonly slowlog: { micros: number; command: string; at: number }[];
}

const nameOf = (n: NodeModel): string => n.service?.service ?? endpointOf(n);

export function dashboardRows(cluster: ClusterModel, history: (endpoint: Endpoint) => readonly NodeLoad[]): DashboardRow[] {
  const rows: DashboardRow[] = [];
  for (const shard of cluster.shards) {
    const masterHistory = history(shard.master.node.endpoint);
    rows.push(row(nameOf(shard.master), 'master', undefined, masterHistory, []));
    for (const r of shard.replicas) rows.push(row(nameOf(r), 'replica', nameOf(shard.master), history(r.node.endpoint), masterHistory));
  }
  return rows;
}

function row(name: string, role: 'master' | 'replica', of: string | undefined, samples: readonly NodeLoad[], master: readonly NodeLoad[]): DashboardRow {
  const points = samples.map((s) => {
    let lag: number | undefined;
    if (role === 'replica' && s.replOffset !== undefined) {
      const m = [...master].reverse().find((x) => x.at <= s.at + 1000 && x.replOffset !== undefined);
      if (m?.replOffset !== undefined) lag = Math.max(0, m.replOffset - s.replOffset);
    }
    return { at: s.at, ops: s.opsPerSec, memory: s.usedMemory, maxMemory: s.maxMemory, clients: s.clients, keys: s.keys, evicted: s.evictedKeys, ...(lag !== undefined ? { lag } : {}) };
  });
  const slowlog = (samples[samples.length - 1]?.slowlog ?? []).map((e) => ({ micros: e.micros, command: e.command, at: e.at }));
  return { name, role, ...(of !== undefined ? { of } : {}), points, slowlog };
}
