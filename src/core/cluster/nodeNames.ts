/**
 * How nodes are named: in messages (`nodeLabel`), and by the user on a command line or in a
 * request (`findClusterNode`). One module, so the CLI, VS Code and every verb say and read the
 * same names.
 */
import { BadInputError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type ClusterNode, type ClusterTopology } from './topology';

/** "name (first 8 digits of the ID)"; the 8 digits alone for a node we cannot name. */
export function namedId(name: string | undefined, id: string): string {
  return name !== undefined ? `${name} (${id.slice(0, 8)})` : id.slice(0, 8);
}

/** What a node goes by: its announced hostname (the service), else its service, else host:port. */
function nodeName(n: { readonly hostname?: string; readonly swarm?: { readonly service: string }; readonly endpoint: Endpoint }): string {
  return n.hostname ?? n.swarm?.service ?? formatEndpoint(n.endpoint);
}

/** A node as messages name it; by ID among `byId`, the ID's digits alone when it is not there. */
export function nodeLabel(node: ClusterNode): string;
export function nodeLabel(byId: ReadonlyMap<string, ClusterNode>, id: string): string;
export function nodeLabel(x: ClusterNode | ReadonlyMap<string, ClusterNode>, id?: string): string {
  if ('id' in x) return namedId(nodeName(x), x.id);
  const n = x.get(id ?? '');
  return namedId(n ? nodeName(n) : undefined, id ?? '');
}

/** A node by full ID, unique ID prefix (4+ characters), announced hostname / service name, or host:port. */
export function findClusterNode(topology: ClusterTopology, text: string): ClusterNode {
  const nodes = topology.nodes;
  const exact = nodes.find((n) => n.id === text || n.hostname === text || n.swarm?.service === text || formatEndpoint(n.endpoint) === text);
  if (exact) return exact;
  const byPrefix = text.length >= 4 ? nodes.filter((n) => n.id.startsWith(text.toLowerCase())) : [];
  if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
  if (byPrefix.length > 1) throw new BadInputError(`"${text}" matches ${byPrefix.length} node IDs; give more of the ID.`);
  throw new BadInputError(`No node "${text}" in the cluster (give a node ID, a service name or host:port; "redis-swarm check" lists them).`);
}
