/**
 * A short status of a cluster, shaped like `redis-cli --cluster info`: one line per master
 * with keys, slots and replicas, then totals, then the node list.
 */
import { formatEndpoint } from '../routes/endpoint';
import { formatNodeBlock, orderNodes } from './formatCheck';
import { type ClusterTopology, countSlots, CLUSTER_SLOTS } from './topology';

export function formatStatus(topology: ClusterTopology): string {
  const lines: string[] = [];
  const keysById = new Map(topology.views.map((v) => [v.view.self.id, v.keys]));
  const masters = orderNodes(topology.nodes).filter((n) => n.role === 'master' && !n.flags.fail);
  let totalKeys = 0;
  for (const m of masters) {
    const keys = keysById.get(m.id);
    const replicas = topology.nodes.filter((r) => r.role === 'replica' && r.masterId === m.id).length;
    totalKeys += keys ?? 0;
    lines.push(
      `${formatEndpoint(m.endpoint)} (${m.id.slice(0, 8)}...) -> ${keys === undefined ? '?' : keys} keys | ` +
        `${countSlots(m.slots)} slots | ${replicas} replica(s).`,
    );
  }
  lines.push(`[OK] ${totalKeys} keys in ${masters.length} masters.`);
  lines.push(`${(totalKeys / CLUSTER_SLOTS).toFixed(2)} keys per slot on average.`);
  const states = new Map<string, number>();
  for (const v of topology.views) states.set(v.clusterState, (states.get(v.clusterState) ?? 0) + 1);
  lines.push(`cluster_state: ${[...states].map(([s, c]) => `${s} on ${c} node(s)`).join(', ')}` + (topology.unreachable.length > 0 ? `; ${topology.unreachable.length} node(s) unreachable` : ''));
  for (const n of orderNodes(topology.nodes)) lines.push(formatNodeBlock(n, topology.nodes));
  return lines.join('\n') + '\n';
}
