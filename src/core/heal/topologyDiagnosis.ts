/**
 * Heal's diagnosis of a topology as `check`, the model and the tree read it: the same `diagnose`
 * heal plans from, fed from readTopology's views instead of heal's own observations, so that
 * what heal would fix and what check and the tree report cannot drift apart.
 */
import { isIP } from 'node:net';
import { formatEndpoint } from '../routes/endpoint';
import { type ClusterTopology } from '../cluster/topology';
import { type SwarmCluster, type SwarmRedisNode, runningNodes } from '../swarm/discover';
import { swarmNodeFor } from '../swarm/joinTopology';
import { diagnose, type Diagnosis, type NodeObservation } from './diagnose';

export interface TopologyDiagnosisOptions {
  /** The swarm side; without it (nodes given as host:port) one stand-in service per answering node. */
  readonly cluster?: SwarmCluster;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** Each running service's observation, from the view readTopology got when it asked that service. */
export function observationsFromTopology(cluster: SwarmCluster, topology: ClusterTopology): NodeObservation[] {
  return runningNodes(cluster).map((n): NodeObservation => {
    const endpoint = { host: n.service, port: n.port };
    const v =
      topology.views.find((x) => x.endpoint.host === n.service && x.endpoint.port === n.port) ??
      topology.views.find((x) => swarmNodeFor(cluster, x.view.self)?.service === n.service);
    if (!v) {
      const u = topology.unreachable.find((x) => x.endpoint.host === n.service && x.endpoint.port === n.port);
      return { service: n.service, endpoint, error: u?.reason ?? 'not asked' };
    }
    return {
      service: n.service,
      endpoint,
      view: v.view,
      clusterState: v.clusterState,
      keys: v.keys,
      ...(v.fullCoverage !== undefined ? { fullCoverage: v.fullCoverage } : {}),
    };
  });
}

/**
 * Nodes given as host:port have no swarm service: each answering node stands for one, running at
 * the address it announces for itself (so no address counts as changed: nothing else says where
 * it really runs), on the host it was reached at.
 */
function standInCluster(topology: ClusterTopology): SwarmCluster {
  const nodes = topology.views.map((v, i): SwarmRedisNode => {
    const own = v.view.self.endpoint.host;
    const ip = isIP(own) !== 0 ? own : isIP(v.endpoint.host) !== 0 ? v.endpoint.host : '';
    return {
      service: formatEndpoint(v.endpoint),
      serviceId: '',
      index: i + 1,
      image: '',
      port: v.endpoint.port,
      task: { id: '', state: 'running', desiredState: 'running', swarmNode: v.endpoint.host, containerId: '-', ip },
    };
  });
  return { name: 'cluster', managed: false, mode: 'persistent', nodes };
}

export function diagnoseTopology(topology: ClusterTopology, options: TopologyDiagnosisOptions): Diagnosis {
  if (options.cluster) {
    return diagnose({ cluster: options.cluster, observations: observationsFromTopology(options.cluster, topology), now: options.now });
  }
  const cluster = standInCluster(topology);
  const observations = topology.views.map((v, i): NodeObservation => ({
    service: cluster.nodes[i]?.service ?? formatEndpoint(v.endpoint),
    endpoint: v.endpoint,
    view: v.view,
    clusterState: v.clusterState,
    keys: v.keys,
    ...(v.fullCoverage !== undefined ? { fullCoverage: v.fullCoverage } : {}),
  }));
  return diagnose({ cluster, observations, now: options.now, servicesKnown: false });
}
