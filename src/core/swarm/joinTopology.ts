/**
 * Joins the cluster's own view (who is master, which slots) with Docker's (which service,
 * task, container and swarm node runs each node), matching by announced hostname or task IP.
 */
import { type ClusterNode, type ClusterTopology } from '../cluster/topology';
import { type SwarmCluster, type SwarmRedisNode, announcedName } from './discover';

export function swarmNodeFor(cluster: SwarmCluster, n: ClusterNode): SwarmRedisNode | undefined {
  return cluster.nodes.find(
    (s) =>
      s.port === n.endpoint.port &&
      ((n.hostname !== undefined && n.hostname === announcedName(s)) || (s.task?.ip !== undefined && s.task.ip === n.endpoint.host)),
  );
}

export function joinSwarm(topology: ClusterTopology, cluster: SwarmCluster): ClusterTopology {
  const place = (n: ClusterNode): ClusterNode => {
    const s = swarmNodeFor(cluster, n);
    if (!s) return n;
    return {
      ...n,
      swarm: {
        service: s.service,
        ...(s.task?.id ? { taskId: s.task.id } : {}),
        ...(s.task?.containerId ? { containerId: s.task.containerId } : {}),
        ...(s.task?.swarmNode ? { swarmNode: s.task.swarmNode } : {}),
        ...(s.task?.swarmHost ? { swarmHost: s.task.swarmHost } : {}),
        ...(s.task?.state ? { taskState: s.task.state } : {}),
        ...(s.task?.ip ? { ip: s.task.ip } : {}),
      },
    };
  };
  return { ...topology, nodes: topology.nodes.map(place) };
}
