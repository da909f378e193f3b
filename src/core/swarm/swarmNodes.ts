/**
 * The nodes of a cluster on the swarm as the cluster engine takes them: announced by service
 * hostname (what the router resolves), met by task IP (CLUSTER MEET takes an IP; the overlay
 * is the nodes' own network), and placed by swarm node, so anti-affinity keeps a replica off
 * its master's machine.
 */
import { NotFoundError } from '../errors';
import { type CreateNodeInput } from '../cluster/planCreate';
import { type SwarmCluster } from './discover';

export function swarmCreateInputs(cluster: SwarmCluster): CreateNodeInput[] {
  const notRunning = cluster.nodes.filter((n) => n.task?.state !== 'running' || !n.task.ip);
  if (notRunning.length > 0) {
    throw new NotFoundError(
      `Cannot form cluster "${cluster.name}": ${notRunning
        .map((n) => `${n.service} has no running task${n.task?.error ? ` (${n.task.error})` : ''}`)
        .join(', ')}. See "docker service ps ${notRunning[0]?.service ?? ''}".`,
    );
  }
  return cluster.nodes.map((n) => ({
    endpoint: { host: n.service, port: n.port },
    placementKey: n.task?.swarmNode ?? n.service,
    ...(n.task?.swarmHost ? { placementName: n.task.swarmHost } : {}),
    meetIp: n.task?.ip as string,
  }));
}
