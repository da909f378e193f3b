import { type ClusterNode } from '../cluster/topology';
import { type Endpoint } from '../routes/endpoint';

/** The endpoint to ask a node at: its announced hostname (stable across restarts), else its address. */
export function nodeEndpoint(n: ClusterNode): Endpoint {
  return { host: n.hostname ?? n.endpoint.host, port: n.endpoint.port };
}
