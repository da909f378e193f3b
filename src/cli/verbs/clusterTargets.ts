/**
 * Turns a cluster verb's arguments into what the core needs: a Router and the nodes to talk
 * to. Kept in one place so that `--cluster NAME` (swarm discovery, the lead's part) is added
 * here once for create, check and status alike.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type CreateNodeInput } from '../../core/cluster/planCreate';
import { BadInputError } from '../../core/errors';
import { type Endpoint, parseEndpoint } from '../../core/routes/endpoint';
import { type Router, StaticRouter } from '../../core/routes/router';
import { type FlagSpecs, flagBoolean, flagList, flagString, type ParsedArgs } from '../args';
import { type ClusterTopology } from '../../core/cluster/topology';
import { readTopology } from '../../core/cluster/readTopology';
import { AdminPool, replyText } from '../../core/redis/adminConnection';
import { type ClusterAccess, openClusterAccess } from '../../core/swarm/clusterAccess';
import { swarmCreateInputs } from '../../core/swarm/swarmNodes';
import { joinSwarm } from '../../core/swarm/joinTopology';
import { dockerFlags, engineOptions } from './dockerFlags';
import { flagServices, servicesFlag } from './servicesFlag';
import { givenLogin, userFlag } from './loginFlags';
import { type Credentials, type GivenLogin, loginOptions } from '../../core/swarm/auth';
import { tlsFlags, tlsFromArgs } from './tlsFlags';

/** Flags every cluster verb takes to say how nodes are reached. */
export const clusterTargetFlags: FlagSpecs = {
  cluster: {
    kind: 'string',
    valueName: 'name',
    description: 'A cluster on the swarm (deployed by redis-swarm, or services NAME-1 … NAME-N running a Redis server, or those given with --services); nodes are reached through published ports or Docker API tunnels.',
  },
  services: servicesFlag,
  user: userFlag,
  tunnel: { kind: 'boolean', description: 'With --cluster: use Docker API tunnels even where ports are published.' },
  ...dockerFlags,
  reachable: {
    kind: 'list',
    valueName: 'cidr',
    description: 'A network the nodes are directly reachable in (repeatable), e.g. 10.20.0.0/16. Loopback always is.',
  },
  ...tlsFlags,
};

export interface SeedTargets {
  readonly router: Router;
  /** Nodes to start from; the others are found through the cluster. */
  readonly seeds: readonly Endpoint[];
  /** Admin connections through the router, logged in when the cluster needs it. */
  readonly pool: AdminPool;
  /** Set with --cluster: the swarm side, joined into topologies. */
  readonly access?: ClusterAccess;
  /** Closes the pool and the router (tunnels). */
  dispose(): Promise<void>;
}

export interface CreateTargets extends SeedTargets {
  /** Every node to form the cluster from, with its placement key. */
  readonly nodes: readonly CreateNodeInput[];
}

/** host:port targets log in with exactly what was given: --user and REDISCLI_AUTH (a user without a password cannot log in). */
function hostLogin(given: GivenLogin): Credentials | undefined {
  return given.password !== undefined ? { ...(given.username !== undefined ? { username: given.username } : {}), password: given.password } : undefined;
}

function targets(router: Router, seeds: readonly Endpoint[], credentials: Credentials | undefined, access?: ClusterAccess): SeedTargets {
  const pool = new AdminPool(router, loginOptions(credentials));
  return {
    router,
    seeds,
    pool,
    ...(access ? { access } : {}),
    dispose: async () => {
      await pool.close();
      await router.dispose();
    },
  };
}

async function swarmAccess(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<ClusterAccess | undefined> {
  const name = flagString(args, 'cluster');
  if (name === undefined) return undefined;
  if (args.positionals.length > 0) throw new BadInputError(`Give either --cluster ${name} or host:port nodes, not both.`);
  const tls = tlsFromArgs(args);
  return openClusterAccess(name, {
    ...engineOptions(args, env),
    ...(tls ? { tls } : {}),
    services: flagServices(args),
    forceTunnel: flagBoolean(args, 'tunnel'),
    login: givenLogin(args, env),
  });
}

/** Reads every node's view through the targets' pool; with --cluster, joined with Docker's view. */
export async function readTargetTopology(t: SeedTargets): Promise<ClusterTopology> {
  const topology = await readTopology(t.router, t.seeds, { pool: t.pool });
  return t.access ? joinSwarm(topology, t.access.cluster) : topology;
}

function staticRouter(args: ParsedArgs): StaticRouter {
  const tls = tlsFromArgs(args);
  return new StaticRouter({ reachableNetworks: flagList(args, 'reachable'), ...(tls ? { tls } : {}) });
}

/** `check` / `status`: `<host:port>...` positionals reached directly. */
export async function seedTargetsFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<SeedTargets> {
  const access = await swarmAccess(args, env);
  if (access) return targets(access.router, access.seeds, access.credentials, access);
  if (args.positionals.length === 0) {
    throw new BadInputError('Name a node of the cluster as host:port (for example 127.0.0.1:7000), or a cluster on the swarm with --cluster NAME.');
  }
  return targets(staticRouter(args), args.positionals.map(parseEndpoint), hostLogin(givenLogin(args, env)));
}

/**
 * `create`: `<host:port>...` positionals. The placement key is the host as given, as redis-cli
 * groups nodes by the address it was given; a host name is resolved for CLUSTER MEET (which
 * takes only IPs), as redis-cli does with anetResolve.
 */
export async function createTargetsFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<CreateTargets> {
  const access = await swarmAccess(args, env);
  if (access) {
    try {
      const nodes = swarmCreateInputs(access.cluster);
      return { ...targets(access.router, nodes.map((n) => n.endpoint), access.credentials, access), nodes };
    } catch (err) {
      await access.dispose();
      throw err;
    }
  }
  if (args.positionals.length === 0) {
    throw new BadInputError('Name the nodes to form the cluster from, as host:port ... (at least 3), or a cluster on the swarm with --cluster NAME.');
  }
  const nodes = await Promise.all(
    args.positionals.map(async (p): Promise<CreateNodeInput> => {
      const endpoint = parseEndpoint(p);
      if (isIP(endpoint.host) !== 0) return { endpoint, placementKey: endpoint.host };
      const resolved = await lookup(endpoint.host, { family: 4 }).catch(() => undefined);
      if (!resolved) throw new BadInputError(`Cannot resolve ${endpoint.host} to an IPv4 address; give the node as ip:port.`);
      return { endpoint, placementKey: endpoint.host, meetIp: resolved.address };
    }),
  );
  const t = targets(staticRouter(args), nodes.map((n) => n.endpoint), hostLogin(givenLogin(args, env)));
  return { ...t, nodes: await withBusPorts(t.pool, nodes) };
}

/**
 * Each node's cluster bus port when it is not port + 10000 (Redis 7's `cluster-port`), which
 * CLUSTER MEET must then name, as redis-cli reads it from the node. A node that does not answer
 * is left as given: inspectNodes reports it.
 */
async function withBusPorts(pool: AdminPool, nodes: readonly CreateNodeInput[]): Promise<CreateNodeInput[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const reply = await pool.command(n.endpoint, ['CONFIG', 'GET', 'cluster-port']).catch(() => undefined);
      const busPort = Array.isArray(reply) && reply.length >= 2 ? Number(replyText(reply[1])) : 0;
      return Number.isInteger(busPort) && busPort > 0 ? { ...n, busPort } : n;
    }),
  );
}
