/**
 * Gathers every node's OWN view of the cluster (CLUSTER NODES asked of each node, not one node
 * asked about all), so the checker can see when nodes disagree. Starts from seed endpoints and
 * follows the addresses the nodes announce, all through the Router.
 */
import { AdminPool, type PipelineResult, replyText } from '../redis/adminConnection';
import { describeError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type Router } from '../routes/router';
import { infoField, parseClusterNodes } from './nodesParser';
import { type ClusterNode, type ClusterTopology, type ReportedView, type UnreachableNode } from './topology';

/** Upper bound on nodes followed (Redis Cluster's practical limit is ~1000 nodes). */
export const MAX_TOPOLOGY_NODES = 2000;

export interface ReadTopologyOptions {
  /** Reuse an open pool (it is then left open); otherwise one is opened and closed here. */
  readonly pool?: AdminPool;
  /** Ask only the seeds, do not follow announced addresses. */
  readonly seedsOnly?: boolean;
}

export async function readTopology(router: Router, seeds: readonly Endpoint[], options: ReadTopologyOptions = {}): Promise<ClusterTopology> {
  const pool = options.pool ?? new AdminPool(router);
  try {
    return await gather(pool, seeds, options.seedsOnly === true);
  } finally {
    if (!options.pool) await pool.close();
  }
}

async function gather(pool: AdminPool, seeds: readonly Endpoint[], seedsOnly: boolean): Promise<ClusterTopology> {
  const views: ReportedView[] = [];
  const unreachable: UnreachableNode[] = [];
  const askedEndpoints = new Set<string>();
  const seenIds = new Set<string>();
  let wave: { endpoint: Endpoint; id?: string }[] = seeds.map((endpoint) => ({ endpoint }));
  // Breadth-first in waves, each wave in parallel; bounded by MAX_TOPOLOGY_NODES.
  while (wave.length > 0 && askedEndpoints.size < MAX_TOPOLOGY_NODES) {
    const todo = wave.filter((w) => {
      const key = formatEndpoint(w.endpoint);
      if (askedEndpoints.has(key) || (w.id !== undefined && seenIds.has(w.id))) return false;
      askedEndpoints.add(key);
      return true;
    });
    const answers = await Promise.all(todo.map((w) => askNode(pool, w.endpoint).then((r) => ({ w, r }))));
    const next: { endpoint: Endpoint; id?: string }[] = [];
    for (const { w, r } of answers) {
      if ('reason' in r) {
        unreachable.push({ endpoint: w.endpoint, ...(w.id !== undefined ? { id: w.id } : {}), reason: r.reason });
        continue;
      }
      // The same node reached under two names (a seed `localhost:7000` announcing 127.0.0.1:7000).
      if (seenIds.has(r.view.self.id)) continue;
      seenIds.add(r.view.self.id);
      views.push(r);
      if (seedsOnly) continue;
      for (const n of r.view.nodes) {
        if (n.flags.myself || n.flags.noaddr || n.flags.handshake || n.endpoint.host === '' || seenIds.has(n.id)) continue;
        next.push({ endpoint: n.endpoint, id: n.id });
      }
    }
    wave = next;
  }
  // Nodes named by a peer that we could not ask: keep the ID we learned for the report.
  return { views, nodes: mergeNodes(views), unreachable };
}

async function askNode(pool: AdminPool, endpoint: Endpoint): Promise<ReportedView | { reason: string }> {
  let res: PipelineResult[];
  try {
    res = await pool.pipeline(endpoint, [['CLUSTER', 'NODES'], ['CLUSTER', 'INFO'], ['DBSIZE'], ['INFO', 'replication'], ['INFO', 'memory'], ['CONFIG', 'GET', 'cluster-require-full-coverage']]);
  } catch (err) {
    return { reason: describeError(err) };
  }
  const [nodes, info, dbsize, repl, memory, coverage] = res;
  if (!nodes?.ok) return { reason: `CLUSTER NODES failed: ${nodes && !nodes.ok ? nodes.error.message : 'no reply'}` };
  let view;
  try {
    view = parseClusterNodes(replyText(nodes.value));
  } catch (err) {
    return { reason: describeError(err) };
  }
  // A node that has not met anyone yet prints its own address as ":port"; we know it better.
  if (view.self.endpoint.host === '') {
    const self: ClusterNode = { ...view.self, endpoint: endpoint };
    view = { self, nodes: view.nodes.map((n) => (n.flags.myself ? self : n)) };
  }
  const clusterState = info?.ok ? infoField(replyText(info.value), 'cluster_state') ?? 'unknown' : 'unknown';
  const keys = dbsize?.ok ? Number(dbsize.value) : 0;
  const replText = repl?.ok ? replyText(repl.value) : '';
  const link = repl?.ok ? infoField(replText, 'master_link_status') : undefined;
  // A replica's own offset is slave_repl_offset; a master's is master_repl_offset. The
  // difference between a replica's and its master's is its lag in bytes.
  const offset = Number(infoField(replText, 'slave_repl_offset') ?? infoField(replText, 'master_repl_offset') ?? NaN);
  const usedMemory = memory?.ok ? Number(infoField(replyText(memory.value), 'used_memory') ?? NaN) : NaN;
  // Heal's diagnosis (which check shares) needs it in cache mode; CONFIG may be renamed away.
  const fullCoverage = coverage?.ok && Array.isArray(coverage.value) && coverage.value.length >= 2 ? replyText(coverage.value[1]) === 'yes' : undefined;
  const certificateExpiresAt = await pool.certificateExpiry(endpoint);
  return {
    endpoint,
    view,
    clusterState,
    keys,
    ...(link !== undefined ? { masterLinkStatus: link } : {}),
    ...(Number.isFinite(offset) ? { replOffset: offset } : {}),
    ...(Number.isFinite(usedMemory) ? { usedMemoryBytes: usedMemory } : {}),
    ...(fullCoverage !== undefined ? { fullCoverage } : {}),
    ...(certificateExpiresAt !== undefined ? { certificateExpiresAt: certificateExpiresAt.getTime() } : {}),
  };
}

/** One line per node ID: its own line where we have it, else the first peer's line about it. */
function mergeNodes(views: readonly ReportedView[]): ClusterNode[] {
  const byId = new Map<string, ClusterNode>();
  for (const v of views) byId.set(v.view.self.id, v.view.self);
  for (const v of views) for (const n of v.view.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  return [...byId.values()];
}
