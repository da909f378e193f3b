/** Cluster models built from `CLUSTER NODES` samples, for the model and tree-text tests. */
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterTopology, type ReportedView } from '../../src/core/cluster/topology';
import { type EngineStatus } from '../../src/core/docker/engine';
import { type ClusterModel, buildClusterModel } from '../../src/core/model/clusterModel';
import { type SwarmCluster } from '../../src/core/swarm/discover';

export const ENGINE: EngineStatus = {
  target: { host: 'unix:///var/run/docker.sock', source: 'default' },
  version: '20.10',
  apiVersion: '1.41',
  os: 'linux/amd64',
  swarm: 'active',
  isManager: true,
};
export const SWARM: SwarmCluster = { name: 'redis', managed: true, mode: 'persistent', nodes: [] };

/** A cluster model from one `CLUSTER NODES` reply, every node reporting the same view. */
export function clusterFrom(reply: string, clusterState = 'ok', name = 'redis'): ClusterModel {
  const view = parseClusterNodes(reply);
  const views: ReportedView[] = view.nodes.map((n) => ({
    endpoint: n.endpoint,
    view: { self: n, nodes: view.nodes },
    clusterState,
    keys: 0,
    ...(n.role === 'replica' ? { masterLinkStatus: 'up', replOffset: 100 } : { replOffset: 100 }),
  }));
  const topology: ClusterTopology = { views, nodes: view.nodes, unreachable: [] };
  return buildClusterModel({ ...SWARM, name }, topology);
}

