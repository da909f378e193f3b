/**
 * Turns a cluster verb's arguments into what the core needs: a Router and the nodes to talk
 * to. Kept in one place so that `--cluster NAME` (swarm discovery, the lead's part) is added
 * here once for create, check and status alike.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CreateNodeInput } from '../../core/cluster/planCreate';
import { BadInputError } from '../../core/errors';
import { Endpoint, parseEndpoint } from '../../core/routes/endpoint';
import { Router, StaticRouter } from '../../core/routes/router';
import { FlagSpecs, flagList, ParsedArgs } from '../args';

/** Flags every cluster verb takes to say how nodes are reached. */
export const clusterTargetFlags: FlagSpecs = {
  reachable: {
    kind: 'list',
    valueName: 'cidr',
    description: 'A network the nodes are directly reachable in (repeatable), e.g. 10.20.0.0/16. Loopback always is.',
  },
};

export interface SeedTargets {
  readonly router: Router;
  /** Nodes to start from; the others are found through the cluster. */
  readonly seeds: readonly Endpoint[];
}

export interface CreateTargets {
  readonly router: Router;
  /** Every node to form the cluster from, with its placement key. */
  readonly nodes: readonly CreateNodeInput[];
}

function staticRouter(args: ParsedArgs): StaticRouter {
  return new StaticRouter({ reachableNetworks: flagList(args, 'reachable') });
}

/** `check` / `status`: `<host:port>...` positionals reached directly. */
export async function seedTargetsFromArgs(args: ParsedArgs): Promise<SeedTargets> {
  if (args.positionals.length === 0) throw new BadInputError('Name a node of the cluster as host:port (for example 127.0.0.1:7000).');
  return { router: staticRouter(args), seeds: args.positionals.map(parseEndpoint) };
}

/**
 * `create`: `<host:port>...` positionals. The placement key is the host as given, as redis-cli
 * groups nodes by the address it was given; a host name is resolved for CLUSTER MEET (which
 * takes only IPs), as redis-cli does with anetResolve.
 */
export async function createTargetsFromArgs(args: ParsedArgs): Promise<CreateTargets> {
  if (args.positionals.length === 0) throw new BadInputError('Name the nodes to form the cluster from, as host:port ... (at least 3).');
  const nodes = await Promise.all(
    args.positionals.map(async (p): Promise<CreateNodeInput> => {
      const endpoint = parseEndpoint(p);
      if (isIP(endpoint.host) !== 0) return { endpoint, placementKey: endpoint.host };
      const resolved = await lookup(endpoint.host, { family: 4 }).catch(() => undefined);
      if (!resolved) throw new BadInputError(`Cannot resolve ${endpoint.host} to an IPv4 address; give the node as ip:port.`);
      return { endpoint, placementKey: endpoint.host, meetIp: resolved.address };
    }),
  );
  return { router: staticRouter(args), nodes };
}
